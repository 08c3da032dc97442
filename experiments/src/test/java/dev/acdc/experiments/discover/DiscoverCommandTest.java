package dev.acdc.experiments.discover;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class DiscoverCommandTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void installFakeTask() {
        TaskSource.use(FakeTasks.source());
    }

    @AfterEach
    void restoreRegistry() {
        TaskSource.use(null);
    }

    @Test
    void discoverWritesJsonDotAndSvgAndPrintsAJsonLineWithTheKeys() throws IOException {
        Path out = tmp.resolve("run");
        CliRun r = run("discover", "--task", FakeTasks.NAME, "--method", "acdc", "--threshold", "0.01",
                "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject line = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        for (String k : new String[] {"task", "method", "threshold", "edges_kept", "edges_total", "metric_value", "tpr",
                "fpr", "seconds", "smoke_run"}) {
            assertTrue(line.has(k), "missing key " + k + ": " + r.out());
        }
        assertEquals(FakeTasks.NAME, line.get("task").getAsString());
        assertTrue(line.get("smoke_run").getAsBoolean());
        assertEquals(line.get("metric_value").getAsDouble(), line.get("metric_final").getAsDouble(), 0.0, "metric_value is an alias");
        for (String f : new String[] {"circuit.json", "circuit.dot", "circuit.svg", "journal.txt"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
        JsonObject c = JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject();
        int total = c.get("edges_total").getAsInt();
        JsonArray edges = c.getAsJsonArray("edges");
        assertEquals(total, edges.size());
        long kept = 0;
        for (var e : edges) if (e.getAsJsonObject().get("kept").getAsBoolean()) kept++;
        assertEquals(c.get("edges_kept").getAsInt(), kept);
        assertEquals(line.get("edges_kept").getAsInt(), kept);
        assertEquals("canonical", c.get("ground_truth").getAsString());
        assertEquals(c.get("metric_final").getAsDouble(), line.get("metric_final").getAsDouble(), 0.0, "the same name, the same value");
        assertEquals(c.get("metric_full").getAsDouble(), line.get("metric_full").getAsDouble(), 0.0);
        assertEquals("kl_div", c.get("metric").getAsString());
        assertEquals("resample", c.getAsJsonObject("options").get("ablation").getAsString());
        double tpr = c.get("tpr").getAsDouble(), fpr = c.get("fpr").getAsDouble();
        assertTrue(tpr >= 0 && tpr <= 1 && fpr >= 0 && fpr <= 1);
        assertTrue(Files.readString(out.resolve("circuit.dot")).startsWith("digraph"));
    }

    @Test
    void theSvgIsWellFormedXmlWithOnePathPerKeptEdge() throws Exception {
        Path out = tmp.resolve("svg");
        CliRun r = run("discover", "--task", FakeTasks.NAME, "--threshold", "0.003", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        int kept = JsonParser.parseString(r.out().strip()).getAsJsonObject().get("edges_kept").getAsInt();
        assertTrue(kept > 0, "the fake task keeps some edges at this threshold");
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(out.resolve("circuit.svg").toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        NodeList paths = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path");
        int edges = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            String cls = ((Element) paths.item(i)).getAttribute("class");
            if (cls.startsWith("edge ")) edges++;
        }
        assertEquals(kept, edges);
    }

    @Test
    void everyEdgeSaysWhetherItIsInTheGroundTruthAndTheErrorsAreListedAndDrawn() throws Exception {
        Path out = tmp.resolve("truth");
        CliRun r = run("discover", "--task", FakeTasks.NAME, "--threshold", "0.003", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject c = JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject();
        java.util.List<String> truth = new FakeTasks.FakeTask().groundTruths().get("canonical");
        java.util.List<String> fp = new java.util.ArrayList<>(), fn = new java.util.ArrayList<>();
        int truePositives = 0;
        for (var el : c.getAsJsonArray("edges")) {
            JsonObject e = el.getAsJsonObject();
            String name = e.get("edge").getAsString();
            boolean kept = e.get("kept").getAsBoolean(), inTruth = e.get("in_ground_truth").getAsBoolean();
            assertEquals(truth.contains(name), inTruth, name);
            if (kept && !inTruth) fp.add(name);
            if (!kept && inTruth) fn.add(name);
            if (kept && inTruth) truePositives++;
        }
        assertFalse(fp.isEmpty() || fn.isEmpty(), "the fake task's circuit has both kinds of error at this threshold: " + c);
        assertEquals(fp, names(c.getAsJsonArray("false_positives")));
        assertEquals(fn, names(c.getAsJsonArray("false_negatives")));
        assertEquals((double) truePositives / truth.size(), c.get("tpr").getAsDouble(), 1e-12);

        String dot = Files.readString(out.resolve("circuit.dot"));
        assertEquals(fp.size(), dot.lines().filter(l -> l.contains("class=\"false-positive\"") && l.contains("style=dashed")).count(), dot);
        assertEquals(fn.size(), dot.lines().filter(l -> l.contains("class=\"false-negative\"") && l.contains("style=dotted")).count(), dot);
        assertTrue(dot.contains(CircuitDot.TRUTH_LEGEND), "a legend line");

        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(out.resolve("circuit.svg").toFile());
        NodeList paths = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path");
        int fpPaths = 0, fnPaths = 0;
        for (int i = 0; i < paths.getLength(); i++) {
            String cls = ((Element) paths.item(i)).getAttribute("class");
            if (cls.startsWith("edge ") && cls.contains("false-positive")) fpPaths++;
            if (cls.equals("missed false-negative")) fnPaths++;
        }
        assertEquals(fp.size(), fpPaths);
        assertEquals(fn.size(), fnPaths);
        assertTrue(Files.readString(out.resolve("circuit.svg")).contains("false negative"), "the legend names them");
    }

    private static java.util.List<String> names(JsonArray a) {
        java.util.List<String> l = new java.util.ArrayList<>();
        for (var e : a) l.add(e.getAsString());
        return l;
    }

    @Test
    void aRedirectedRunPrintsPlainProgressLinesWithAnEstimate() {
        CliRun r = run("discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", tmp.resolve("p").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches(
                "discover: receivers \\d+/\\d+ \\(edges kept \\d+, tested \\d+\\), elapsed \\d+:\\d\\d, ETA \\d+:\\d\\d")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("discover: receivers done: ") && l.contains("elapsed")), r.err());
        assertFalse(r.err().contains("\r"), "no carriage returns in a log");
        assertTrue(r.err().lines().count() <= 4, "a fast run prints the first lines and the last, not one per receiver: " + r.err());
    }

    @Test
    void summaryLineNamesTaskThresholdEdgesAndRoc() {
        CliRun r = run("discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", tmp.resolve("s").toString(),
                "--metric", "l2", "--ablation", "zero", "--ground-truth", "into-output", "--sender-order", "heads-ascending");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains(FakeTasks.NAME) && r.out().contains("τ=0.01") && r.out().contains("TPR")
                && r.out().contains("FPR") && r.out().contains("l2") && r.out().contains("[smoke run]"), r.out());
    }

    @Test
    void resumeReplaysTheJournalToTheSameCircuit() throws IOException {
        Path out = tmp.resolve("resume");
        String[] args = {"discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", out.toString(), "--json"};
        CliRun first = run(args);
        assertEquals(0, first.code(), first.err());
        String circuit = edgesOf(out);
        CliRun again = run(concat(args, "--resume"));
        assertEquals(0, again.code(), again.err());
        assertEquals(circuit, edgesOf(out));
    }

    @Test
    void aDirectoryWithAPreviousJournalIsRefusedWithoutResumeOrForceAndReplacedWithForce() throws IOException {
        Path out = tmp.resolve("again");
        String[] args = {"discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", out.toString(), "--json"};
        assertEquals(0, run(args).code());
        byte[] journal = Files.readAllBytes(out.resolve("journal.txt"));
        byte[] circuit = Files.readAllBytes(out.resolve("circuit.json"));
        java.util.List<String> before;
        try (var s = Files.list(out)) {
            before = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        String[] otherThreshold = args.clone();
        otherThreshold[4] = "0.1";
        CliRun refused = run(otherThreshold);
        assertEquals(AcdcCli.EXIT_BAD_INPUT, refused.code(), refused.out() + refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("--resume") && refused.err().contains("--force") && refused.err().contains("journal"), refused.err());
        assertEquals("", refused.out());
        assertArrayEquals(journal, Files.readAllBytes(out.resolve("journal.txt")), "nothing written");
        assertArrayEquals(circuit, Files.readAllBytes(out.resolve("circuit.json")), "nothing written");
        try (var s = Files.list(out)) {
            assertEquals(before, s.map(p -> p.getFileName().toString()).sorted().toList(), "no file added or removed");
        }

        CliRun both = run(concat(concat(otherThreshold, "--force"), "--resume"));
        assertEquals(AcdcCli.EXIT_BAD_INPUT, both.code(), both.out() + both.err());
        assertEquals(1, both.err().strip().lines().count(), both.err());

        CliRun forced = run(concat(otherThreshold, "--force"));
        assertEquals(0, forced.code(), forced.err());
        assertEquals(0.1, JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject().get("threshold").getAsDouble());
        assertFalse(java.util.Arrays.equals(journal, Files.readAllBytes(out.resolve("journal.txt"))), "a new journal");
    }

    private static String edgesOf(Path out) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject().get("edges").toString();
    }

    private static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "--task, nope, fake-tiny",
            "--metric, logit_diff, kl_div",
            "--ablation, shuffle, mean-per-position",
            "--ground-truth, published, canonical",
            "--method, sp, acdc",
            "--sender-order, random, heads-ascending",
            "--threshold, -0.5, ≥ 0",
    })
    void badInputExitsTwoWithOneLineAndWritesNothing(String flag, String value, String allowed) throws IOException {
        Path out = tmp.resolve("bad");
        String[] base = {"discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", out.toString()};
        String[] args = concat(concat(base, flag), value);   // picocli: the last value of a repeated option wins
        if (flag.equals("--task") || flag.equals("--threshold")) {
            args = base.clone();
            args[java.util.Arrays.asList(base).indexOf(flag) + 1] = value;
        }
        CliRun r = run(args);
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(flag) && r.err().contains(value) && r.err().contains(allowed), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }
}
