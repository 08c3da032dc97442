package dev.acdc.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.cells.CellJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code reproduce --engine spark} against the local runner, on the two tracr tasks: the same report (timings aside),
 * a lost task retried, a failing cell reported with the others kept and then resumed, an unreachable master refused;
 * {@code roc} and {@code faithfulness} (bootstrap intervals and stability runs included) the same as the local runner.
 * One SparkContext ({@code local[2]}) serves the whole class: Spark's start-up is seconds.
 */
class SparkReproduceTest {

    /** Every method but SP, whose 300-step trainings would be most of the class's time; SP's cells are ordinary cells. */
    static final String METHODS = "acdc,hisp,eap,eap-ig";
    static final List<String> COMMON = List.of("reproduce", "--tasks", "tracr-reverse,tracr-proportion", "--quick", "--methods", METHODS);

    @TempDir
    static Path tmp;

    static Path localReport;
    static SparkContexts spark;

    @BeforeAll
    static void startSparkAndRunLocally() {
        spark = SparkContexts.open("local[2]", "SparkReproduceTest");
        SparkContexts.share(spark.context());
        localReport = tmp.resolve("local");
        Run r = acdc(args("--out", localReport.toString()));
        assertEquals(0, r.code, r.err);
    }

    @AfterAll
    static void stopSpark() {
        SparkContexts.share(null);
        spark.context().stop();
        System.clearProperty(ExecutorCells.FAIL_PROPERTY);
    }

    record Run(int code, String out, String err) {}

    static Run acdc(List<String> args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = AcdcCli.execute(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** {@link #acdc} with the executor-side failure hook {@code hook} set ({@link ExecutorCells#FAIL_PROPERTY}). */
    static Run acdcWithInjected(String hook, List<String> args) {
        System.setProperty(ExecutorCells.FAIL_PROPERTY, hook);
        try {
            return acdc(args);
        } finally {
            System.clearProperty(ExecutorCells.FAIL_PROPERTY);
        }
    }

    static List<String> args(String... more) {
        List<String> a = new ArrayList<>(COMMON);
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void sparkOnLocal2WritesTheSameAucTableResultsAndPlotsAsTheLocalRunner() throws Exception {
        Path out = tmp.resolve("spark");
        Run r = acdc(args("--engine", "spark", "--master", "local[2]", "--out", out.toString()));
        assertEquals(0, r.code, r.err);
        assertSameReport(localReport, out);
        assertFalse(Files.exists(CellJournal.dirFor(out)), "every cell finished: the journal is removed");
    }

    @Test
    void aCellWhoseTaskIsLostOnceIsRetriedAndEveryCellFinishes() throws Exception {
        Path out = tmp.resolve("lost");
        int before = ExecutorCells.INJECTED.get();
        Run r = acdcWithInjected("once:tracr-reverse l2 resample acdc",
                args("--engine", "spark", "--master", "local[2]", "--out", out.toString()));
        assertEquals(0, r.code, r.err);
        assertEquals(before + 1, ExecutorCells.INJECTED.get(), "the cell's first attempt was lost, its second finished");
        assertSameReport(localReport, out);
    }

    @Test
    void aCellThatFailsIsReportedWithItsDescriptionTheOthersAreKeptAndResumeComputesOnlyIt() throws Exception {
        Path out = tmp.resolve("failing");
        String cell = "tracr-proportion l2 zero eap";
        Run r = acdcWithInjected("always:" + cell, args("--engine", "spark", "--master", "local[2]", "--out", out.toString()));
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("reproduce: cell " + cell + " failed: IllegalStateException: injected failure of " + cell), r.err);
        JsonObject results = json(out.resolve("results.json"));
        assertEquals(cell, results.getAsJsonObject("failed_cells").keySet().iterator().next());
        int all = json(localReport.resolve("results.json")).getAsJsonArray("cells").size();
        assertEquals(all - 1, results.getAsJsonArray("cells").size(), "every other cell is in the report");
        assertTrue(Files.readString(out.resolve("auc_table.md")).contains("## Failed cells\n\n- " + cell + ": "));

        Run resumed = acdc(args("--engine", "spark", "--master", "local[2]", "--resume", "--out", out.toString()));
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.err.contains("--resume: " + (all - 1) + " of " + all + " cells and "), resumed.err);
        assertSameReport(localReport, out);
    }

    @Test
    void rocOnSparkWritesTheSameCsvAucAndPlotAsTheLocalRunner() throws Exception {
        List<String> roc = List.of("roc", "--task", "tracr-proportion", "--methods", "acdc,hisp,eap-ig", "--ablation", "zero");
        Path local = tmp.resolve("roc-local"), onSpark = tmp.resolve("roc-spark");
        List<String> a = new ArrayList<>(roc);
        a.addAll(List.of("--out", local.toString()));
        Run l = acdc(a);
        assertEquals(0, l.code, l.err);
        List<String> b = new ArrayList<>(roc);
        b.addAll(List.of("--engine", "spark", "--master", "local[2]", "--out", onSpark.toString()));
        Run s = acdc(b);
        assertEquals(0, s.code, s.err);
        assertEquals(files(local), files(onSpark));
        assertEquals(Files.readString(local.resolve("roc.csv")), Files.readString(onSpark.resolve("roc.csv")));
        assertArrayEquals(Files.readAllBytes(local.resolve("roc.png")), Files.readAllBytes(onSpark.resolve("roc.png")));
        JsonObject al = json(local.resolve("auc.json")), as = json(onSpark.resolve("auc.json"));
        for (JsonObject o : List.of(al, as)) o.keySet().removeIf(k -> k.equals("seconds") || k.startsWith("seconds."));
        assertEquals(al, as);
        assertTrue(al.has("auc.eap-ig.edge"), al.toString());
    }

    static final List<String> FAITHFULNESS = List.of("faithfulness", "--task", "tracr-proportion", "--methods", "acdc,eap,eap-ig",
            "--bootstrap", "50", "--stability", "3");

    /** {@code faithfulness} run here, once for the tests below. */
    static Path localFaithfulness() {
        Path local = tmp.resolve("faithfulness-local");
        if (!Files.exists(local)) {
            List<String> a = new ArrayList<>(FAITHFULNESS);
            a.addAll(List.of("--out", local.toString()));
            Run l = acdc(a);
            assertEquals(0, l.code, l.err);
        }
        return local;
    }

    @Test
    void faithfulnessOnSparkWritesTheSameCsvJsonAndPlotsAsTheLocalRunnerIntervalsAndStabilityIncluded() throws Exception {
        Path onSpark = tmp.resolve("faithfulness-spark");
        List<String> b = new ArrayList<>(FAITHFULNESS);
        b.addAll(List.of("--engine", "spark", "--master", "local[2]", "--out", onSpark.toString()));
        Run s = acdc(b);
        assertEquals(0, s.code, s.err);
        assertSameFaithfulness(localFaithfulness(), onSpark);
        JsonObject j = json(onSpark.resolve("faithfulness.json"));
        assertTrue(j.has("faithfulness_ci_low.eap-ig") && j.has("stability.acdc"), j.toString());
        assertFalse(Files.exists(CellJournal.dirFor(onSpark)), "every job finished: the journal is removed");
    }

    @Test
    void aFaithfulnessMethodThatFailsIsReportedTheOthersAreWrittenAndResumeComputesOnlyIt() throws Exception {
        Path out = tmp.resolve("faithfulness-failing");
        List<String> b = new ArrayList<>(FAITHFULNESS);
        b.addAll(List.of("--engine", "spark", "--master", "local[2]", "--out", out.toString()));
        Run r = acdcWithInjected("always:eap", b);
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("faithfulness: method eap failed: IllegalStateException: injected failure of eap"), r.err);
        JsonObject partial = json(out.resolve("faithfulness.json"));
        assertEquals(List.of("eap"), List.copyOf(partial.getAsJsonObject("failed_methods").keySet()));
        assertFalse(partial.has("cpr.eap"));
        assertTrue(partial.has("cpr.acdc") && partial.has("cpr.eap-ig") && partial.has("stability.acdc"), partial.toString());

        b.add("--resume");
        Run resumed = acdc(b);
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.err.contains("--resume: 5 of 6 cells and 21 of 21 sweep runs already finished"), resumed.err);
        assertSameFaithfulness(localFaithfulness(), out);
    }

    @Test
    void aSweepRunThatFailsFailsItsMethodAloneAndResumeComputesOnlyThatRun() throws Exception {
        Path out = tmp.resolve("faithfulness-failing-run");
        List<String> b = new ArrayList<>(FAITHFULNESS);
        b.addAll(List.of("--engine", "spark", "--master", "local[2]", "--out", out.toString()));
        Run r = acdcWithInjected("always:acdc run 2/21", b);
        assertEquals(1, r.code, r.err);
        assertTrue(r.err.contains("faithfulness: method acdc failed: run 2/21: IllegalStateException: injected failure of acdc run 2/21"),
                r.err);
        JsonObject partial = json(out.resolve("faithfulness.json"));
        assertEquals(List.of("acdc"), List.copyOf(partial.getAsJsonObject("failed_methods").keySet()));
        assertFalse(partial.has("cpr.acdc"));
        assertTrue(partial.has("cpr.eap") && partial.has("cpr.eap-ig"), partial.toString());

        b.add("--resume");
        Run resumed = acdc(b);
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.err.contains("--resume: 5 of 6 cells and 20 of 21 sweep runs already finished"), resumed.err);
        assertSameFaithfulness(localFaithfulness(), out);
    }

    /** Same files, the same CSV, plots and JSON, the timings left out. */
    static void assertSameFaithfulness(Path expected, Path actual) throws Exception {
        assertEquals(files(expected), files(actual));
        assertEquals(Files.readString(expected.resolve("faithfulness.csv")), Files.readString(actual.resolve("faithfulness.csv")));
        assertArrayEquals(Files.readAllBytes(expected.resolve("faithfulness.png")), Files.readAllBytes(actual.resolve("faithfulness.png")));
        assertEquals(Files.readString(expected.resolve("faithfulness.svg")), Files.readString(actual.resolve("faithfulness.svg")));
        JsonObject e = json(expected.resolve("faithfulness.json")), a = json(actual.resolve("faithfulness.json"));
        for (JsonObject o : List.of(e, a)) o.keySet().removeIf(k -> k.startsWith("seconds") || k.equals("stability_seconds"));
        assertEquals(e, a);
    }

    @Test
    void anUnreachableMasterIsOneLineExitTwoAndNothingWritten() {
        Path out = tmp.resolve("unreachable");
        Run r = acdc(args("--engine", "spark", "--master", "spark://127.0.0.1:9", "--out", out.toString()));
        assertEquals(2, r.code, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        assertTrue(r.err.startsWith("acdc: --master spark://127.0.0.1:9: cannot connect to 127.0.0.1:9"), r.err);
        assertFalse(Files.exists(out));
        Run bad = acdc(args("--engine", "spark", "--master", "mesos://x:1", "--out", out.toString()));
        assertEquals(2, bad.code, bad.err);
        assertTrue(bad.err.contains("expected local, local[N], local[N,F], local-cluster[W,C,MB], spark://HOST:PORT"), bad.err);
        Run noSpark = acdc(args("--master", "local[2]", "--out", out.toString()));
        assertEquals(2, noSpark.code, noSpark.err);
        assertTrue(noSpark.err.contains("only with --engine spark"), noSpark.err);
    }

    @Test
    void theExecutorWatchSaysOnceThatNoExecutorRunsAndGivesUpAfterTheWait() {
        long[] now = {0};
        List<String> said = new ArrayList<>();
        // a cluster master as the watch sees it: the local backend reports no executor ids, as a cluster with none does
        ExecutorWatch watch = new ExecutorWatch(spark.context().sc(), true, 120, said::add, () -> now[0]);
        assertNull(watch.problem());
        now[0] = seconds(ExecutorWatch.NOTICE_SECONDS - 1);
        assertNull(watch.problem());
        assertEquals(List.of(), said, "an executor still starting is not worth a line");
        now[0] = seconds(ExecutorWatch.NOTICE_SECONDS);
        assertNull(watch.problem());
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("no executor is running") && said.get(0).contains("waiting up to 120 s"), said.get(0));
        now[0] = seconds(119);
        assertNull(watch.problem());
        assertEquals(1, said.size(), "said once");
        now[0] = seconds(120);
        String problem = watch.problem();
        assertNotNull(problem);
        assertTrue(problem.startsWith("no Spark executor for 120 s") && problem.endsWith("rerun with --resume"), problem);
        // a local master's executors are threads of this JVM: nothing to watch
        assertNull(new ExecutorWatch(spark.context().sc(), said::add).problem());
    }

    static long seconds(long s) {
        return s * 1_000_000_000L;
    }

    /** Same files with the same contents, the timings (each cell's seconds and the run's) left out. */
    static void assertSameReport(Path expected, Path actual) throws Exception {
        assertEquals(files(expected), files(actual));
        assertEquals(withoutTimings(json(expected.resolve("results.json"))), withoutTimings(json(actual.resolve("results.json"))));
        assertEquals(withoutSecondsColumn(expected.resolve("auc_table.csv")), withoutSecondsColumn(actual.resolve("auc_table.csv")));
        assertEquals(aucTables(expected), aucTables(actual));
        for (String f : files(expected)) {
            if (f.endsWith(".png")) assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static JsonObject json(Path p) throws Exception {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    static JsonObject withoutTimings(JsonObject results) {
        JsonObject r = results.deepCopy();
        r.getAsJsonObject("settings").remove("seconds");
        JsonArray cells = r.getAsJsonArray("cells");
        for (JsonElement c : cells) c.getAsJsonObject().remove("seconds");
        return r;
    }

    static List<String> withoutSecondsColumn(Path csv) throws Exception {
        return Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    /** The AUC tables: everything before the timings section. */
    static String aucTables(Path dir) throws Exception {
        String md = Files.readString(dir.resolve("auc_table.md"));
        int timings = md.indexOf("## Ground truths and timings");
        assertTrue(timings > 0, md);
        return md.substring(0, timings);
    }
}
