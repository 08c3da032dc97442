package dev.acdc.experiments.discover;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code discover --prefilter eap-ig:K} on tracr-reverse (106 edges): EAP-guided ACDC from the command line. */
class PrefilterCommandTest {
    @TempDir
    Path tmp;

    private static String[] discover(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("discover", "--task", "tracr-reverse", "--threshold", "0.01", "--out", out.toString(), "--json"));
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    /** The "edges" array of circuit.json as written (bytes, not re-serialised). */
    private static String edgesText(Path dir) throws IOException {
        String text = Files.readString(dir.resolve("circuit.json"));
        int from = text.indexOf("\n  \"edges\": [");
        int to = text.indexOf("\n  \"false_positives\"");
        assertTrue(from > 0 && to > from, text);
        return text.substring(from, to);
    }

    private static JsonObject json(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("circuit.json"))).getAsJsonObject();
    }

    private static void assertOneLineBadInput(CliRun r, String... mentions) {
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String m : mentions) assertTrue(r.err().contains(m), "'" + m + "' not in: " + r.err());
    }

    @Test
    void kOfEveryEdgeGivesPlainAcdcsCircuitByteForByte() throws IOException {
        Path plain = tmp.resolve("plain"), all = tmp.resolve("all"), pct = tmp.resolve("pct");
        assertEquals(0, run(discover(plain)).code());
        CliRun r = run(discover(all, "--prefilter", "eap-ig:106"));
        assertEquals(0, r.code(), r.err());
        assertEquals(0, run(discover(pct, "--method", "acdc-eap-ig:100%")).code());
        for (Path p : List.of(all, pct)) {
            assertEquals(edgesText(plain), edgesText(p));
            for (String k : List.of("edges_kept", "metric_final", "metric_full", "tested_edges", "false_positives", "false_negatives")) {
                assertEquals(json(plain).get(k), json(p).get(k), k);
            }
            assertEquals(0, json(p).getAsJsonObject("prefilter").get("edges_removed").getAsInt());
        }
        assertEquals("acdc-eap-ig", json(all).get("method").getAsString());
    }

    @Test
    void aSmallKRemovesTheRestBeforeAcdcTestsAnyOfThem() throws IOException {
        Path plain = tmp.resolve("plain"), small = tmp.resolve("small");
        assertEquals(0, run(discover(plain)).code());
        CliRun r = run(discover(small, "--prefilter", "eap-ig:15"));
        assertEquals(0, r.code(), r.err());
        JsonObject c = json(small);
        JsonObject pre = c.getAsJsonObject("prefilter");
        assertEquals(15, pre.get("edges_kept").getAsInt());
        assertEquals(106 - 15, pre.get("edges_removed").getAsInt());
        List<String> removed = new ArrayList<>();
        pre.getAsJsonArray("removed").forEach(e -> removed.add(e.getAsString()));
        assertEquals(91, removed.size());
        int tested = 0;
        for (var e : c.getAsJsonArray("edges")) {
            JsonObject o = e.getAsJsonObject();
            boolean wasTested = !o.get("effect").isJsonNull();
            if (wasTested) tested++;
            if (removed.contains(o.get("edge").getAsString())) {
                assertFalse(wasTested, "prefiltered edge tested: " + o);
                assertFalse(o.get("kept").getAsBoolean(), "prefiltered edge kept: " + o);
            }
        }
        assertEquals(c.get("tested_edges").getAsInt(), tested);
        assertTrue(tested <= 15, tested + " tests");
        assertTrue(tested < json(plain).get("tested_edges").getAsInt());
        assertTrue(r.out().contains("\"prefilter\":\"eap-ig:15\""), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eap-ig:0", "eap-ig:-3", "eap-ig:0%", "eap-ig:150%", "eap-ig:x", "eap-ig", "sp:10", "eap-ig:1.5"})
    void aBadPrefilterIsOneLineExitTwoAndWritesNothing(String spec) {
        Path out = tmp.resolve("bad");
        assertOneLineBadInput(run(discover(out, "--prefilter", spec)), "--prefilter");
        assertFalse(Files.exists(out));
    }

    @Test
    void badMethodSpellingsAndAStrayGradientAreOneLineExitTwo() {
        Path out = tmp.resolve("bad");
        assertOneLineBadInput(run(discover(out, "--method", "acdc-eap-ig:0")), "acdc-eap-ig:0");
        assertOneLineBadInput(run(discover(out, "--method", "acdc-eap-ig:5", "--prefilter", "eap-ig:5")), "give one");
        assertOneLineBadInput(run(discover(out, "--eap-gradient", "mean")), "--prefilter");
        assertFalse(Files.exists(out));
    }

    @Test
    void aPrefilteredJournalResumesOnlyWithTheSamePrefilter() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, run(discover(out, "--prefilter", "eap-ig:20")).code());
        String journal = Files.readString(out.resolve("journal.txt"));
        assertOneLineBadInput(run(discover(out, "--resume")), "its prefilter is 'eap-ig:20', this run's is not recorded");
        assertOneLineBadInput(run(discover(out, "--prefilter", "eap-ig:25", "--resume")), "its prefilter is 'eap-ig:20', this run's is 'eap-ig:25'");
        assertOneLineBadInput(run(discover(out, "--prefilter", "eap:20", "--resume")), "its prefilter is 'eap-ig:20'");
        assertOneLineBadInput(run(discover(out, "--prefilter", "eap-ig:20", "--eap-gradient", "mean", "--resume")), "prefilter_gradient");
        assertEquals(journal, Files.readString(out.resolve("journal.txt")), "a refused resume leaves the journal alone");
        String edges = edgesText(out);
        assertEquals(0, run(discover(out, "--prefilter", "eap-ig:20", "--resume")).code());
        assertEquals(edges, edgesText(out), "the same prefilter resumes to the same circuit");

        Path plain = tmp.resolve("plain");
        assertEquals(0, run(discover(plain)).code());
        assertOneLineBadInput(run(discover(plain, "--prefilter", "eap-ig:20", "--resume")), "its prefilter is not recorded");
    }
}
