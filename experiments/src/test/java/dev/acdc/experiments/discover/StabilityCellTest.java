package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.metrics.Resampled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each stability job, computed alone (as on an executor, in any order), gives the run that the b-th of the resamples
 * drawn in turn from one seeded generator gives: what {@code faithfulness --stability} computed in one loop before its
 * runs were jobs.
 */
class StabilityCellTest {

    @Test
    void jobsComputedOutOfOrderGiveTheRunsOfOneSequentialDrawPerResample() {
        TaskSpec spec = TaskSpec.of("tracr-proportion", TaskOptions.defaults());
        Task t = TaskCache.get(spec);
        double tau = 1e-3;
        long seed = 7;
        List<BitSet> sequential = new ArrayList<>();
        List<int[]> draws = new ArrayList<>();
        Random r = new Random(seed ^ StabilityCell.STABILITY_SALT);
        try (TaskRun run = TaskRun.open(t, null, "resample", null)) {
            DiscoveryProblem problem = run.problem(seed);
            for (int b = 0; b < 4; b++) {
                int[] counts = Resampled.counts(t.clean().batch(), r);
                draws.add(counts);
                sequential.add(new Acdc(problem.patcher(), Resampled.metric(problem.metric(), counts, t.clean().length()),
                        AcdcOptions.fast(0).withThreshold(tau)).run().circuit().bits());
            }
        }
        for (int b : new int[] {3, 1, 4, 2}) {
            assertArrayEquals(draws.get(b - 1), StabilityCell.resampleCounts(t.clean().batch(), seed, b), "resample " + b);
            assertFalse(java.util.Arrays.equals(draws.get(b - 1), draws.get(b % 4)), "the draws differ from resample to resample");
            StabilityCell.Result job = StabilityCell.parse(new StabilityCell(spec, null, "resample", tau, b, seed).compute(x -> {}));
            assertEquals(sequential.get(b - 1), job.bits(), "resample " + b);
            assertEquals(sequential.get(b - 1).cardinality(), job.edges());
        }
    }
}
