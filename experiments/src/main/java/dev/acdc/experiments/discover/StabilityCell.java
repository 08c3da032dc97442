package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.experiments.cells.CellJob;
import dev.acdc.experiments.cells.CellJson;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.metrics.Resampled;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * One run of {@code faithfulness --stability} as a job: ACDC at one threshold on the {@code resample}-th bootstrap
 * resample of the examples. The resamples are drawn in turn from one {@code java.util.Random} seeded with
 * {@code seed ^ STABILITY_SALT} ({@link Resampled#counts}), so the job replays the draws before its own: any JVM draws
 * the same examples for it.
 *
 * @param resample 1-based: which of the command's resamples
 */
record StabilityCell(TaskSpec task, String metric, String ablation, double threshold, int resample, long seed)
        implements CellJob {

    /** The run's kept edges (ids in graph order) and their count. */
    record Result(List<Integer> kept, int edges, double seconds) {
        BitSet bits() {
            BitSet b = new BitSet();
            kept.forEach(b::set);
            return b;
        }
    }

    static Result parse(String json) {
        return CellJson.read(json, Result.class);
    }

    /** Mixed into the seed for the resamples, so that they are not the bootstrap interval's draws. */
    static final long STABILITY_SALT = 0x5AB1E5EEDL;

    /** How often each of the n examples is drawn in the {@code resample}-th (1-based) resample of the seed's sequence. */
    static int[] resampleCounts(int n, long seed, int resample) {
        Random r = new Random(seed ^ STABILITY_SALT);
        int[] counts = null;
        for (int b = 1; b <= resample; b++) counts = Resampled.counts(n, r);
        return counts;
    }

    @Override
    public String description() {
        return "ACDC τ=" + threshold + " on resample " + resample;
    }

    @Override
    public String fileName() {
        return TaskRun.fileName(task.spelled()) + "-stability-" + resample;
    }

    @Override
    public String compute(Consumer<String> progress) {
        long start = System.nanoTime();
        Task t = TaskCache.get(task);
        int[] counts = resampleCounts(t.clean().batch(), seed, resample);
        try (TaskRun run = TaskRun.open(t, metric, ablation, null)) {
            DiscoveryProblem problem = run.problem(seed);
            AcdcResult res = new Acdc(problem.patcher(), Resampled.metric(problem.metric(), counts, t.clean().length()),
                    AcdcOptions.fast(0).withThreshold(threshold)).run();
            List<Integer> kept = res.circuit().bits().stream().boxed().toList();
            return CellJson.write(new Result(kept, res.circuit().edgeCount(), (System.nanoTime() - start) / 1e9));
        }
    }
}
