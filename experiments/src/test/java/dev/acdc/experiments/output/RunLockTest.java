package dev.acdc.experiments.output;

import com.google.gson.JsonParser;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import dev.acdc.experiments.discover.FakeTasks;
import dev.acdc.experiments.discover.TaskSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * One writer per run directory (issue 19, problem 3), with two real processes: while another process holds the
 * directory, a run exits 2 naming it; a lock left by a killed process is stale and taken over; two discover runs
 * started together into one directory leave one consistent result.
 */
class RunLockTest {
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

    private static String[] discover(Path out) {
        return new String[] {"discover", "--task", FakeTasks.NAME, "--threshold", "0.003", "--out", out.toString(), "--json"};
    }

    @Test
    void aSecondRunIntoADirectoryAnotherProcessHoldsExitsTwoNamingThatProcess() throws Exception {
        Path out = tmp.resolve("run");
        Process holder = ChildJvm.start(LockHolder.class, out.resolve(RunLock.FILE).toString());
        try {
            String pid = ChildJvm.awaitLine(holder, "locked ").substring("locked ".length());
            CliRun r = run(discover(out));
            assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("in use by another acdc run (pid " + pid), r.err());
            assertFalse(Files.exists(out.resolve("journal.txt")), "the refused run wrote nothing");
        } finally {
            holder.getOutputStream().close();   // the holder releases the lock and ends
        }
        assertEquals(0, holder.waitFor());
        assertFalse(Files.exists(out.resolve(RunLock.FILE)), "a holder that finishes removes its lock file");
        CliRun after = run(discover(out));
        assertEquals(0, after.code(), after.err());
    }

    @Test
    void aLockLeftByAKilledProcessIsStaleAndTakenOver() throws Exception {
        Path out = tmp.resolve("run");
        Process holder = ChildJvm.start(LockHolder.class, out.resolve(RunLock.FILE).toString());
        String pid = ChildJvm.awaitLine(holder, "locked ").substring("locked ".length());
        holder.destroyForcibly();   // SIGKILL: the holder cannot clean up
        holder.waitFor();
        assertTrue(Files.readString(out.resolve(RunLock.FILE)).contains("pid=" + pid), "the killed holder's lock file is left");
        CliRun r = run(discover(out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("ended without finishing (pid " + pid), r.err());
        assertFalse(Files.exists(out.resolve(RunLock.FILE)));
    }

    @Test
    void rocAndTrainIntoADirectoryAnotherProcessHoldsExitTwo() throws Exception {
        Path out = tmp.resolve("sweep");
        Process holder = ChildJvm.start(LockHolder.class, tmp.resolve(".sweep.lock").toString());
        try {
            String pid = ChildJvm.awaitLine(holder, "locked ").substring("locked ".length());
            CliRun roc = run("roc", "--task", FakeTasks.NAME, "--thresholds", "0.01", "--out", out.toString());
            assertEquals(AcdcCli.EXIT_BAD_INPUT, roc.code(), roc.out() + roc.err());
            assertTrue(roc.err().contains("pid " + pid), roc.err());
            CliRun train = run("train", "induction", "--tiny", "--steps", "2", "--out", out.toString());
            assertEquals(AcdcCli.EXIT_BAD_INPUT, train.code(), train.out() + train.err());
            assertTrue(train.err().contains("pid " + pid), train.err());
            assertFalse(train.err().contains("train: step"), "refused before training: " + train.err());
            assertFalse(Files.exists(out));
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    /** Two real discover processes into one directory: whatever the interleaving, one consistent result and journal. */
    @Test
    void twoDiscoverProcessesIntoOneDirectoryLeaveOneConsistentResult() throws Exception {
        Path out = tmp.resolve("both");
        String[] args = {"discover", "--task", "tracr-reverse", "--threshold", "0.01", "--ablation", "zero", "--out", out.toString(), "--json"};
        Process a = ChildJvm.start(AcdcCli.class, args);
        Process b = ChildJvm.start(AcdcCli.class, args);
        String ra = ChildJvm.finish(a), rb = ChildJvm.finish(b);
        for (String r : new String[] {ra, rb}) {
            // refused while the other runs, or (when the other finished before this one took the lock) because the
            // directory now holds the other's journal and this run was given neither --resume nor --force
            assertTrue(r.startsWith("0\n") || (r.startsWith("2\n") && (r.contains("in use by another acdc run")
                    || r.contains("holds the journal of a previous run"))), r);
        }
        assertTrue(ra.startsWith("0\n") || rb.startsWith("0\n"), "at least one run finished:\n" + ra + "\n" + rb);
        String journal = Files.readString(out.resolve("journal.txt"), StandardCharsets.UTF_8);
        assertFalse(journal.contains("\0"), "no NUL bytes");
        String edges = JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject().get("edges").toString();
        TaskSource.use(null);
        CliRun resumed = run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--resume"))
                .toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.err());
        assertFalse(resumed.err().contains("note"), "every journal line replays: " + resumed.err());
        assertEquals(edges, JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject().get("edges").toString());
        assertEquals(journal, Files.readString(out.resolve("journal.txt"), StandardCharsets.UTF_8));
    }
}
