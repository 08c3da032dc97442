package dev.acdc.experiments.reproduce;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.experiments.CliRun;
import dev.acdc.experiments.cells.CellJournal;
import dev.acdc.experiments.discover.FakeTasks;
import dev.acdc.experiments.discover.TaskSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The local runner writes each sweep run's and each cell's result as it completes: a run that dies halfway leaves them, and
 * {@code --resume} computes only the rest, ending with the report of an uninterrupted run.
 */
class ReproduceResumeTest {

    @TempDir
    Path tmp;

    /** While set, the fake task's l2 metric throws: the run dies at its first l2 cell, after the kl_div cells. */
    static volatile boolean l2Crashes;

    @BeforeEach
    void installCrashingTask() {
        TaskSource fake = FakeTasks.source();
        TaskSource.use(new TaskSource() {
            @Override
            public Task get(String name, TaskOptions options) {
                Task real = fake.get(name, options);
                return (Task) Proxy.newProxyInstance(Task.class.getClassLoader(), new Class<?>[] {Task.class}, (p, m, args) -> {
                    if (l2Crashes && m.getName().equals("metric") && "l2".equals(args[0])) {
                        throw new IllegalStateException("simulated crash in the l2 cell");
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
            }

            @Override
            public List<String> names() {
                return fake.names();
            }
        });
    }

    @AfterEach
    void restore() {
        l2Crashes = false;
        TaskSource.use(null);
    }

    static List<String> args(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("reproduce", "--tasks", FakeTasks.NAME, "--methods", "acdc",
                "--ablation", "both", "--quick", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aRunThatDiesKeepsItsFinishedCellsAndResumeComputesOnlyTheRest() throws Exception {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(args(whole).toArray(String[]::new)).code());

        Path out = tmp.resolve("rep");
        l2Crashes = true;
        CliRun crashed = run(args(out).toArray(String[]::new));
        assertNotEquals(0, crashed.code(), crashed.err());
        assertFalse(Files.exists(out), "no report from a run that died");
        // ACDC's sweep is one job per threshold, computed before the cells: the kl_div cells' runs finished and are kept
        Path journal = CellJournal.dirFor(out);
        int thresholds = 0;
        while (Files.exists(journal.resolve(FakeTasks.NAME + "-kl_div-resample-acdc.run-" + (thresholds + 1) + ".json"))) thresholds++;
        assertTrue(thresholds > 1, "finished sweep runs are written as they complete");
        assertTrue(Files.exists(journal.resolve(FakeTasks.NAME + "-kl_div-zero-acdc.run-" + thresholds + ".json")));
        assertFalse(Files.exists(journal.resolve(FakeTasks.NAME + "-kl_div-zero-acdc.run-" + (thresholds + 1) + ".json")));
        assertFalse(Files.exists(journal.resolve(FakeTasks.NAME + "-l2-resample-acdc.run-1.json")));

        l2Crashes = false;
        CliRun resumed = run(args(out, "--resume").toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("reproduce: --resume: 0 of 4 cells and " + 2 * thresholds + " of " + 4 * thresholds
                + " sweep runs already finished"), resumed.err());
        assertFalse(resumed.err().contains("reproduce: sweep 1/"), "the finished runs are not run again: " + resumed.err());
        assertTrue(resumed.err().contains("reproduce: sweep " + (2 * thresholds + 1) + "/" + 4 * thresholds), resumed.err());
        assertEquals(withoutTimings(whole), withoutTimings(out));
        assertFalse(Files.exists(journal), "every cell finished: the journal is removed");
    }

    @Test
    void aRunWithoutResumeStartsOverAndAResumeOfOtherSettingsIsRefused() throws Exception {
        Path out = tmp.resolve("rep");
        l2Crashes = true;
        assertNotEquals(0, run(args(out).toArray(String[]::new)).code());
        l2Crashes = false;

        CliRun other = run("reproduce", "--tasks", FakeTasks.NAME, "--methods", "acdc", "--ablation", "zero", "--quick",
                "--out", out.toString(), "--resume");
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("holds the cells of a run with other settings or cells"), other.err());

        CliRun fresh = run(args(out).toArray(String[]::new));
        assertEquals(0, fresh.code(), fresh.err());
        assertTrue(fresh.err().contains("starting over"), fresh.err());
        assertTrue(fresh.err().contains("reproduce: cell 1/4"), fresh.err());
    }

    static JsonObject withoutTimings(Path dir) throws Exception {
        JsonObject r = JsonParser.parseString(Files.readString(dir.resolve("results.json"))).getAsJsonObject();
        r.getAsJsonObject("settings").remove("seconds");
        for (JsonElement c : r.getAsJsonArray("cells")) c.getAsJsonObject().remove("seconds");
        return r;
    }
}
