package dev.acdc.datasets.gpt2;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the word lists and templates shipped as resources beside this class: UTF-8, one entry per
 * line, lines starting with {@code #} are comments (provenance), entries keep their inner spaces.
 */
final class WordLists {
    private WordLists() {}

    /** The entries of {@code dev/acdc/datasets/gpt2/<name>}, in file order. */
    static List<String> load(String name) {
        try (InputStream in = WordLists.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource dev/acdc/datasets/gpt2/" + name
                        + " is missing from the classpath; the datasets jar is incomplete");
            }
            List<String> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                out.add(line);
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource dev/acdc/datasets/gpt2/" + name, e);
        }
    }
}
