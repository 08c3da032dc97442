package dev.acdc.experiments.discover;

import dev.acdc.datasets.induction.InductionModel;
import dev.acdc.experiments.CliRun;
import dev.acdc.patching.testsupport.Fixtures;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * circuit.svg read back as a drawing: node boxes ({@code rect.node}), edge polylines ({@code path} with {@code data-from}
 * and {@code data-to}), and no segment of any edge crosses a box other than its own two ends'.
 */
class CircuitSvgTest {

    @TempDir
    Path tmp;

    private static final String SVG = "http://www.w3.org/2000/svg";

    record Rect(double x, double y, double w, double h) {}

    record Drawing(double width, double height, Map<String, Rect> boxes, List<String[]> edges, List<String[]> classes,
                   List<Element> texts) {}

    static Drawing parse(String svg) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        String[] vb = doc.getDocumentElement().getAttribute("viewBox").split(" ");
        Map<String, Rect> boxes = new HashMap<>();
        NodeList rects = doc.getElementsByTagNameNS(SVG, "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (!r.getAttribute("class").equals("node")) continue;
            boxes.put(r.getAttribute("data-node"), new Rect(d(r, "x"), d(r, "y"), d(r, "width"), d(r, "height")));
        }
        List<String[]> edges = new ArrayList<>(), classes = new ArrayList<>();
        NodeList paths = doc.getElementsByTagNameNS(SVG, "path");
        for (int i = 0; i < paths.getLength(); i++) {
            Element p = (Element) paths.item(i);
            edges.add(new String[] {p.getAttribute("data-from"), p.getAttribute("data-to"), p.getAttribute("d"),
                    p.getElementsByTagNameNS(SVG, "title").item(0).getTextContent()});
            classes.add(new String[] {p.getAttribute("class"), p.getAttribute("stroke"), p.getAttribute("stroke-width")});
        }
        List<Element> texts = new ArrayList<>();
        NodeList t = doc.getElementsByTagNameNS(SVG, "text");
        for (int i = 0; i < t.getLength(); i++) texts.add((Element) t.item(i));
        return new Drawing(Double.parseDouble(vb[2]), Double.parseDouble(vb[3]), boxes, edges, classes, texts);
    }

    private static double d(Element e, String attr) {
        return Double.parseDouble(e.getAttribute(attr));
    }

    /** The polyline's points from an {@code M x y L x y …} path. */
    static List<double[]> points(String d) {
        String[] t = d.trim().split("\\s+");
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < t.length; i += 3) pts.add(new double[] {Double.parseDouble(t[i + 1]), Double.parseDouble(t[i + 2])});
        return pts;
    }

    /** Whether segment a–b passes through the open interior of r (Liang–Barsky clipping). */
    static boolean crosses(double[] a, double[] b, Rect r) {
        double eps = 0.01;
        double x0 = r.x() + eps, x1 = r.x() + r.w() - eps, y0 = r.y() + eps, y1 = r.y() + r.h() - eps;
        double dx = b[0] - a[0], dy = b[1] - a[1];
        double[] p = {-dx, dx, -dy, dy}, q = {a[0] - x0, x1 - a[0], a[1] - y0, y1 - a[1]};
        double t0 = 0, t1 = 1;
        for (int i = 0; i < 4; i++) {
            if (p[i] == 0) {
                if (q[i] < 0) return false;
            } else {
                double t = q[i] / p[i];
                if (p[i] < 0) t0 = Math.max(t0, t);
                else t1 = Math.min(t1, t);
            }
        }
        return t0 < t1;
    }

    /** Every edge segment against every box but its ends': the names of the crossings (none expected). */
    static List<String> crossings(Drawing drawing) {
        List<String> bad = new ArrayList<>();
        for (String[] e : drawing.edges()) {
            List<double[]> pts = points(e[2]);
            for (int i = 0; i + 1 < pts.size(); i++) {
                for (var box : drawing.boxes().entrySet()) {
                    if (box.getKey().equals(e[0]) || box.getKey().equals(e[1])) continue;
                    if (crosses(pts.get(i), pts.get(i + 1), box.getValue())) bad.add(e[3] + " crosses " + box.getKey());
                }
            }
        }
        return bad;
    }

    @Test
    void theIntersectionTestItselfSeesACrossingAndAMiss() {
        Rect r = new Rect(10, 10, 20, 10);
        assertTrue(crosses(new double[] {0, 15}, new double[] {40, 15}, r), "through the middle");
        assertFalse(crosses(new double[] {0, 5}, new double[] {40, 5}, r), "above it");
        assertFalse(crosses(new double[] {20, 0}, new double[] {20, 10}, r), "ending on its edge");
        assertTrue(crosses(new double[] {0, 0}, new double[] {40, 30}, r), "diagonally through it");
    }

    @Test
    void aRealTracrReverseRunDrawsNoEdgeThroughANodeAndKeepsItsTextInsideThePicture() throws Exception {
        Path out = tmp.resolve("reverse");
        CliRun r = CliRun.run("discover", "--task", "tracr-reverse", "--threshold", "1e-3", "--ablation", "resample",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Drawing drawing = parse(Files.readString(out.resolve("circuit.svg")));
        assertTrue(drawing.edges().size() >= 5, "the circuit has edges to route: " + drawing.edges().size());
        assertEquals(List.of(), crossings(drawing));
        assertTextInside(drawing);
        Set<String> labels = new HashSet<>();
        for (Element t : drawing.texts()) labels.add(t.getTextContent());
        assertTrue(labels.contains("layer 0") && labels.contains("layer 2"), "one label per layer: " + labels);
        assertTrue(labels.contains("m0 in") && labels.contains("m0 out"), "the MLP's input and output are told apart: " + labels);
    }

    @Test
    void theInductionModelsWholeGraphRoutesEveryEdgeAroundTheNodes() throws Exception {
        TransformerConfig config = InductionModel.shipped().model().config();
        CircuitGraph graph = CircuitGraph.of(config);
        Circuit all = Circuit.full(graph);
        // half the edges kept, the rest a ground truth's misses: kept and missed edges are both routed
        List<Edge> half = graph.edges().subList(0, graph.edgeCount() / 2);
        Circuit kept = Circuit.ofEdges(graph, half);
        Drawing drawing = parse(CircuitSvg.render(kept, all, "induction, every edge"));
        assertEquals(graph.edgeCount(), drawing.edges().size());
        assertEquals(List.of(), crossings(drawing));
        assertTextInside(drawing);
    }

    @Test
    void mlpsRouteAroundTheNodesToo() throws Exception {
        TransformerConfig gpt2 = TransformerConfig.gpt2Style("tiny", 2, 16, 4, 32, 10, 8, 1e-5);
        Drawing drawing = parse(CircuitSvg.render(Circuit.full(CircuitGraph.of(gpt2)), "tiny"));
        assertEquals(CircuitGraph.of(gpt2).edgeCount(), drawing.edges().size());
        assertEquals(List.of(), crossings(drawing));
    }

    @Test
    void groupedKeyValueHeadsRouteAroundTheNodesAndEveryNodeHasABoxOfItsOwn() throws Exception {
        TransformerConfig qwen = dev.acdc.patching.load.ModelDirectory.load(Fixtures.path("fixtures/qwen2-tiny")).config();
        assertTrue(qwen.nKeyValueHeads() < qwen.nHeads(), "the fixture groups its key/value heads");
        CircuitGraph graph = CircuitGraph.of(qwen);
        Drawing drawing = parse(CircuitSvg.render(Circuit.full(graph), "qwen2-tiny"));
        assertEquals(graph.edgeCount(), drawing.edges().size());
        assertEquals(graph.nodeCount(), drawing.boxes().size());
        assertEquals(List.of(), crossings(drawing));
        List<Rect> boxes = new ArrayList<>(drawing.boxes().values());
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                Rect a = boxes.get(i), b = boxes.get(j);
                boolean overlap = a.x() < b.x() + b.w() && b.x() < a.x() + a.w() && a.y() < b.y() + b.h() && b.y() < a.y() + a.h();
                assertFalse(overlap, "two node boxes overlap: " + a + " " + b);
            }
        }
    }

    @Test
    void aOneHeadModelKeepsALongTitleAndTheLegendInsideThePicture() throws Exception {
        TransformerConfig oneHead = TransformerConfig.gpt2Style("one", 1, 8, 1, 16, 10, 8, 1e-5);
        String title = "tracr-reverse · threshold 0.001 · resample ablation · 14 of 40 edges against the canonical circuit";
        Drawing drawing = parse(CircuitSvg.render(Circuit.full(CircuitGraph.of(oneHead)), title));
        assertTextInside(drawing);
        assertEquals(List.of(), crossings(drawing));
    }

    @Test
    void widthsFollowTheLogarithmOfTheEffectAndKAndQEdgesHaveTheirOwnColours() throws Exception {
        CircuitGraph graph = CircuitGraph.of(TransformerConfig.gpt2Style("tiny", 2, 16, 4, 32, 10, 8, 1e-5));
        double[] scores = new double[graph.edgeCount()];
        Edge q = graph.edge("a0.0->a1.0.q"), k = graph.edge("a0.0->a1.0.k"), v = graph.edge("a0.0->a1.0.v");
        scores[q.id()] = 1e-4;
        scores[k.id()] = 1e-2;
        scores[v.id()] = 1.0;
        Circuit c = Circuit.ofEdges(graph, List.of(q, k, v)).withScores(scores);
        Drawing drawing = parse(CircuitSvg.render(c, "three"));
        Map<String, String[]> byChannel = new HashMap<>();
        for (String[] cls : drawing.classes()) byChannel.put(cls[0].split(" ")[2], cls);
        assertEquals(CircuitSvg.Q_COLOUR, byChannel.get("q")[1]);
        assertEquals(CircuitSvg.K_COLOUR, byChannel.get("k")[1]);
        assertEquals(CircuitSvg.V_COLOUR, byChannel.get("v")[1]);
        double wq = Double.parseDouble(byChannel.get("q")[2]), wk = Double.parseDouble(byChannel.get("k")[2]),
                wv = Double.parseDouble(byChannel.get("v")[2]);
        assertEquals(CircuitSvg.MIN_WIDTH, wq, 1e-9);
        assertEquals(CircuitSvg.MAX_WIDTH, wv, 1e-9);
        assertEquals((CircuitSvg.MIN_WIDTH + CircuitSvg.MAX_WIDTH) / 2, wk, 0.01, "1e-2 lies half way between 1e-4 and 1 in log");
    }

    /** Every text's start and estimated end lie inside the viewBox (7 px per character at the sizes used). */
    private static void assertTextInside(Drawing drawing) {
        for (Element t : drawing.texts()) {
            double x = Double.parseDouble(t.getAttribute("x")), y = Double.parseDouble(t.getAttribute("y"));
            String anchor = t.getAttribute("text-anchor");
            for (org.w3c.dom.Node n = t.getParentNode(); anchor.isEmpty() && n instanceof Element p; n = n.getParentNode()) {
                anchor = p.getAttribute("text-anchor");
            }
            double len = 7.0 * t.getTextContent().length();
            double left = anchor.equals("middle") ? x - len / 2 : x, right = anchor.equals("middle") ? x + len / 2 : x + len;
            assertTrue(left >= 0 && right <= drawing.width() && y > 0 && y <= drawing.height(),
                    "text '" + t.getTextContent() + "' at " + x + "," + y + " outside 0 0 " + drawing.width() + " " + drawing.height());
        }
    }
}
