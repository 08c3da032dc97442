package dev.acdc.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class ModelInfoCommandTest {
    @TempDir
    Path tmp;

    private static Path fixture(String rel) {
        return Fixtures.path(rel);
    }

    private static Path tiny() {
        return fixture("fixtures/gpt2-tiny");
    }

    private static void assertOneLineBadInput(CliRun r, String... parts) {
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "stderr should mention '" + p + "': " + r.err());
    }

    @Test
    void jsonReportsTheConfigOfAnHfDirectory() {
        CliRun r = run("model-info", "--model", tiny().toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, o.get("n_layers").getAsInt());
        assertEquals(4, o.get("n_heads").getAsInt());
        assertEquals(32, o.get("d_model").getAsInt());
        assertEquals(8, o.get("d_head").getAsInt());
        assertEquals(128, o.get("d_mlp").getAsInt());
        assertEquals(101, o.get("d_vocab").getAsInt());
        assertEquals(16, o.get("n_ctx").getAsInt());
        assertTrue(o.get("parameters").getAsLong() > 0);
        assertFalse(o.has("top_tokens"));
    }

    @Test
    void presetNeedsNoWeights() {
        CliRun r = run("model-info", "--model", "attn-only-4l", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(4, o.get("n_layers").getAsInt());
        assertEquals(0, o.get("d_mlp").getAsInt());
        assertEquals(48262, o.get("d_vocab").getAsInt());
    }

    @Test
    void promptIdsGiveTheTopFiveNextTokensOfTheGoldenLogits() throws IOException {
        CliRun r = run("model-info", "--model", tiny().toString(), "--prompt-ids", "95,63,69,90,58", "--json");
        assertEquals(0, r.code(), r.err());
        JsonArray top = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("top_tokens");
        assertEquals(5, top.size());
        // expected.json case len5: the last row of its logits, ranked
        JsonObject expected = JsonParser.parseString(Files.readString(tiny().resolve("expected.json"))).getAsJsonObject();
        JsonArray rows = expected.getAsJsonArray("cases").get(0).getAsJsonObject().getAsJsonArray("logits");
        JsonArray last = rows.get(rows.size() - 1).getAsJsonArray();
        double prev = Double.POSITIVE_INFINITY;
        for (var e : top) {
            JsonObject t = e.getAsJsonObject();
            double logit = t.get("logit").getAsDouble();
            assertEquals(last.get(t.get("id").getAsInt()).getAsDouble(), logit, 1e-4);
            assertTrue(logit <= prev, "sorted by logit");
            prev = logit;
        }
        int best = 0;
        for (int v = 1; v < last.size(); v++) if (last.get(v).getAsDouble() > last.get(best).getAsDouble()) best = v;
        assertEquals(best, top.get(0).getAsJsonObject().get("id").getAsInt());
    }

    @Test
    void textPromptWithAnExternalTokenizerShowsTokenStrings() {
        CliRun r = run("model-info", "--model", tiny().toString(), "--prompt", "A", "--tokenizer",
                fixture("fixtures/gpt2-tokenizer").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prompt ids   [32]"), r.out());
        assertTrue(r.out().contains("top 5 next tokens:") && r.out().contains("5. id"), r.out());
    }

    @Test
    void tokenIdsBeyondTheVocabularyAreNamed() {
        CliRun r = run("model-info", "--model", tiny().toString(), "--prompt", "Hello world", "--tokenizer",
                fixture("fixtures/gpt2-tokenizer").toString());
        assertOneLineBadInput(r, "token id 15496", "vocabulary of 101 tokens");
    }

    @Test
    void textPromptWithoutATokenizerSaysHowToGiveOne() {
        CliRun r = run("model-info", "--model", tiny().toString(), "--prompt", "Hello");
        assertOneLineBadInput(r, "--prompt needs a tokenizer", "--tokenizer DIR", "--prompt-ids");
    }

    @Test
    void promptOnAPresetIsRefused() {
        CliRun r = run("model-info", "--model", "gpt2-small", "--prompt-ids", "1,2");
        assertOneLineBadInput(r, "preset config without weights");
    }

    @Test
    void unknownModelOfflineNamesTheCacheItSearched() {
        CliRun r = run("model-info", "--model", "nobody/no-such-model", "--offline", "--hf-cache", tmp.toString());
        assertOneLineBadInput(r, "nobody/no-such-model", tmp.toString(), "models--nobody--no-such-model");
    }

    @Test
    void missingDirectoryIsOneLine() {
        CliRun r = run("model-info", "--model", tmp.resolve("nope").toString() + "/");
        assertOneLineBadInput(r, "does not exist");
    }

    @Test
    void truncatedCheckpointIsOneLineNamingTheFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.copy(tiny().resolve("config.json"), dir.resolve("config.json"));
        byte[] all = Files.readAllBytes(tiny().resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length - 10));
        CliRun r = run("model-info", "--model", dir.toString(), "--prompt-ids", "1");
        assertOneLineBadInput(r, "truncated safetensors file", dir.resolve("model.safetensors").toString(), "found " + (all.length - 10) + " bytes");
    }
}
