package dev.acdc.experiments.cells;

import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.experiments.discover.TaskRun;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The executor's side of ACDC's speculative tests, engine-agnostic: evaluates a slice of a receiver's cumulative
 * removals with ACDC's own fast path on a run of the job's task. Runs are pooled per JVM and job: a task that finds a
 * free one reuses it (the model is loaded and put on the engine once per slot, not per test); two tasks running at
 * once in one JVM ({@code local[2]}) each get their own, because a patcher keeps the state of its previous pass.
 */
public final class RemovalWorker {

    private static final Map<RemovalJob, Deque<Slot>> FREE = new HashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong EVALUATED = new java.util.concurrent.atomic.AtomicLong();

    private record Slot(TaskRun run, Acdc acdc) {}

    private RemovalWorker() {}

    /**
     * {@code values[j − from]} = the metric with {@code removals[0..j]} taken out of {@code mask}, for j in [from, to).
     */
    public static double[] evaluate(RemovalJob job, float[] mask, int[] removals, int from, int to) {
        Slot slot = borrow(job);
        try {
            float[] cumulative = mask.clone();
            for (int j = 0; j < from; j++) cumulative[removals[j]] = 0f;
            double[] out = new double[to - from];
            int batch = slot.acdc().effectiveSpeculativeBatch();   // the local fast path's batch, capped by memory
            for (int a = from; a < to; a += batch) {
                int b = Math.min(to, a + batch);
                float[][] variants = new float[b - a][];
                for (int j = a; j < b; j++) {
                    cumulative[removals[j]] = 0f;
                    variants[j - a] = cumulative.clone();
                }
                double[] v = slot.acdc().metricOf(variants);
                EVALUATED.addAndGet(v.length);
                System.arraycopy(v, 0, out, a - from, v.length);
            }
            return out;
        } finally {
            release(job, slot);
        }
    }

    private static Slot borrow(RemovalJob job) {
        synchronized (FREE) {
            Deque<Slot> free = FREE.get(job);
            if (free != null && !free.isEmpty()) return free.pop();
        }
        AcdcOptions options = AcdcOptions.fast(0);   // τ plays no part in evaluating a mask
        TaskRun run = TaskRun.openForAcdc(TaskCache.get(job.task()), job.metric(), job.ablation(), null, options);
        return new Slot(run, run.acdc(options));
    }

    private static void release(RemovalJob job, Slot slot) {
        synchronized (FREE) {
            FREE.computeIfAbsent(job, k -> new ArrayDeque<>()).push(slot);
        }
    }

    /** How many variants this JVM has evaluated for remote ACDC runs (tests: the executors did the work). */
    public static long variantsEvaluated() {
        return EVALUATED.get();
    }

    /** Closes every pooled run (tests; an executor JVM simply ends). */
    public static void closeAll() {
        synchronized (FREE) {
            for (Deque<Slot> d : FREE.values()) for (Slot s : d) s.run().close();
            FREE.clear();
        }
    }
}
