package dev.acdc.experiments.output;

import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import dev.acdc.experiments.discover.FakeTasks;
import dev.acdc.experiments.discover.TaskSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A run's output set appears as a whole, and its output path is checked before any computation (issue 19, problem 8).
 */
class OutputSetTest {
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

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anOutputPathThatIsAFileIsRefusedBeforeAnyComputation() throws Exception {
        Path file = Files.writeString(tmp.resolve("taken"), "mine");
        for (String[] args : List.of(
                new String[] {"roc", "--task", FakeTasks.NAME, "--thresholds", "0.01", "--out", file.toString()},
                new String[] {"reproduce", "--tasks", FakeTasks.NAME, "--methods", "acdc", "--quick", "--out", file.toString()},
                new String[] {"train", "induction", "--tiny", "--steps", "2", "--out", file.toString()},
                new String[] {"discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", file.toString()})) {
            CliRun r = run(args);
            assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), args[0] + ": " + r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("exists and is not a directory"), r.err());
            assertFalse(r.err().contains("step") || r.err().contains("reproduce: fake"), "computed before refusing: " + r.err());
            assertEquals("mine", Files.readString(file));
        }
        assertEquals(List.of("taken"), names(tmp), "nothing beside it either");
    }

    @Test
    void anOutputPathInsideAFileIsRefusedBeforeAnyComputation() {
        Path inside = tmp.resolve("file.txt").resolve("out");
        assertDoesNotThrow(() -> Files.writeString(tmp.resolve("file.txt"), "x"));
        CliRun r = run("roc", "--task", FakeTasks.NAME, "--thresholds", "0.01", "--out", inside.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("cannot be created"), r.err());
    }

    /** A previous result whose picture cannot be replaced: the old code left the new roc.csv beside it. */
    @Test
    void rocReplacesAPreviousResultAsAWholeOrNotAtAll() throws Exception {
        Path out = tmp.resolve("sweep");
        CliRun first = run("roc", "--task", FakeTasks.NAME, "--thresholds", "0.001,0.01", "--out", out.toString(), "--json");
        assertEquals(0, first.code(), first.err());
        String oldCsv = Files.readString(out.resolve("roc.csv"));
        // make the picture impossible to overwrite in place: a non-empty directory where roc.png was
        Files.delete(out.resolve("roc.png"));
        Files.createDirectories(out.resolve("roc.png").resolve("x"));
        CliRun second = run("roc", "--task", FakeTasks.NAME, "--thresholds", "0.01,0.1", "--out", out.toString(), "--json");
        if (second.code() == 0) {
            for (String f : List.of("roc.csv", "roc.png", "auc.json")) assertTrue(Files.isRegularFile(out.resolve(f)), f);
            assertNotEquals(oldCsv, Files.readString(out.resolve("roc.csv")));
        } else {
            assertEquals(oldCsv, Files.readString(out.resolve("roc.csv")), "a failed run leaves the previous set as it was");
        }
        assertEquals(List.of("sweep"), names(tmp), "no staging directory or lock file left beside it");
    }

    /** Old code wrote circuit.json first: a failure at the picture left a circuit.json beside another run's files. */
    @Test
    void discoverNeverLeavesACircuitJsonWithoutItsPictures() throws Exception {
        Path out = tmp.resolve("run");
        Files.createDirectories(out.resolve("circuit.svg").resolve("x"));   // cannot be replaced by a file
        CliRun r = run("discover", "--task", FakeTasks.NAME, "--threshold", "0.01", "--out", out.toString());
        assertNotEquals(0, r.code(), "the picture could not be written: " + r.out());
        // the failure comes after the ACDC run, whose progress lines precede it: the error itself is one line
        assertEquals(1, r.err().lines().filter(l -> !l.startsWith("discover: receivers")).count(), r.err());
        assertFalse(Files.exists(out.resolve("circuit.json")), "circuit.json names a complete set, so it is written last");
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".staging")), "no staging directory left");
        }
    }

    @Test
    void aForeignModelOnTheInductionTaskIsRefusedBeforeAnyAcdcWork() throws Exception {
        TaskSource.use(null);
        Path model = tmp.resolve("foreign");
        CliRun trained = run("train", "induction", "--tiny", "--steps", "2", "--out", model.toString());
        assertEquals(0, trained.code(), trained.err());
        Files.delete(model.resolve("provenance.json"));   // no recorded circuit: heads are looked for in the weights
        Path out = tmp.resolve("run");
        CliRun r = run("discover", "--task", "induction", "--model", model.toString(), "--threshold", "0.05", "--out", out.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("model") && r.err().contains("task induction"), r.err());
        assertFalse(Files.exists(out), "no journal, no directory: " + (Files.exists(out) ? names(out) : List.of()));
    }
}
