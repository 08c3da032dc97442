package dev.acdc.experiments.explorer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.CliRun;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The explorer in a real browser (headless Chromium, {@link HeadlessChromium}): the page's script runs, draws what its
 * data says, highlights the false negatives in their colour, honours the view in the URL's fragment, and paints a
 * picture that is not blank. Skipped, saying why, where no Chromium is installed, unless {@code acdc.browser.required}.
 */
class ExplorerBrowserTest {
    @TempDir
    Path tmp;

    /** The false negatives' colour on the page ({@code #c51b8a}), as Cytoscape reports an edge's line colour. */
    private static final String FN_RGB = "rgb(197,27,138)";

    @Test
    void aTracrRunsPageDrawsItsKeptEdgesAndFalseNegativesAndHighlightsTheFalseNegatives() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require();
        Path out = tmp.resolve("reverse");
        CliRun r = CliRun.run("discover", "--task", "tracr-reverse", "--threshold", "1e-3", "--ablation", "resample", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Path page = out.resolve(CircuitExplorer.FILE);
        assertTrue(Files.isRegularFile(page), "discover writes explorer.html beside circuit.json");

        // what circuit.json says the default view must show: the kept edges and the false negatives, and their endpoints
        JsonObject circuit = JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject();
        List<String> falseNegatives = strings(circuit.getAsJsonArray("false_negatives"));
        assertFalse(falseNegatives.isEmpty(), "τ = 1e-3 under resample misses part of the published reverse circuit");
        int shown = 0;
        Set<String> nodes = new HashSet<>();
        for (JsonElement el : circuit.getAsJsonArray("edges")) {
            JsonObject e = el.getAsJsonObject();
            if (!e.get("kept").getAsBoolean() && !e.get("in_ground_truth").getAsBoolean()) continue;
            shown++;
            String[] ends = e.get("edge").getAsString().split("->");
            nodes.add(nodeKey(ends[0], true));
            nodes.add(nodeKey(ends[1], false));
        }
        assertEquals(circuit.get("edges_kept").getAsInt() + falseNegatives.size(), shown);

        String missed = falseNegatives.get(0);
        String dom = chromium.dumpDom(page, "select=" + missed);
        Map<String, String> status = ExplorerPages.elements(dom, "div id=\"status\"").get(0);
        assertEquals("true", status.get("data-ready"), "the page's script ran to the end");
        assertEquals(Integer.toString(shown), status.get("data-edges"));
        assertEquals(Integer.toString(nodes.size()), status.get("data-nodes"));
        assertEquals(circuit.get("edges_total").getAsString(), status.get("data-total-edges"));

        List<Map<String, String>> listed = ExplorerPages.elements(dom, "li class=\"fn\"");
        assertEquals(falseNegatives, listed.stream().map(a -> a.get("data-edge")).toList(), "every false negative listed, in graph order");
        for (Map<String, String> li : listed) {
            assertEquals("true", li.get("data-shown"), li.toString());
            assertEquals(FN_RGB, li.get("data-colour"), "drawn in the false negatives' colour: " + li);
        }
        assertTrue(ExplorerPages.elements(dom, "li class=\"fp\"").isEmpty(), "this run has no false positive");
        String details = ExplorerPages.textBetween(dom, "details", "fp-box");
        assertTrue(details.contains(missed) && details.contains("false negative") && details.contains("published"), details);

        // the picture: the graph pane (left of the 330 px side panel, below the heading, above the status line) is drawn
        // on, and the false negatives' magenta is in it
        Path png = tmp.resolve("explorer.png");
        chromium.screenshot(page, null, png, 1400, 850);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        int x1 = img.getWidth() - 340, y0 = 60, y1 = img.getHeight() - 25;
        double sum = 0, sumSq = 0;
        int n = 0, magenta = 0, blue = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < x1; x++) {
                int rgb = img.getRGB(x, y), red = rgb >> 16 & 255, green = rgb >> 8 & 255, b = rgb & 255;
                double lum = 0.299 * red + 0.587 * green + 0.114 * b;
                sum += lum;
                sumSq += lum * lum;
                n++;
                if (Math.abs(red - 197) < 45 && green < 110 && Math.abs(b - 138) < 50) magenta++;
                if (Math.abs(red - 31) < 45 && Math.abs(green - 119) < 45 && Math.abs(b - 180) < 45) blue++;
            }
        }
        double variance = sumSq / n - (sum / n) * (sum / n);
        assertTrue(variance > 20, "the graph pane is not blank: luminance variance " + variance);
        assertTrue(magenta > 50, "false negatives drawn in magenta: " + magenta + " pixels");
        assertTrue(blue > 50, "kept ground-truth edges drawn in blue: " + blue + " pixels");
    }

    /**
     * GPT-2 small's whole graph (32,923 edges), every edge a candidate, filtered by kind, layer and |effect| as the
     * fragment says: the page draws the cap's worth, the largest |effect| first, on the step the fragment names.
     */
    @Test
    void onGpt2SmallThePageDrawsTheCappedTopFilteredEdgesOfTheChosenStep() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require();
        CircuitGraph g = CircuitGraph.of(Presets.gpt2Small());
        assertEquals(32_923, g.edgeCount());
        Random rnd = new Random(7);
        double[] scores = new double[g.edgeCount()];
        for (int i = 0; i < scores.length; i++) scores[i] = (rnd.nextBoolean() ? 1 : -1) * Math.pow(10, -6 * rnd.nextDouble());
        double[] abs = java.util.Arrays.stream(scores).map(Math::abs).toArray();
        Circuit big = Circuit.topK(g, abs, 3000).withScores(scores), small = Circuit.topK(g, abs, 600).withScores(scores);
        Circuit truth = Circuit.ofIds(g, IntStream.range(0, g.edgeCount()).filter(i -> i % 40 == 0).toArray());
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model", "gpt2-small (synthetic scores)");
        CircuitExplorer.Page p = new CircuitExplorer.Page("gpt2-small", facts, truth, "every 40th edge", "synthetic",
                List.of(new CircuitExplorer.Step("threshold", 1e-3, big), new CircuitExplorer.Step("threshold", 1e-2, small)), 0);
        Path page = tmp.resolve("gpt2.html");
        String html = CircuitExplorer.html(p);
        Files.writeString(page, html);

        // the expected view, from the page's own data: the edges into q, k, v inputs and direct edges with an end in
        // layers 3..5 and |effect| ≥ 1e-3, ordered by |effect| (ties by id), the first 2,000
        JsonObject data = ExplorerPages.data(html);
        assertEquals(0, data.getAsJsonArray("steps").get(1).getAsJsonObject().get("effects_of_step").getAsInt(), "one copy of equal effects");
        JsonArray effects = data.getAsJsonArray("steps").get(0).getAsJsonObject().getAsJsonArray("effects");
        int[] sender = ints(data.getAsJsonArray("edge_sender")), receiver = ints(data.getAsJsonArray("edge_receiver"));
        int[] kind = ints(data.getAsJsonArray("edge_kind"));
        JsonArray nodeData = data.getAsJsonArray("nodes");
        List<String> kinds = strings(data.getAsJsonArray("kinds"));
        Set<String> wanted = Set.of("q", "k", "v", "direct");
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < g.edgeCount(); i++) {
            int ls = nodeData.get(sender[i]).getAsJsonObject().get("layer").getAsInt();
            int lr = nodeData.get(receiver[i]).getAsJsonObject().get("layer").getAsInt();
            if (wanted.contains(kinds.get(kind[i])) && (ls >= 3 && ls <= 5 || lr >= 3 && lr <= 5)
                    && Math.abs(effects.get(i).getAsDouble()) >= 1e-3) {
                matching.add(i);
            }
        }
        matching.sort((a, b) -> {
            int c = Double.compare(Math.abs(effects.get(b).getAsDouble()), Math.abs(effects.get(a).getAsDouble()));
            return c != 0 ? c : Integer.compare(a, b);
        });
        assertTrue(matching.size() > 2000, "the filters leave more than the cap: " + matching.size());
        Set<Integer> nodes = new HashSet<>();
        for (int i : matching.subList(0, 2000)) {
            nodes.add(sender[i]);
            nodes.add(receiver[i]);
        }

        String dom = chromium.dumpDom(page, "step=1&show=all&cap=2000&kinds=q,k,v,direct&from=3&to=5&min=1e-3");
        Map<String, String> status = ExplorerPages.elements(dom, "div id=\"status\"").get(0);
        assertEquals("1", status.get("data-step"));
        assertEquals("32923", status.get("data-total-edges"));
        assertEquals(Integer.toString(matching.size()), status.get("data-matching"));
        assertEquals("2000", status.get("data-edges"));
        assertEquals(Integer.toString(nodes.size()), status.get("data-nodes"));
        int missed = truth.minus(small).edgeCount(), wrong = small.minus(truth).edgeCount();
        assertEquals(Integer.toString(missed), ExplorerPages.textBetween(dom, "fn-count", "fn-list").replaceAll("\\D", ""));
        assertEquals(Integer.toString(wrong), ExplorerPages.textBetween(dom, "fp-count", "fp-list").replaceAll("\\D", ""));
        System.out.println("explorer on gpt2-small: 2,000 of " + matching.size() + " matching edges drawn in " + status.get("data-render-ms") + " ms (virtual time)");
    }

    /** mL names the MLP's output as a sender and its input as a receiver: two nodes. */
    private static String nodeKey(String name, boolean sender) {
        return name.matches("m\\d+") ? name + (sender ? " out" : " in") : name;
    }

    private static List<String> strings(JsonArray a) {
        List<String> s = new ArrayList<>();
        a.forEach(e -> s.add(e.getAsString()));
        return s;
    }

    private static int[] ints(JsonArray a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsInt();
        return r;
    }
}
