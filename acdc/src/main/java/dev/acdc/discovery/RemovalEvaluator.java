package dev.acdc.discovery;

/**
 * Evaluates a receiver's cumulative removals somewhere else than ACDC's own loop: on a cluster's executors, each
 * holding the model. ACDC takes the decisions from the values exactly as it does from its own batched forward
 * ({@link Acdc#run}), so the circuit is the one the local fast path finds, up to the float rounding that separates
 * any two ways of evaluating the same masks (see {@link AcdcOptions}).
 */
public interface RemovalEvaluator extends AutoCloseable {

    /** How many cumulative removals one call should evaluate at most (the executors' slots). */
    int width();

    /**
     * The metric of each cumulative removal: {@code values[j]} is the metric with the edges {@code removals[0..j]}
     * taken out of {@code mask} (1 = kept, 0 = removed).
     */
    double[] cumulativeRemovals(float[] mask, int[] removals);

    @Override
    void close();
}
