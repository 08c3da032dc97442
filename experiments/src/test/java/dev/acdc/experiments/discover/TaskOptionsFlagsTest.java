package dev.acdc.experiments.discover;

import dev.acdc.datasets.DataVariant;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** --model, --tokenizer, --offline, --seed, --no-scramble-positions and --data reach the task registry as TaskOptions. */
class TaskOptionsFlagsTest {
    @TempDir
    Path tmp;

    final List<TaskOptions> seen = new ArrayList<>();

    @AfterEach
    void restoreRegistry() {
        TaskSource.use(null);
    }

    private CliRun lastRun;

    private int run(String... args) {
        TaskSource fake = FakeTasks.source();
        TaskSource.use(new TaskSource() {
            @Override
            public Task get(String name, TaskOptions options) {
                seen.add(options);
                return fake.get(name, options);
            }

            @Override
            public List<String> names() {
                return fake.names();
            }
        });
        lastRun = CliRun.run(args);
        return lastRun.code();
    }

    @Test
    void discoverPassesEveryTaskFlag() throws Exception {
        Path tok = Files.createDirectories(tmp.resolve("tok"));
        Files.writeString(tok.resolve("tokenizer.json"), "{}");
        assertEquals(0, run("discover", "--task", FakeTasks.NAME, "--threshold", "0.1", "--model", "some/model", "--tokenizer",
                tok.toString(), "--offline", "--seed", "7", "--no-scramble-positions", "--out", tmp.resolve("o").toString()));
        assertEquals(List.of(new TaskOptions("some/model", tok, true, 7, false)), seen);
    }

    @Test
    void defaultsAreTheRegistryDefaults() {
        assertEquals(0, run("roc", "--task", FakeTasks.NAME, "--thresholds", "0.1", "--out", tmp.resolve("o").toString()));
        assertEquals(List.of(TaskOptions.defaults()), seen);
    }

    @Test
    void aTokenizerDirectoryWithoutTokenizerFilesIsBadInput() {
        assertEquals(2, run("discover", "--task", FakeTasks.NAME, "--threshold", "0.1", "--tokenizer", tmp.toString(),
                "--out", tmp.resolve("o").toString()));
        assertTrue(seen.isEmpty(), "nothing was loaded");
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void dataVariantsReachTheRegistryByFlagOrBySpellingTheTask() {
        assertEquals(0, run("roc", "--task", FakeTasks.NAME, "--data", "acdc-code", "--thresholds", "0.1", "--out", tmp.resolve("a").toString()));
        assertEquals(0, run("roc", "--task", FakeTasks.NAME + ":acdc-code", "--thresholds", "0.1", "--out", tmp.resolve("b").toString()));
        assertEquals(0, run("roc", "--task", FakeTasks.NAME + ":ours", "--thresholds", "0.1", "--out", tmp.resolve("c").toString()));
        TaskOptions acdcCode = TaskOptions.defaults().withData(DataVariant.ACDC_CODE);
        assertEquals(List.of(acdcCode, acdcCode, TaskOptions.defaults()), seen);
    }

    @Test
    void anUnknownOrConflictingDataVariantIsBadInputOnOneLine() {
        assertEquals(2, run("discover", "--task", FakeTasks.NAME, "--threshold", "0.1", "--data", "paper", "--out", tmp.resolve("o").toString()));
        assertEquals("acdc: unknown --data 'paper'; expected one of ours, acdc-code", lastRun.err().strip());
        assertEquals(2, run("discover", "--task", FakeTasks.NAME + ":paper", "--threshold", "0.1", "--out", tmp.resolve("o").toString()));
        assertTrue(lastRun.err().contains("unknown data variant in --task"), lastRun.err());
        assertEquals(2, run("discover", "--task", FakeTasks.NAME + ":ours", "--data", "acdc-code", "--threshold", "0.1",
                "--out", tmp.resolve("o").toString()));
        assertEquals(1, lastRun.err().strip().lines().count(), lastRun.err());
        assertTrue(seen.isEmpty(), "nothing was loaded");
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void theAcdcCodesDataOnATaskThatHasNoneIsBadInputOnOneLine() {
        TaskSource.use(null);
        CliRun r = CliRun.run("discover", "--task", "ioi", "--data", "acdc-code", "--offline", "--threshold", "0.1",
                "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertEquals("acdc: --data acdc-code: task ioi has only our data; the ACDC code's data exists for tracr-reverse and tracr-proportion",
                r.err().strip());
        assertFalse(Files.exists(tmp.resolve("o")));
    }
}
