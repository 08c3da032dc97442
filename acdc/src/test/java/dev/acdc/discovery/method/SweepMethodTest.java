package dev.acdc.discovery.method;

import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A sweep split into its runs, each computed alone on a problem of its own and in any order (as executors compute
 * them), merges into the sweep's result: the same points, circuits and effect scores, and SP's component scores.
 */
class SweepMethodTest {

    static void assertSplitEqualsWhole(SweepMethod method, Ablation ablation) {
        MethodResult whole = Problems.with(TracrTask.proportion(0, true), ablation, "l2", 5, method::discover);
        int n = method.runs("tracr-proportion", "l2");
        MethodResult[] parts = new MethodResult[n];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        Collections.reverse(order);
        for (int i : order) parts[i] = Problems.with(TracrTask.proportion(0, true), ablation, "l2", 5, p -> method.run(p, i));
        MethodResult merged = SweepMethod.merge(method.name(), List.of(parts));
        assertEquals(whole.points().size(), merged.points().size(), method.name());
        assertFalse(whole.points().isEmpty());
        for (int i = 0; i < whole.points().size(); i++) {
            SweepPoint w = whole.points().get(i), m = merged.points().get(i);
            assertEquals(w.parameter(), m.parameter());
            assertEquals(w.value(), m.value());
            assertEquals(w.circuit(), m.circuit(), method.name() + " point " + i + ": kept edges and scores");
        }
        assertEquals(whole.nodeScores(), merged.nodeScores());
        assertEquals(whole.method(), merged.method());
    }

    @Test
    void acdcsThresholdsRunAloneMergeIntoTheSweep() {
        AcdcMethod acdc = new AcdcMethod(new double[] {1e-4, 1e-2, 0.3}, AcdcOptions.fast(0), s -> {});
        assertEquals(3, acdc.runs("tracr-proportion", "l2"));
        assertSplitEqualsWhole(acdc, Ablation.RESAMPLE);
    }

    @Test
    void spsLambdasRunAloneMergeIntoTheSweepWithTheLastLambdasComponentScores() {
        assertSplitEqualsWhole(new SubnetworkProbing(new SubnetworkProbing.Options(new double[] {0, 0.05, 1e4}, 40, 0.1)), Ablation.ZERO);
    }

    @Test
    void edgePruningsTargetsRunAloneMergeIntoTheSweepSkippedTargetsGivingNoPoint() {
        // 32 maskable edges: 0.51 keeps 16 as 0.5 does (skipped), 0.999 keeps none (skipped)
        EdgePruning ep = new EdgePruning(new EdgePruning.Options(new double[] {0.5, 0.51, 0.999, 0.25}, 5, 3, 1, 0.8, 0.8));
        assertEquals(4, ep.runs("tracr-proportion", "l2"));
        MethodResult skipped = Problems.with(TracrTask.proportion(0, true), Ablation.RESAMPLE, "l2", 5, p -> ep.run(p, 1));
        assertEquals(List.of(), skipped.points());
        assertSplitEqualsWhole(ep, Ablation.RESAMPLE);
    }
}
