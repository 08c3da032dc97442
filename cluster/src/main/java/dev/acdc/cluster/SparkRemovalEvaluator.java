package dev.acdc.cluster;

import dev.acdc.discovery.RemovalEvaluator;
import dev.acdc.experiments.cells.RemovalJob;
import dev.acdc.experiments.cells.RemovalWorker;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * ACDC's cumulative removals of one receiver evaluated on Spark executors: the removals {e1}, {e1,e2}, … are cut into
 * one contiguous slice per executor slot, each slice one Spark task that evaluates its variants as the local fast path
 * would ({@link RemovalWorker}, one pass from the mask with the slice's first removals already applied), and the
 * values come back in order for ACDC to decide on. The mask travels as a bit set; the model never travels, each
 * executor builds it once.
 */
final class SparkRemovalEvaluator implements RemovalEvaluator {

    /** One slice: the variants j in [from, to) of the cumulative removals of {@code removals} from {@code kept}. */
    record Slice(RemovalJob job, java.util.BitSet kept, int edges, int[] removals, int from, int to) implements Serializable {}

    private final SparkContexts spark;
    private final RemovalJob job;
    private final int slots;
    private final ExecutorWatch watch;
    /** How often the driver asks the watch while it waits for a receiver's tests. */
    private static final long WATCH_MILLIS = 500;

    SparkRemovalEvaluator(SparkContexts spark, RemovalJob job) {
        this.spark = spark;
        this.job = job;
        this.slots = Math.max(1, spark.context().defaultParallelism());
        this.watch = new ExecutorWatch(spark.context().sc(), System.err::println);
    }

    /** One variant per executor slot: each slot evaluates one single-variant pass per receiver round. */
    @Override
    public int width() {
        return slots;
    }

    @Override
    public double[] cumulativeRemovals(float[] mask, int[] removals) {
        java.util.BitSet kept = new java.util.BitSet(mask.length);
        for (int i = 0; i < mask.length; i++) if (mask[i] == 1f) kept.set(i);
        int parts = Math.min(slots, removals.length);
        List<Slice> slices = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) removals.length * p / parts), to = (int) ((long) removals.length * (p + 1) / parts);
            slices.add(new Slice(job, kept, mask.length, removals, from, to));
        }
        JavaSparkContext sc = spark.context();
        org.apache.spark.api.java.JavaFutureAction<List<double[]>> submitted;
        try {
            submitted = sc.parallelize(slices, parts).map(SparkRemovalEvaluator::evaluate).collectAsync();
        } catch (IllegalStateException e) {
            if (!sc.sc().isStopped()) throw e;
            throw new dev.acdc.experiments.cells.ClusterUnavailableException("discover: ACDC's tests on Spark: " + ExecutorWatch.STOPPED
                    + "; fix that and rerun with --resume");
        }
        List<double[]> values = await(submitted);
        double[] out = new double[removals.length];
        int at = 0;
        for (double[] v : values) {
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** The job's values, or the watch's reason when it can no longer run (a lost worker, a stopped application). */
    private List<double[]> await(org.apache.spark.api.java.JavaFutureAction<List<double[]>> job) {
        try {
            while (true) {
                try {
                    return job.get(WATCH_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);   // returns the moment it is done
                } catch (java.util.concurrent.TimeoutException e) {
                    String problem = watch.problem();
                    if (problem != null) {
                        job.cancel(true);
                        throw new dev.acdc.experiments.cells.ClusterUnavailableException("discover: ACDC's tests on Spark: " + problem);
                    }
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            String problem = watch.problem();
            if (problem != null) throw new dev.acdc.experiments.cells.ClusterUnavailableException("discover: ACDC's tests on Spark: " + problem);
            throw new IllegalStateException("ACDC's tests on Spark failed: " + SparkContexts.oneLine(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.cancel(true);
            throw new IllegalStateException("interrupted while waiting for ACDC's tests on Spark", e);
        }
    }

    static double[] evaluate(Slice s) {
        float[] mask = new float[s.edges()];
        for (int i = s.kept().nextSetBit(0); i >= 0; i = s.kept().nextSetBit(i + 1)) mask[i] = 1f;
        return RemovalWorker.evaluate(s.job(), mask, s.removals(), s.from(), s.to());
    }

    @Override
    public void close() {
        spark.stopIfOwned();
    }
}
