package dev.acdc.experiments.explorer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.load.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class CircuitExplorerTest {
    private static final CircuitGraph G = CircuitGraph.of(Presets.attnOnly2l());   // 305 edges

    private static double[] scores(int seed) {
        java.util.Random r = new java.util.Random(seed);
        double[] s = new double[G.edgeCount()];
        for (int i = 0; i < s.length; i++) s[i] = r.nextGaussian() * 1e-3;
        s[7] = Double.NaN;   // an edge ACDC never tested
        return s;
    }

    private static CircuitExplorer.Page page(String title, List<CircuitExplorer.Step> steps, Circuit truth) {
        return new CircuitExplorer.Page(title, Map.of("task", "t"), truth, truth == null ? null : "canonical", "effect", steps, 0);
    }

    @Test
    void theDataNamesEveryTestedEdgeAsTheGraphDoesWithItsKind() {
        Circuit kept = Circuit.ofIds(G, 0, 3, 300).withScores(scores(1));
        Circuit truth = Circuit.ofIds(G, 3, 4);
        JsonObject d = ExplorerPages.data(CircuitExplorer.html(page("p", List.of(new CircuitExplorer.Step("threshold", 0.1, kept)), truth)));
        JsonArray nodes = d.getAsJsonArray("nodes");
        JsonArray sender = d.getAsJsonArray("edge_sender"), receiver = d.getAsJsonArray("edge_receiver"), kind = d.getAsJsonArray("edge_kind");
        assertEquals(G.edgeCount(), sender.size());
        List<String> kinds = new ArrayList<>();
        d.getAsJsonArray("kinds").forEach(k -> kinds.add(k.getAsString()));
        int direct = 0;
        for (Edge e : G.edges()) {
            String name = nodes.get(sender.get(e.id()).getAsInt()).getAsJsonObject().get("name").getAsString() + "->"
                    + nodes.get(receiver.get(e.id()).getAsInt()).getAsJsonObject().get("name").getAsString();
            assertEquals(e.name(), name);
            String k = kinds.get(kind.get(e.id()).getAsInt());
            if (k.equals("direct")) direct++;
            String expected = e.receiver().name().endsWith(".q") ? "q" : e.receiver().name().endsWith(".k") ? "k"
                    : e.receiver().name().endsWith(".v") ? "v" : e.receiver().name().equals("output") ? "output" : null;
            if (!k.equals("direct")) assertEquals(expected, k, e.name());
        }
        assertEquals(G.directEdgeCount(), direct);
        assertEquals("[3,4]", d.get("in_ground_truth").toString());
        JsonObject step = d.getAsJsonArray("steps").get(0).getAsJsonObject();
        assertEquals("[0,3,300]", step.get("kept").toString());
        assertEquals(0.5, step.get("tpr").getAsDouble(), 1e-12, "one of the two ground-truth edges kept");
        assertTrue(step.getAsJsonArray("effects").get(7).isJsonNull(), "an untested edge has no effect");
        assertEquals(scores(1)[5], step.getAsJsonArray("effects").get(5).getAsDouble(), Math.abs(scores(1)[5]) * 1e-5,
                "effects to six significant digits");
        // the layout: the output above every layer, the embedding below
        double outputY = Double.NaN, embedY = Double.NaN, a1Y = Double.NaN;
        for (var n : nodes) {
            JsonObject o = n.getAsJsonObject();
            switch (o.get("name").getAsString()) {
                case "output" -> outputY = o.get("y").getAsDouble();
                case "embed" -> embedY = o.get("y").getAsDouble();
                case "a1.0" -> a1Y = o.get("y").getAsDouble();
                default -> { }
            }
        }
        assertTrue(outputY < a1Y && a1Y < embedY, outputY + " " + a1Y + " " + embedY);
        assertEquals(CircuitExplorer.DEFAULT_CAP, d.get("default_cap").getAsInt());
    }

    @Test
    void stepsWithTheSameEffectsShareOneCopyAndOthersCarryTheirOwn() {
        double[] s = scores(2);
        List<CircuitExplorer.Step> steps = List.of(
                new CircuitExplorer.Step("threshold", 1e-4, Circuit.atLeast(G, s, 1e-4)),
                new CircuitExplorer.Step("threshold", 1e-3, Circuit.atLeast(G, s, 1e-3)),
                new CircuitExplorer.Step("threshold", 1e-3, Circuit.atLeast(G, scores(3), 1e-3)),
                new CircuitExplorer.Step("k", 4, Circuit.ofIds(G, 1, 2)));
        JsonArray out = ExplorerPages.data(CircuitExplorer.html(page("p", steps, null))).getAsJsonArray("steps");
        assertTrue(out.get(0).getAsJsonObject().has("effects"));
        assertEquals(0, out.get(1).getAsJsonObject().get("effects_of_step").getAsInt());
        assertTrue(out.get(2).getAsJsonObject().has("effects"), "other scores: their own copy");
        assertFalse(out.get(3).getAsJsonObject().has("effects") || out.get(3).getAsJsonObject().has("effects_of_step"),
                "a circuit without scores has no effects");
        assertEquals("k 4: 2 edges", out.get(3).getAsJsonObject().get("label").getAsString());
        assertTrue(out.get(1).getAsJsonObject().get("tpr").isJsonNull(), "no ground truth, no TPR");
    }

    @Test
    void aTitleThatClosesTheScriptElementCannotBreakOutOfIt() {
        String evil = "</script><script>alert('x')</script><!--";
        String html = CircuitExplorer.html(page(evil, List.of(new CircuitExplorer.Step("threshold", 0, Circuit.full(G))), null));
        // three script elements: the data, Cytoscape, the explorer; nothing from the title adds a fourth
        assertEquals(3, html.split("</script>", -1).length - 1);
        assertEquals(3, html.split("<script", -1).length - 1);
        assertFalse(html.contains("<!--"));
        assertTrue(html.contains("<title>&lt;/script&gt;&lt;script&gt;alert('x')&lt;/script&gt;&lt;!--</title>"), "the title escaped");
        assertEquals(evil, ExplorerPages.data(html).get("title").getAsString(), "and intact in the data");
    }

    @Test
    void aScriptHoldingAClosingTagIsRefusedRatherThanInlined() {
        assertThrows(IllegalStateException.class, () -> CircuitExplorer.scriptBody("var s = '</SCRIPT>';", "x.js"));
        assertThrows(IllegalStateException.class, () -> CircuitExplorer.scriptBody("a <!-- b", "x.js"));
        assertEquals("var a = 1 < 2;", CircuitExplorer.scriptBody("var a = 1 < 2;", "x.js"));
    }

    @Test
    void thePageIsSelfContainedAndTheSameInputGivesTheSameBytes() throws Exception {
        CircuitExplorer.Page p = page("p", List.of(new CircuitExplorer.Step("threshold", 1e-3, Circuit.atLeast(G, scores(4), 0))),
                Circuit.ofIds(G, 1));
        String a = CircuitExplorer.html(p), b = CircuitExplorer.html(p);
        assertEquals(a, b);
        assertTrue(a.contains("cf.version=\"" + CircuitExplorer.CYTOSCAPE_VERSION + "\""), "Cytoscape.js inlined, the version named");
        // nothing is fetched at view time: outside the library, no src=, href=, url( or http
        String library;
        try (InputStream in = CircuitExplorer.class.getResourceAsStream("cytoscape.min.js")) {
            library = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(a.contains(library), "the library inlined whole");
        String ours = a.replace(library, "");
        for (String fetch : List.of("src=", "href=", "url(", "http:", "https:", "import(", "fetch(", "XMLHttpRequest")) {
            assertFalse(ours.contains(fetch), "the page's own parts load nothing: " + fetch);
        }
        try (InputStream lic = CircuitExplorer.class.getResourceAsStream("cytoscape.LICENSE")) {
            assertNotNull(lic, "the licence is vendored beside the library");
            assertTrue(new String(lic.readAllBytes()).contains("Permission is hereby granted, free of charge"));
        }
    }

    @Test
    void theVendoredLibraryIsTheReleasedFileUnchanged() throws Exception {
        byte[] js;
        try (InputStream in = CircuitExplorer.class.getResourceAsStream("cytoscape.min.js")) {
            js = in.readAllBytes();
        }
        String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(js));
        assertEquals("71fa9ebec21a7ca2c40cff6aacc30d1f6464e363662ad4b2c197e1adc770cd94", digest,
                "cytoscape@" + CircuitExplorer.CYTOSCAPE_VERSION + "'s dist/cytoscape.min.js from npm");
    }

    @Test
    void aSweepOpensOnTheCircuitWithTheLargestTprMinusFpr() {
        Circuit truth = Circuit.ofIds(G, 1, 2, 3, 4);
        List<SweepPoint> points = List.of(
                new SweepPoint("threshold", 1e-5, Circuit.ofIds(G, IntStream.range(0, 200).toArray())),  // TPR 1, FPR high
                new SweepPoint("threshold", 1e-4, Circuit.ofIds(G, 1, 2, 3, 9)),                          // TPR .75, one FP
                new SweepPoint("threshold", 1e-3, Circuit.ofIds(G, 1, 2, 3)),                             // TPR .75, FPR 0
                new SweepPoint("threshold", 1e-2, Circuit.ofIds(G, 1, 2, 5)));                            // equal or worse
        assertEquals(2, CircuitExplorer.sweep("s", Map.of(), truth, "t", "acdc", points).initialStep());
        assertEquals(0, CircuitExplorer.sweep("s", Map.of(), null, null, "acdc", points).initialStep(), "no ground truth: the first");
        assertTrue(CircuitExplorer.effectMeaning("sp").startsWith("none"), "SP scores components, not edges");
    }

    @Test
    void aPageRefusesCircuitsOverDifferentGraphs() {
        CircuitGraph other = CircuitGraph.of(Presets.attnOnly4l());
        assertThrows(IllegalArgumentException.class, () -> page("p", List.of(
                new CircuitExplorer.Step("threshold", 1, Circuit.full(G)), new CircuitExplorer.Step("threshold", 2, Circuit.full(other))), null));
        assertThrows(IllegalArgumentException.class, () -> page("p", List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> page("p", List.of(new CircuitExplorer.Step("threshold", 1, Circuit.full(G))),
                Circuit.full(other)));
    }

    @ParameterizedTest
    @CsvSource({
            "tracr-reverse, l2, resample, acdc, cells/tracr-reverse-l2-resample-acdc/explorer.html",
            "tracr-proportion:acdc-code, l2, zero, eap-ig, cells/tracr-proportion-acdc-code-l2-zero-eap-ig/explorer.html",
            "file:/tmp/my task.jsonl, kl_div, resample, sp, cells/file-tmp-my-task.jsonl-kl_div-resample-sp/explorer.html"})
    void reproduceCellPagesHavePortablePaths(String task, String metric, String ablation, String method, String path) {
        assertEquals(path, CircuitExplorer.cellPage(task, metric, ablation, method));
    }

    @Test
    void numbersInLabelsAreShort() {
        assertEquals("0.001", CircuitExplorer.shortNumber(1e-3));
        assertEquals("1.000e-05", CircuitExplorer.shortNumber(1e-5));
        assertEquals("0.3162", CircuitExplorer.shortNumber(Math.sqrt(0.1)));
        assertEquals("0", CircuitExplorer.shortNumber(0));
        assertEquals("-2.5", CircuitExplorer.shortNumber(-2.5));
    }
}
