package dev.acdc.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code model-info} on the Hugging Face family fixtures (the patching module's test resources) and presets. */
class ModelInfoFamiliesTest {
    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        String root = System.getProperty("acdc.fixtures.dir");
        assertNotNull(root, "the build sets acdc.fixtures.dir to the patching module's test fixtures");
        Path dir = Path.of(root, name);
        assertTrue(Files.isDirectory(dir), dir + " is missing");
        return dir;
    }

    private static void assertOneLineBadInput(CliRun r, String... parts) {
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "stderr should mention '" + p + "': " + r.err());
    }

    /** The top five of --prompt-ids 3,17,92 are the five largest of transformers' logits at position 2 of prompt_a. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "llama-tiny", "qwen2-tiny", "gemma-tiny", "gemma2-tiny"})
    void promptIdsGiveTheTopFiveOfTheGoldenLogits(String name) throws IOException {
        Path dir = fixture(name);
        CliRun r = run("model-info", "--model", dir.toString(), "--prompt-ids", "3,17,92", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "a tiny model's load is not announced");
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, o.get("n_layers").getAsInt());
        assertEquals(101, o.get("d_vocab").getAsInt());
        assertTrue(o.getAsJsonObject("architecture").get("positions").getAsString().equals("rotary"));
        assertTrue(o.getAsJsonObject("memory").get("native_bytes").getAsLong() > 0);
        JsonObject expected = JsonParser.parseString(Files.readString(dir.resolve("expected.json"))).getAsJsonObject();
        JsonObject promptA = expected.getAsJsonArray("cases").get(0).getAsJsonObject();
        assertEquals("[3,17,92]", promptA.getAsJsonArray("input_ids").toString().substring(0, 8) + "]");
        JsonArray row = promptA.getAsJsonArray("logits").get(2).getAsJsonArray();   // causal: position 2 sees only 3, 17, 92
        Integer[] order = new Integer[row.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(row.get(b).getAsDouble(), row.get(a).getAsDouble()));
        JsonArray top = o.getAsJsonArray("top_tokens");
        assertEquals(5, top.size());
        for (int i = 0; i < 5; i++) {
            JsonObject t = top.get(i).getAsJsonObject();
            assertEquals(order[i].intValue(), t.get("id").getAsInt(), name + " rank " + (i + 1));
            assertEquals(row.get(order[i]).getAsDouble(), t.get("logit").getAsDouble(), 1e-4);
        }
    }

    /**
     * Without a prompt, a family checkpoint is still inspected: the count is the elements of its stored tensors (Hugging
     * Face's convention), and a config the weights do not match is one line of bad input naming the tensor.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "llama-tiny", "qwen2-tiny", "gemma-tiny", "gemma2-tiny"})
    void aFamilyCheckpointIsCheckedAndCountedWithoutAPrompt(String name) throws IOException {
        Path dir = fixture(name);
        byte[] file = Files.readAllBytes(dir.resolve("model.safetensors"));
        long headerLength = java.nio.ByteBuffer.wrap(file, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(file, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject();
        long stored = 0;
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            long n = 1;
            for (var d : e.getValue().getAsJsonObject().getAsJsonArray("shape")) n *= d.getAsLong();
            stored += n;
        }
        CliRun r = run("model-info", "--model", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(stored, o.get("parameters").getAsLong());
        assertTrue(o.get("parameter_convention").getAsString().startsWith("Hugging Face"), r.out());

        Path wrong = Files.createDirectories(tmp.resolve(name));
        Files.copy(dir.resolve("model.safetensors"), wrong.resolve("model.safetensors"));
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        config.addProperty("intermediate_size", config.get("intermediate_size").getAsInt() + 1);
        Files.writeString(wrong.resolve("config.json"), config.toString());
        assertOneLineBadInput(run("model-info", "--model", wrong.toString()), "does not match", "mlp", "has shape");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pythia-70m, 70426624, 8", "qwen2.5-0.5b, 494032768, 2", "llama-3.2-1b, 1235814400, 8", "gemma-2-2b, 2614341888, 4"})
    void familyPresetsReportTheirConfigAndFootprint(String preset, long parameters, int kvHeads) {
        CliRun r = run("model-info", "--model", preset, "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(parameters, o.get("parameters").getAsLong());
        assertEquals(kvHeads, o.get("n_key_value_heads").getAsInt());
        assertTrue(o.getAsJsonObject("memory").get("heap_bytes").getAsLong() >= 4 * parameters);
        CliRun text = run("model-info", "--model", preset);
        assertTrue(text.out().contains("architecture ") && text.out().contains("memory "), text.out());
    }

    @Test
    void aModelThatCannotFitIsRefusedInOneLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("huge"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\", \"num_hidden_layers\": 80, \"hidden_size\": 8192,"
                + " \"num_attention_heads\": 64, \"num_key_value_heads\": 8, \"intermediate_size\": 29568, \"vocab_size\": 152064,"
                + " \"max_position_embeddings\": 32768, \"tie_word_embeddings\": false}");
        CliRun r = run("model-info", "--model", dir.toString(), "--prompt-ids", "1,2");
        assertOneLineBadInput(r, "model huge", "needs about", "of Java heap", "of native memory");
    }

    @ParameterizedTest(name = "graph --model {0}: {1} edges")
    @CsvSource({"pythia-70m, 3724, 144", "qwen2.5-0.5b, 80245, 432", "gemma-2-2b, 51026, 416"})
    void graphCountsParallelResidualAndGroupedQueryAttentionModels(String model, int edges, int direct) {
        CliRun r = run("graph", "--model", model, "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"edges\":" + edges), r.out());
        assertTrue(r.out().contains("\"direct_edges\":" + direct), r.out());
    }

    /** A grouped-query model's circuit through the CLI, to EAP-IG's per-query-head edges and back. */
    @Test
    void convertTakesAGroupedQueryModelsCircuitToEapIgAndBack(@TempDir Path dir) throws Exception {
        String model = dev.acdc.patching.testsupport.Fixtures.path("fixtures/qwen2-tiny").toString();
        CliRun d = run("discover", "--task", "greater-than", "--model", model, "--tokenizer",
                dev.acdc.patching.testsupport.Fixtures.path("fixtures/gpt2-tokenizer").toString(), "--offline", "--threshold", "0.01",
                "--out", dir.resolve("acdc").toString());
        assertEquals(0, d.code(), d.err());
        Path eapIg = dir.resolve("eap-ig.json"), back = dir.resolve("back.json");
        CliRun to = run("convert", "--model", model, "--from", dir.resolve("acdc/circuit.json").toString(), "--to", eapIg.toString());
        assertEquals(0, to.code(), to.err());
        assertTrue(Files.readString(eapIg).contains("<k>"));
        CliRun from = run("convert", "--model", model, "--from", eapIg.toString(), "--to", back.toString());
        assertEquals(0, from.code(), from.err());
        var kept = new java.util.TreeSet<String>();
        var keptBack = new java.util.TreeSet<String>();
        for (var e : com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("acdc/circuit.json"))).getAsJsonObject().getAsJsonArray("edges")) {
            if (e.getAsJsonObject().get("kept").getAsBoolean()) kept.add(e.getAsJsonObject().get("edge").getAsString());
        }
        for (var e : com.google.gson.JsonParser.parseString(Files.readString(back)).getAsJsonObject().getAsJsonArray("edges")) {
            if (e.getAsJsonObject().get("kept").getAsBoolean()) keptBack.add(e.getAsJsonObject().get("edge").getAsString());
        }
        assertFalse(kept.isEmpty());
        // ACDC may keep an input's edges without its direct edge, which EAP-IG cannot hold: compare the edges it can
        var holdable = new java.util.TreeSet<String>();
        for (String e : kept) {
            String receiver = e.substring(e.indexOf("->") + 2);
            if (receiver.contains(".hook_")) continue;                                   // a direct edge: below
            boolean headInput = receiver.matches("a\\d+\\.(kv)?\\d+\\.[qkv]");
            if (!headInput || kept.contains(receiver + "->" + receiver.replaceAll("\\.([qkv])$", ".hook_$1"))) holdable.add(e);
        }
        for (String e : kept) {
            String input = e.substring(0, e.indexOf("->"));
            if (e.contains(".hook_") && holdable.stream().anyMatch(h -> h.endsWith("->" + input))) holdable.add(e);
        }
        assertFalse(holdable.isEmpty());
        assertEquals(holdable, keptBack, "what EAP-IG can hold comes back, and nothing else");
    }

}
