package dev.acdc.experiments.discover;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.CliRun;
import dev.acdc.metrics.Faithfulness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code acdc faithfulness} on tracr-reverse: the files, the JSON keys, and the areas recomputed from the curves. */
class FaithfulnessCommandTest {
    @TempDir
    Path tmp;

    @Test
    void mibSizesOnTracrReverseWriteCsvPngAndJsonWhoseAreasAreTheTrapezoidsOfTheCurves() throws Exception {
        Path out = tmp.resolve("faith");
        CliRun r = run("faithfulness", "--task", "tracr-reverse", "--methods", "acdc,hisp,eap-ig", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());

        JsonObject j = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        JsonObject file = JsonParser.parseString(Files.readString(out.resolve("faithfulness.json"))).getAsJsonObject();
        assertEquals("tracr-reverse", j.get("task").getAsString());
        assertEquals("resample", j.get("ablation").getAsString());
        assertEquals("l2", j.get("metric").getAsString());
        assertEquals(List.of(0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0), doubles(j.getAsJsonArray("sizes")));
        int total = j.get("edges_total").getAsInt();
        JsonArray edges = j.getAsJsonArray("edges");
        for (int i = 0; i < edges.size(); i++) {
            assertEquals(Faithfulness.edgesAt(Faithfulness.MIB_FRACTIONS[i], total), edges.get(i).getAsInt());
        }
        assertEquals(0.0, j.get("metric_full").getAsDouble(), 1e-6, "l2 of the full model to itself");
        for (String m : List.of("acdc", "hisp", "eap-ig")) {
            double[] f = array(j.getAsJsonArray("faithfulness." + m));
            double[] fAbs = array(j.getAsJsonArray("faithfulness_abs." + m));
            double[] comp = array(j.getAsJsonArray("complement." + m));
            assertEquals(10, f.length, m);
            // the smallest size keeps no edge of tracr-reverse's 106: f = 0, the complement is the full model
            assertEquals(0.0, f[0], 1e-6, m);
            assertEquals(1.0, comp[0], 1e-6, m);
            // 100 % is the full model, its complement the empty circuit
            assertEquals(1.0, f[9], 1e-6, m);
            assertEquals(0.0, comp[9], 1e-6, m);
            Faithfulness.Area a = Faithfulness.area(Faithfulness.MIB_FRACTIONS, f);
            Faithfulness.Area aAbs = Faithfulness.area(Faithfulness.MIB_FRACTIONS, fAbs);
            assertEquals(a.cpr(), j.get("cpr." + m).getAsDouble(), 1e-12, "CPR from the signed curve, " + m);
            assertEquals(aAbs.cmd(), j.get("cmd." + m).getAsDouble(), 1e-12, "CMD from the absolute curve, " + m);
            assertEquals(j.get("cpr." + m).getAsDouble(), file.get("cpr." + m).getAsDouble(), 0, m);
            assertEquals(j.get("cmd." + m).getAsDouble(), file.get("cmd." + m).getAsDouble(), 0, m);
        }

        List<String> csv = Files.readAllLines(out.resolve("faithfulness.csv"));
        assertEquals("method,ranking,size_percent,fraction,edges_nominal,parameter,value,edges,metric,f,complement_edges,"
                + "complement_metric,complement_f,f_ci_low,f_ci_high,f_bootstrap_sd", csv.get(0));
        // acdc and hisp: one sweep curve each; eap-ig: the signed (CPR) and the absolute (CMD) ranking
        assertEquals(1 + 10 + 10 + 20, csv.size(), String.join("\n", csv));
        for (String row : csv.subList(1, csv.size())) {
            String[] c = row.split(",");
            int nominal = Integer.parseInt(c[4]), kept = Integer.parseInt(c[7]);
            assertTrue(kept <= nominal, "at most n edges: " + row);
            assertTrue(List.of("sweep", "signed", "absolute").contains(c[1]), row);
        }
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("eap-ig,absolute,")));

        BufferedImage png = ImageIO.read(out.resolve("faithfulness.png").toFile());
        assertNotNull(png, "faithfulness.png is a PNG");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        var svgParser = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        svgParser.setNamespaceAware(true);
        svgParser.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        org.w3c.dom.Document svg = svgParser.newDocumentBuilder().parse(out.resolve("faithfulness.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getLocalName(), "faithfulness.svg beside the PNG");
    }

    @Test
    void givenSizesInPercentAreTheFractionsOfTheCurveAndTheAreaIsTheirTrapezoid() throws Exception {
        Path out = tmp.resolve("two");
        CliRun r = run("faithfulness", "--task", "tracr-reverse", "--methods", "acdc", "--sizes", "50,100", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals(List.of(0.5, 1.0), doubles(j.getAsJsonArray("fractions")));
        int total = j.get("edges_total").getAsInt();
        assertEquals(total / 2, j.getAsJsonArray("edges").get(0).getAsInt());
        double[] f = array(j.getAsJsonArray("faithfulness.acdc"));
        assertEquals(0.5 * (f[0] + f[1]) / 2, j.get("cpr.acdc").getAsDouble(), 1e-12);
        assertEquals(0.5 * (Math.abs(1 - f[0]) + Math.abs(1 - f[1])) / 2, j.get("cmd.acdc").getAsDouble(), 1e-12);
    }

    /**
     * The bootstrap interval of f on tracr-reverse (default B = 200): it contains MIB's f at every size, is the same
     * bytes for a seed and changes with the seed; B = 0 writes no interval.
     */
    @Test
    void bootstrapIntervalContainsFIsDeterministicForASeedAndOffAtZero() throws Exception {
        String[] base = {"faithfulness", "--task", "tracr-reverse", "--methods", "acdc,eap", "--json"};
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c"), off = tmp.resolve("off");
        CliRun ra = run(concat(base, "--out", a.toString()));
        assertEquals(0, ra.code(), ra.err());
        JsonObject j = JsonParser.parseString(ra.out().strip()).getAsJsonObject();
        assertEquals(200, j.get("bootstrap").getAsInt());
        assertEquals(0, j.get("bootstrap_seed").getAsLong());
        boolean someWidth = false;
        for (String m : List.of("acdc", "eap")) {
            double[] f = array(j.getAsJsonArray("faithfulness." + m));
            double[] lo = array(j.getAsJsonArray("faithfulness_ci_low." + m));
            double[] hi = array(j.getAsJsonArray("faithfulness_ci_high." + m));
            double[] fAbs = array(j.getAsJsonArray("faithfulness_abs." + m));
            double[] loAbs = array(j.getAsJsonArray("faithfulness_abs_ci_low." + m));
            double[] hiAbs = array(j.getAsJsonArray("faithfulness_abs_ci_high." + m));
            for (int i = 0; i < f.length; i++) {
                assertTrue(lo[i] <= f[i] + 1e-9 && f[i] <= hi[i] + 1e-9, m + " size " + i + ": " + lo[i] + " ≤ " + f[i] + " ≤ " + hi[i]);
                assertTrue(loAbs[i] <= fAbs[i] + 1e-9 && fAbs[i] <= hiAbs[i] + 1e-9, m + " abs size " + i);
                someWidth |= hi[i] - lo[i] > 1e-6;
            }
            assertEquals(0.0, lo[0], 1e-9, "the empty circuit: f = 0 in every replicate");
            assertEquals(1.0, hi[9], 1e-9, "the full model: f = 1 in every replicate");
        }
        assertTrue(someWidth, "some size has an interval of positive width");

        assertEquals(0, run(concat(base, "--out", b.toString())).code());
        for (String file : List.of("faithfulness.csv")) {
            assertEquals(Files.readString(a.resolve(file)), Files.readString(b.resolve(file)), "same seed, same " + file);
        }
        JsonObject jb = JsonParser.parseString(Files.readString(b.resolve("faithfulness.json"))).getAsJsonObject();
        JsonObject ja = JsonParser.parseString(Files.readString(a.resolve("faithfulness.json"))).getAsJsonObject();
        for (String k : List.of("faithfulness_ci_low.eap", "faithfulness_ci_high.eap", "faithfulness_ci_low.acdc", "faithfulness_ci_high.acdc")) {
            assertEquals(ja.get(k), jb.get(k), k);
        }
        CliRun rc = run(concat(base, "--out", c.toString(), "--seed", "5"));
        assertEquals(0, rc.code(), rc.err());
        JsonObject jc = JsonParser.parseString(rc.out().strip()).getAsJsonObject();
        // tracr-reverse has 6 examples, so the percentiles are coarse; the replicates' spread shows the other resamples
        assertEquals(ja.get("faithfulness.eap"), jc.get("faithfulness.eap"), "the seed does not change tracr-reverse's f");
        assertNotEquals(ja.get("faithfulness_sd.eap"), jc.get("faithfulness_sd.eap"), "another seed, other resamples");

        CliRun r0 = run(concat(base, "--out", off.toString(), "--bootstrap", "0"));
        assertEquals(0, r0.code(), r0.err());
        JsonObject j0 = JsonParser.parseString(r0.out().strip()).getAsJsonObject();
        assertEquals(0, j0.get("bootstrap").getAsInt());
        assertTrue(j0.keySet().stream().noneMatch(k -> k.contains("_ci_") || k.startsWith("faithfulness_sd") || k.startsWith("bootstrap_")),
                j0.keySet().toString());
        assertFalse(Files.readAllLines(off.resolve("faithfulness.csv")).get(0).contains("ci"));
        assertEquals(ja.get("faithfulness.eap"), j0.get("faithfulness.eap"), "the point estimate does not depend on the bootstrap");
    }

    /** ACDC's stability over 3 bootstrap resamples of tracr-reverse's examples: a mean Jaccard in [0, 1], 3 runs. */
    @Test
    void stabilityOfAcdcOnThreeResamplesIsAJaccardInTheUnitInterval() throws Exception {
        Path out = tmp.resolve("stab");
        CliRun r = run("faithfulness", "--task", "tracr-reverse", "--methods", "acdc", "--bootstrap", "0", "--stability", "3",
                "--threshold", "0.001", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        double s = j.get("stability.acdc").getAsDouble();
        assertTrue(s >= 0 && s <= 1, "stability " + s);
        assertEquals(3, j.get("stability_runs").getAsInt());
        assertEquals(0.001, j.get("stability_threshold").getAsDouble(), 0);
        assertEquals(3, j.getAsJsonArray("stability_edges.acdc").size());
        JsonObject file = JsonParser.parseString(Files.readString(out.resolve("faithfulness.json"))).getAsJsonObject();
        assertEquals(s, file.get("stability.acdc").getAsDouble(), 0);
        CliRun off = run("faithfulness", "--task", "tracr-reverse", "--methods", "acdc", "--bootstrap", "0", "--out",
                tmp.resolve("nostab").toString(), "--json");
        assertEquals(0, off.code(), off.err());
        assertFalse(JsonParser.parseString(off.out().strip()).getAsJsonObject().keySet().stream().anyMatch(k -> k.startsWith("stability")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void parsedSizesAreMibsFractions() {
        assertArrayEquals(Faithfulness.MIB_FRACTIONS, FaithfulnessCommand.parseSizes(FaithfulnessCommand.MIB_SIZES));
    }

    private static double[] array(JsonArray a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).getAsDouble();
        return v;
    }

    private static List<Double> doubles(JsonArray a) {
        return a.asList().stream().map(e -> e.getAsDouble()).toList();
    }
}
