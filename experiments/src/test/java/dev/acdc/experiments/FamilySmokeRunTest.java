package dev.acdc.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACDC and EAP through the CLI on the Hugging Face family fixtures, standing in for the task's model as the tiny GPT-2
 * does (the GPT-2 tokenizer's ids reduced modulo the fixture's vocabulary): every output says it was a smoke run.
 */
class FamilySmokeRunTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return Fixtures.path("fixtures/" + name);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "qwen2-tiny", "llama-tiny", "gemma-tiny", "gemma2-tiny"})
    void discoverAndEapRocRunOnTheFamilyFixtureAsASmokeRun(String family) throws Exception {
        Path model = fixture(family), tokenizer = fixture("gpt2-tokenizer");
        CliRun d = run("discover", "--task", "greater-than", "--model", model.toString(), "--tokenizer", tokenizer.toString(),
                "--offline", "--threshold", "0.01", "--out", tmp.resolve("acdc").toString(), "--json");
        assertEquals(0, d.code(), d.err());
        JsonObject line = JsonParser.parseString(d.out().strip()).getAsJsonObject();
        assertTrue(line.get("smoke_run").getAsBoolean(), d.out());
        assertTrue(line.get("edges_total").getAsInt() > 0, d.out());
        assertTrue(Files.exists(tmp.resolve("acdc/circuit.json")));

        CliRun r = run("roc", "--task", "greater-than", "--methods", "eap", "--model", model.toString(), "--tokenizer",
                tokenizer.toString(), "--offline", "--out", tmp.resolve("roc").toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("smoke_run"), r.out());
        assertTrue(Files.exists(tmp.resolve("roc/roc.csv")));
    }

    /**
     * HISP on a grouped-query family (k and v components per key/value group), on Pythia's parallel residual and on
     * Gemma 2's post-norms (linearised at the clean rms), no longer refused. (SP through {@code roc} trains its full λ
     * list, minutes even on a fixture; the acdc module's FamilyComponentsTest trains it on these fixtures.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2-tiny", "pythia-tiny", "gemma2-tiny"})
    void hispRocRunsOnTheFamilyFixtureAsASmokeRun(String family) throws Exception {
        CliRun r = run("roc", "--task", "greater-than", "--methods", "hisp", "--model", fixture(family).toString(),
                "--tokenizer", fixture("gpt2-tokenizer").toString(), "--offline", "--out", tmp.resolve("sp").toString(), "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("smoke_run"), r.out());
        String csv = Files.readString(tmp.resolve("sp/roc.csv"));
        assertTrue(csv.contains("hisp"), csv);
    }
}
