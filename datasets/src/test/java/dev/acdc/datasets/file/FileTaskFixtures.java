package dev.acdc.datasets.file;

import dev.acdc.patching.testsupport.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the file-task tests share: the fixtures' location (one method) and a small tokenizer written on the spot. */
final class FileTaskFixtures {
    private FileTaskFixtures() {}

    /** A fixture directory ({@code gpt2-tiny}, {@code gpt2-tokenizer}); in the test resources (a missing one fails the test). */
    static Path fixture(String name) {
        return Fixtures.path("fixtures/" + name);
    }

    static Path tinyGpt2() {
        return fixture("gpt2-tiny");
    }

    static Path gpt2Tokenizer() {
        return fixture("gpt2-tokenizer");
    }

    /**
     * A GPT-2-style byte-level BPE tokenizer over the letters a–z (ids 0–25), the space {@code Ġ} (26) and each
     * space-letter pair {@code Ġa}…{@code Ġz} (27–52), written as vocab.json + merges.txt into {@code dir}. Its ids
     * fit the tiny GPT-2 fixture's vocabulary of 101, so text prompts run on it; any other character is not in its
     * vocabulary, so text with one cannot be encoded.
     */
    static Path letterTokenizer(Path dir) {
        StringBuilder vocab = new StringBuilder("{");
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (char c = 'a'; c <= 'z'; c++) vocab.append('"').append(c).append("\": ").append(c - 'a').append(", ");
        vocab.append("\"\u0120\": 26");
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.append(", \"\u0120").append(c).append("\": ").append(27 + c - 'a');
            merges.append("\u0120 ").append(c).append('\n');
        }
        vocab.append('}');
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.json"), vocab.toString());
            Files.writeString(dir.resolve("merges.txt"), merges.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Writes a task file, one string per line. */
    static Path write(Path file, List<String> lines) {
        try {
            Files.writeString(file, String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
