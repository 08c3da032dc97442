package dev.acdc.experiments.discover;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class RocCommandTest {
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
    void rocOnThreeThresholdsWritesCsvPngAndAucJsonWithAucsInTheUnitInterval() throws Exception {
        Path out = tmp.resolve("roc");
        CliRun r = run("roc", "--task", FakeTasks.NAME, "--methods", "acdc", "--thresholds", "0.001,0.01,0.1",
                "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("roc: method 1/1 acdc"), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("roc: method done: 1/1, acdc, elapsed ")), r.err());

        List<String> csv = Files.readAllLines(out.resolve("roc.csv"));
        assertEquals("method,parameter,value,edges_kept,fpr,tpr,node_fpr,node_tpr", csv.get(0));
        assertEquals(4, csv.size(), String.join("\n", csv));
        int prevKept = Integer.MAX_VALUE;
        for (String row : csv.subList(1, csv.size())) {
            String[] f = row.split(",");
            assertEquals("acdc", f[0]);
            assertEquals("threshold", f[1]);
            int kept = Integer.parseInt(f[3]);
            assertTrue(kept <= prevKept, "a higher threshold keeps no more edges: " + row);
            prevKept = kept;
            for (int i = 4; i <= 7; i++) {
                double v = Double.parseDouble(f[i]);
                assertTrue(v >= 0 && v <= 1, row);
            }
        }

        // the sweep's circuits, browsable: one explorer page per method, one step per threshold
        JsonObject explorer = dev.acdc.experiments.explorer.ExplorerPages.data(out.resolve("explorer-acdc.html"));
        assertEquals(3, explorer.getAsJsonArray("steps").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(Integer.parseInt(csv.get(i + 1).split(",")[3]),
                    explorer.getAsJsonArray("steps").get(i).getAsJsonObject().getAsJsonArray("kept").size(), "step " + i + " is row " + (i + 1));
        }

        BufferedImage png = ImageIO.read(out.resolve("roc.png").toFile());
        assertNotNull(png, "roc.png is a PNG");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        var svgParser = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        svgParser.setNamespaceAware(true);
        svgParser.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        org.w3c.dom.Document svg = svgParser.newDocumentBuilder().parse(out.resolve("roc.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getLocalName(), "roc.svg beside the PNG");
        assertEquals(2 * RocPlot.PANEL_WIDTH, png.getWidth(), "an edge panel and a node panel");

        JsonObject file = JsonParser.parseString(Files.readString(out.resolve("auc.json"))).getAsJsonObject();
        JsonObject line = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        for (String k : new String[] {"auc.acdc.edge", "auc.acdc.node", "auc.acdc.edge_trapezoid", "auc.acdc.node_trapezoid"}) {
            double v = file.get(k).getAsDouble();
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
            assertEquals(v, line.get(k).getAsDouble(), 1e-12, k);
        }
    }

    @Test
    void thresholdRangeIsLogSpaced() {
        double[] t = RocCommand.parseRange("1e-5:1e-1:5");
        assertArrayEquals(new double[] {1e-5, 1e-4, 1e-3, 1e-2, 1e-1}, t, 1e-15);
    }

    @Test
    void defaultSweepIsTheTasksAndTheSummaryNamesTheAucs() throws Exception {
        Path out = tmp.resolve("default");
        CliRun r = run("roc", "--task", FakeTasks.NAME, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(4, Files.readAllLines(out.resolve("roc.csv")).size());
        assertTrue(r.out().contains("edge AUC") && r.out().contains("node AUC"), r.out());
    }

    @Test
    void badRangeOrUnknownMethodExitsTwoAndWritesNothing() {
        Path out = tmp.resolve("bad");
        CliRun range = run("roc", "--task", FakeTasks.NAME, "--threshold-range", "0:1:3", "--out", out.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, range.code(), range.err());
        assertTrue(range.err().contains("--threshold-range '0:1:3'") && range.err().contains("LO:HI:N"), range.err());
        CliRun method = run("roc", "--task", FakeTasks.NAME, "--methods", "acdc,magic", "--out", out.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, method.code(), method.err());
        assertEquals(1, method.err().strip().lines().count(), method.err());
        assertTrue(method.err().contains("--methods 'magic'") && method.err().contains("acdc"), method.err());
        assertFalse(Files.exists(out));
    }
    @Test
    void aRedirectedRunOfSeveralMethodsPrintsPlainProgressLinesWithAnEstimate() throws Exception {
        CliRun r = run("roc", "--task", FakeTasks.NAME, "--methods", "hisp,eap,eap-ig", "--metric", "l2", "--out",
                tmp.resolve("three").toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("roc: method")).toList();
        assertTrue(lines.get(0).matches("roc: method 1/3 hisp.*, elapsed \\d+:\\d\\d, ETA \\?"), lines.toString());
        assertTrue(lines.get(1).matches("roc: method 2/3 eap.*, elapsed \\d+:\\d\\d, ETA \\d+:\\d\\d"), "the first line with an estimate: " + lines);
        assertTrue(lines.get(lines.size() - 1).startsWith("roc: method done: 3/3, hisp, eap, eap-ig, elapsed "), lines.toString());
        assertFalse(r.err().contains("\r"), "no carriage returns in a log");
    }

    @Test
    void eapGradientIsRecordedAndABadValueExitsTwoAndWritesNothing() throws Exception {
        Path out = tmp.resolve("eap");
        CliRun r = run("roc", "--task", FakeTasks.NAME, "--methods", "eap", "--metric", "l2", "--eap-gradient", "mean",
                "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject line = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals("mean", line.get("eap_gradient").getAsString());
        double auc = line.get("auc.eap.edge").getAsDouble();
        assertTrue(auc >= 0 && auc <= 1, "AUC " + auc);
        List<String> csv = Files.readAllLines(out.resolve("roc.csv"));
        assertTrue(csv.get(1).startsWith("eap,threshold,"), csv.get(1));

        Path bad = tmp.resolve("bad-eap");
        CliRun wrong = run("roc", "--task", FakeTasks.NAME, "--methods", "eap", "--eap-gradient", "middle", "--out", bad.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, wrong.code(), wrong.err());
        assertEquals(1, wrong.err().strip().lines().count(), wrong.err());
        assertTrue(wrong.err().contains("--eap-gradient 'middle'") && wrong.err().contains("clean, corrupted, mean"), wrong.err());
        assertFalse(Files.exists(bad));
        CliRun wrongReproduce = run("reproduce", "--tasks", FakeTasks.NAME, "--eap-gradient", "x", "--out", bad.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, wrongReproduce.code(), wrongReproduce.err());
        assertTrue(wrongReproduce.err().contains("--eap-gradient 'x'"), wrongReproduce.err());
        assertFalse(Files.exists(bad));
    }
}
