package dev.acdc.experiments.discover;

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

/** --model, --tokenizer, --offline, --seed and --no-scramble-positions reach the task registry as TaskOptions. */
class TaskOptionsFlagsTest {
    @TempDir
    Path tmp;

    final List<TaskOptions> seen = new ArrayList<>();

    @AfterEach
    void restoreRegistry() {
        TaskSource.use(null);
    }

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
        return CliRun.run(args).code();
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
}
