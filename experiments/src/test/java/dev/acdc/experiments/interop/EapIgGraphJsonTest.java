package dev.acdc.experiments.interop;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.CliRun;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.load.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class EapIgGraphJsonTest {
    @TempDir
    Path tmp;

    private static final CircuitGraph GPT2 = CircuitGraph.of(Presets.gpt2Small());

    /** A random circuit as EAP-IG can hold it: a direct edge is kept iff an edge into its input is, and scored with their maximum. */
    private static EapIgGraphJson.Circuit randomCircuit(CircuitGraph g, long seed) {
        Random r = new Random(seed);
        double[] scores = new double[g.edgeCount()];
        BitSet kept = new BitSet();
        for (Edge e : g.edges()) {
            if (e.kind() != EdgeKind.ADDITION) continue;
            scores[e.id()] = r.nextGaussian() * Math.pow(10, -r.nextInt(6));
            if (r.nextDouble() < 0.1) kept.set(e.id());
        }
        for (Edge d : g.edges()) {
            if (d.kind() != EdgeKind.DIRECT) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (Edge in : g.inEdges(d.sender())) {
                max = Math.max(max, scores[in.id()]);
                if (kept.get(in.id())) kept.set(d.id());
            }
            scores[d.id()] = max;
        }
        return new EapIgGraphJson.Circuit(scores, kept);
    }

    @Test
    void gpt2SmallHasEapIgsEdgesUnderTheirNames() {
        BitSet all = new BitSet();
        all.set(0, GPT2.edgeCount());
        double[] zeros = new double[GPT2.edgeCount()];
        JsonObject o = JsonParser.parseString(EapIgGraphJson.write(GPT2, new EapIgGraphJson.Circuit(zeros, all))).getAsJsonObject();
        JsonObject cfg = o.getAsJsonObject("cfg");
        assertEquals(12, cfg.get("n_layers").getAsInt());
        assertEquals(12, cfg.get("n_heads").getAsInt());
        assertEquals(768, cfg.get("d_model").getAsInt());
        assertFalse(cfg.get("parallel_attn_mlp").getAsBoolean());
        JsonObject edges = o.getAsJsonObject("edges");
        // MIB's example file circuits/ioi-eap-ig.json holds 32,491 edges: ours less the 432 direct ones
        assertEquals(32_491, edges.size());
        assertEquals(32_923 - 432, edges.size());
        for (String name : new String[] {"a0.h1->a3.h0<k>", "input->a3.h0<k>", "m11->logits", "input->m2", "a11.h11->logits"}) {
            assertTrue(edges.has(name), name);
            assertTrue(edges.getAsJsonObject(name).get("in_graph").getAsBoolean(), name);
        }
        assertEquals(158, o.getAsJsonObject("nodes").size(), "input, 144 heads, 12 MLPs, logits");
    }

    @Test
    void readingWhatWasWrittenGivesTheCircuitBack() {
        for (long seed = 1; seed <= 3; seed++) {
            EapIgGraphJson.Circuit x = randomCircuit(GPT2, seed);
            EapIgGraphJson.Circuit y = EapIgGraphJson.read(EapIgGraphJson.write(GPT2, x), GPT2, "test");
            assertEquals(x.kept(), y.kept());
            assertArrayEquals(x.scores(), y.scores());
        }
    }

    @Test
    void anEdgeIntoAHeadWhoseDirectEdgeIsRemovedIsOutOfTheirGraph() {
        Edge in = GPT2.edge("a0.1->a3.0.k");
        Edge direct = GPT2.edge("a3.0.k->a3.0.hook_k");
        BitSet kept = new BitSet();
        kept.set(in.id());
        double[] scores = new double[GPT2.edgeCount()];
        scores[in.id()] = 0.25;
        JsonObject edges = JsonParser.parseString(EapIgGraphJson.write(GPT2, new EapIgGraphJson.Circuit(scores, kept)))
                .getAsJsonObject().getAsJsonObject("edges");
        assertFalse(edges.getAsJsonObject("a0.h1->a3.h0<k>").get("in_graph").getAsBoolean());
        assertEquals(0.25, edges.getAsJsonObject("a0.h1->a3.h0<k>").get("score").getAsDouble());
        kept.set(direct.id());
        edges = JsonParser.parseString(EapIgGraphJson.write(GPT2, new EapIgGraphJson.Circuit(scores, kept)))
                .getAsJsonObject().getAsJsonObject("edges");
        assertTrue(edges.getAsJsonObject("a0.h1->a3.h0<k>").get("in_graph").getAsBoolean());
    }

    @Test
    void anEdgeTheFileLeavesOutStaysOutWithScoreZeroAndItsDirectEdgeFollows() {
        String file = "{\"cfg\": {\"n_layers\": 12, \"n_heads\": 12, \"parallel_attn_mlp\": false, \"d_model\": 768},"
                + " \"nodes\": {}, \"edges\": {\"a0.h1->a3.h0<k>\": {\"score\": 0.5, \"in_graph\": true}}}";
        EapIgGraphJson.Circuit c = EapIgGraphJson.read(file, GPT2, "f");
        assertEquals(2, c.kept().cardinality());
        assertTrue(c.kept().get(GPT2.edge("a0.1->a3.0.k").id()));
        assertTrue(c.kept().get(GPT2.edge("a3.0.k->a3.0.hook_k").id()));
        assertEquals(0.5, c.scores()[GPT2.edge("a3.0.k->a3.0.hook_k").id()]);
        assertEquals(0.0, c.scores()[GPT2.edge("embed->output").id()]);
    }

    @Test
    void aFileOfAnotherModelOrWithUnknownEdgesOrNonFiniteScoresIsBadInput() {
        String cfg = "\"cfg\": {\"n_layers\": 12, \"n_heads\": 12, \"parallel_attn_mlp\": false, \"d_model\": 768}, \"nodes\": {}";
        assertBad("{\"cfg\": {\"n_layers\": 2, \"n_heads\": 12, \"d_model\": 768}, \"nodes\": {}, \"edges\": {}}", "cfg n_layers is 2");
        assertBad("{" + cfg + ", \"edges\": {\"a12.h0->logits\": {\"score\": 0, \"in_graph\": false}}}", "'a12.h0->logits' is not an edge");
        assertBad("{" + cfg + ", \"edges\": {\"a0.h0->a3.h0\": {\"score\": 0, \"in_graph\": false}}}", "is not an edge");
        assertBad("{" + cfg + ", \"edges\": {\"a0.h0->logits\": {\"score\": NaN, \"in_graph\": false}}}", "expected a finite number");
        assertBad("{" + cfg + ", \"edges\": {\"a0.h0->logits\": {\"score\": 1, \"in_graph\": 1}}}", "expected true or false");
        assertBad("{" + cfg + "}", "missing object \"edges\"");
        assertBad("[1, 2]", "expected a JSON object");
    }

    private static void assertBad(String json, String part) {
        BadInputException e = assertThrows(BadInputException.class, () -> EapIgGraphJson.read(json, GPT2, "f"));
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void anAttentionOnlyModelAcceptsEapIgsMlpEdgesOnlyWhenTheySayNothing() {
        CircuitGraph g = CircuitGraph.of(Presets.attnOnly2l());
        String cfg = "{\"cfg\": {\"n_layers\": 2, \"n_heads\": 8, \"parallel_attn_mlp\": false, \"d_model\": 512}, \"nodes\": {}, \"edges\": {";
        assertEquals(0, EapIgGraphJson.read(cfg + "\"m0->logits\": {\"score\": 0.0, \"in_graph\": false}}}", g, "f").kept().cardinality());
        BadInputException e = assertThrows(BadInputException.class,
                () -> EapIgGraphJson.read(cfg + "\"m0->logits\": {\"score\": 0.1, \"in_graph\": true}}}", g, "f"));
        assertTrue(e.getMessage().contains("has no MLPs"), e.getMessage());
        JsonObject written = JsonParser.parseString(EapIgGraphJson.write(g, randomCircuit(g, 4))).getAsJsonObject();
        assertTrue(written.getAsJsonObject("nodes").keySet().stream().noneMatch(n -> n.startsWith("m")));
    }

    /** discover's circuit.json on tracr-reverse, to EAP-IG's format and back: the same kept edges and effects. */
    @Test
    void convertTakesADiscoverCircuitToEapIgAndBack() throws IOException {
        Path run = tmp.resolve("run");
        CliRun d = CliRun.run("discover", "--task", "tracr-reverse", "--threshold", "1e-3", "--out", run.toString());
        assertEquals(0, d.code(), d.err());
        Path eap = tmp.resolve("eap.json"), back = tmp.resolve("back.json");
        CliRun to = CliRun.run("convert", "--model", "tracr:reverse", "--from", run.resolve("circuit.json").toString(), "--to", eap.toString());
        assertEquals(0, to.code(), to.err());
        JsonObject e = JsonParser.parseString(Files.readString(eap)).getAsJsonObject();
        assertTrue(e.getAsJsonObject("nodes").has("tok_embed"), "tracr's two embeddings keep our names");
        CliRun from = CliRun.run("convert", "--model", "tracr:reverse", "--from", eap.toString(), "--to", back.toString());
        assertEquals(0, from.code(), from.err());
        var original = JsonParser.parseString(Files.readString(run.resolve("circuit.json"))).getAsJsonObject().getAsJsonArray("edges");
        var converted = JsonParser.parseString(Files.readString(back)).getAsJsonObject().getAsJsonArray("edges");
        assertEquals(original.size(), converted.size());
        int kept = 0;
        for (int i = 0; i < original.size(); i++) {
            JsonObject a = original.get(i).getAsJsonObject(), b = converted.get(i).getAsJsonObject();
            assertEquals(a.get("edge").getAsString(), b.get("edge").getAsString());
            assertEquals(a.get("kept").getAsBoolean(), b.get("kept").getAsBoolean(), a.get("edge").getAsString());
            if (a.get("kept").getAsBoolean()) kept++;
            if (a.get("type").getAsString().equals("addition") && !a.get("effect").isJsonNull()) {
                assertEquals(a.get("effect").getAsDouble(), b.get("effect").getAsDouble(), 0.0, a.get("edge").getAsString());
            }
        }
        assertTrue(kept > 0, "not vacuous");
    }

    @Test
    void convertRefusesADirectoryTargetAndItsOwnSource() throws IOException {
        Path f = Files.writeString(tmp.resolve("x.json"), "{}");
        CliRun dir = CliRun.run("convert", "--model", "gpt2-small", "--from", f.toString(), "--to", tmp.toString());
        assertEquals(2, dir.code());
        assertTrue(dir.err().contains("is a directory"), dir.err());
        CliRun same = CliRun.run("convert", "--model", "gpt2-small", "--from", f.toString(), "--to", f.toString());
        assertEquals(2, same.code());
        CliRun neither = CliRun.run("convert", "--model", "gpt2-small", "--from", f.toString(), "--to", tmp.resolve("y.json").toString());
        assertEquals(2, neither.code());
        assertTrue(neither.err().contains("expected discover's circuit.json"), neither.err());
        assertFalse(Files.exists(tmp.resolve("y.json")), "nothing written");
        assertEquals(1, Arrays.stream(neither.err().strip().split("\n")).count());
    }

    private static CircuitGraph fixtureGraph(String name) {
        return CircuitGraph.of(dev.acdc.patching.load.ModelDirectory.load(dev.acdc.patching.testsupport.Fixtures.path("fixtures/" + name)).config());
    }

    /**
     * Grouped key/value heads, as MIB runs Qwen-2.5 and Gemma-2 (TransformerLens's ungroup_grouped_query_attention): k
     * and v edges per query head. EAP-IG's edge count of a sequential model, Σ over receivers of their senders:
     * 3H·Σ_l (1 + l(H + 1)) + Σ_l (1 + l(H + 1) + H) + 1 + L(H + 1); qwen2.5-0.5b (L 24, H 14): 174,888 + 4,500 + 361.
     */
    @Test
    void aGroupedModelHasEapIgsPerQueryHeadEdges() {
        CircuitGraph g = CircuitGraph.of(Presets.byName("qwen2.5-0.5b").orElseThrow());
        BitSet all = new BitSet();
        all.set(0, g.edgeCount());
        JsonObject o = JsonParser.parseString(EapIgGraphJson.write(g, new EapIgGraphJson.Circuit(new double[g.edgeCount()], all)))
                .getAsJsonObject();
        JsonObject edges = o.getAsJsonObject("edges");
        assertEquals(179_749, edges.size());
        // group 1 of layer 3 is query heads 7..13: each has its own k and v edge from the embedding
        for (int h = 0; h < 14; h++) assertTrue(edges.has("input->a3.h" + h + "<k>") && edges.has("a0.h2->a3.h" + h + "<v>"), "head " + h);
        assertEquals(14, o.getAsJsonObject("cfg").get("n_heads").getAsInt());
    }

    /** The fixtures have n = 2 query heads per group: each head's half of the group's score adds back exactly. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"qwen2-tiny", "gemma2-tiny", "llama-tiny"})
    void aGroupedModelsCircuitSurvivesExportAndImport(String fixture) {
        CircuitGraph g = fixtureGraph(fixture);
        assertTrue(g.config().nKeyValueHeads() < g.config().nHeads());
        for (long seed = 1; seed <= 3; seed++) {
            EapIgGraphJson.Circuit x = randomCircuit(g, seed);
            String written = EapIgGraphJson.write(g, x);
            EapIgGraphJson.Circuit y = EapIgGraphJson.read(written, g, "test");
            assertEquals(x.kept(), y.kept());
            assertArrayEquals(x.scores(), y.scores());
            // the group's score is split over its two heads
            Edge k = g.edge("embed->a1.kv1.k");
            JsonObject edges = JsonParser.parseString(written).getAsJsonObject().getAsJsonObject("edges");
            assertEquals(x.scores()[k.id()] / 2, edges.getAsJsonObject("input->a1.h3<k>").get("score").getAsDouble());
            assertEquals(x.scores()[k.id()] / 2, edges.getAsJsonObject("input->a1.h2<k>").get("score").getAsDouble());
        }
    }

    /** qwen2.5-0.5b has 7 query heads per group: the sum of sevenths gives the score back within rounding. */
    @Test
    void sevenHeadsPerGroupGiveTheScoreBackWithinRounding() {
        CircuitGraph g = CircuitGraph.of(Presets.byName("qwen2.5-0.5b").orElseThrow());
        EapIgGraphJson.Circuit x = randomCircuit(g, 9);
        EapIgGraphJson.Circuit y = EapIgGraphJson.read(EapIgGraphJson.write(g, x), g, "test");
        assertEquals(x.kept(), y.kept());
        for (int i = 0; i < g.edgeCount(); i++) assertEquals(x.scores()[i], y.scores()[i], 1e-15 * Math.abs(x.scores()[i]), g.edge(i).name());
    }

    @Test
    void headsOfOneGroupThatDisagreeOrAreMissingAreBadInput() {
        CircuitGraph g = fixtureGraph("qwen2-tiny");
        BitSet all = new BitSet();
        all.set(0, g.edgeCount());
        String written = EapIgGraphJson.write(g, new EapIgGraphJson.Circuit(new double[g.edgeCount()], all));
        JsonObject o = JsonParser.parseString(written).getAsJsonObject();
        o.getAsJsonObject("edges").getAsJsonObject("input->a1.h3<v>").addProperty("in_graph", false);
        BadInputException ex = assertThrows(BadInputException.class, () -> EapIgGraphJson.read(o.toString(), g, "f.json"));
        assertTrue(ex.getMessage().contains("input->a1.h2<v>") && ex.getMessage().contains("input->a1.h3<v>")
                && ex.getMessage().contains("embed->a1.kv1.v") && !ex.getMessage().contains("\n"), ex.getMessage());
        JsonObject p = JsonParser.parseString(written).getAsJsonObject();
        p.getAsJsonObject("edges").remove("a0.h1->a1.h0<k>");
        ex = assertThrows(BadInputException.class, () -> EapIgGraphJson.read(p.toString(), g, "f.json"));
        assertTrue(ex.getMessage().contains("1 of the 2") && ex.getMessage().contains("a0.1->a1.kv0.k"), ex.getMessage());
    }
}
