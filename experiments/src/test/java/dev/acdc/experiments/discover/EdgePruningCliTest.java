package dev.acdc.experiments.discover;

import dev.acdc.discovery.method.EdgePruning;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code edge-pruning} as the CLI builds it: its sweep, its --quick variant, and bad {@code --ep-targets}. */
class EdgePruningCliTest {
    @TempDir
    Path tmp;

    private static final FakeTasks.FakeTask TASK = new FakeTasks.FakeTask();

    @Test
    void theRegistryBuildsEdgePruningWithItsDefaultsTheGivenTargetsOrTheQuickSweep() {
        assertTrue(MethodFactory.NAMES.contains("edge-pruning"));
        EdgePruning full = (EdgePruning) MethodFactory.create("edge-pruning", TASK, "l2", MethodFactory.Settings.defaults());
        assertEquals(EdgePruning.Options.DEFAULT_STEPS, full.options().steps());
        assertArrayEquals(EdgePruning.DEFAULT_TARGETS, full.options().targetsOrDefault());

        EdgePruning given = (EdgePruning) MethodFactory.create("edge-pruning", TASK, "l2",
                new MethodFactory.Settings(null, false, null, s -> {}, new double[] {0.3, 0.7}));
        assertArrayEquals(new double[] {0.3, 0.7}, given.options().targetsOrDefault());

        EdgePruning quick = (EdgePruning) MethodFactory.create("edge-pruning", TASK, "l2", new MethodFactory.Settings(null, true, s -> {}));
        assertEquals(MethodFactory.QUICK_EP_STEPS, quick.options().steps());
        double[] all = EdgePruning.DEFAULT_TARGETS, q = quick.options().targetsOrDefault();
        assertEquals(all[0], q[0]);
        assertEquals(all[3], q[1]);
        assertEquals(all[all.length - 1], q[q.length - 1]);
        assertTrue(q.length < all.length);
    }

    @Test
    void targetsOutsideZeroToOneOrRepeatedAreBadInputAndNothingIsWritten() {
        List<List<String>> cases = List.of(
                List.of("roc", "--task", "tracr-proportion", "--methods", "edge-pruning", "--ep-targets", "0.5,1.5"),
                List.of("roc", "--task", "tracr-proportion", "--methods", "edge-pruning", "--ep-targets", "0"),
                List.of("faithfulness", "--task", "tracr-proportion", "--methods", "edge-pruning", "--ep-targets", "1"),
                List.of("faithfulness", "--task", "tracr-proportion", "--methods", "edge-pruning", "--ep-targets", "0.5,0.50"),
                List.of("faithfulness", "--task", "tracr-proportion", "--methods", "edge-pruning", "--ep-targets", "nan"));
        int i = 0;
        for (List<String> args : cases) {
            Path out = tmp.resolve("out" + i++);
            String[] all = java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of("--out", out.toString()))
                    .toArray(String[]::new);
            CliRun r = run(all);
            assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), args + ": " + r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertTrue(r.err().contains("--ep-targets"), r.err());
            assertFalse(Files.exists(out), "nothing written for " + args);
        }
    }
}
