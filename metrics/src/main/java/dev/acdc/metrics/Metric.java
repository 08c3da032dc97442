package dev.acdc.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

import java.util.Optional;

/**
 * A scalar score of a model output where lower is better (the sign ACDC minimises: KL and L2 as they
 * are, task metrics negated).
 *
 * <p>{@link #apply} returns a scalar NDArray on the output's manager, so gradient-based methods (SP, EAP)
 * can backpropagate through it; {@link #evaluate} returns a double and frees its intermediates.
 *
 * <p>A metric that reads only some positions ({@link #scoredPositions()}) also scores those rows alone
 * ({@link #applyRows}): the compact [N, V] rows a patcher computes when it unembeds the scored positions only,
 * with no full-size output around them.
 */
public interface Metric {

    /** A short name for reports, e.g. {@code kl_div}, {@code logit_diff}. */
    String name();

    /** The metric of an output (logits [B, P, V] or a tracr output [B, P, D]) as a scalar NDArray. */
    NDArray apply(NDArray output);

    /**
     * The positions this metric reads, when it reads no others: a caller may then compute the output at those
     * positions only (ACDC skips the unembedding of the rest). Empty when the metric may read any position.
     */
    default Optional<ScoredPositions> scoredPositions() {
        return Optional.empty();
    }

    /**
     * The metric of the scored rows alone: rows [N, …] are the output at {@link #scoredPositions()} in the order
     * {@link ScoredPositions#select} gathers them. The same number as {@link #apply} on any output with those rows.
     * Every metric that names its scored positions implements it; the others cannot.
     */
    default NDArray applyRows(NDArray rows) {
        throw new UnsupportedOperationException("metric '" + name() + "' names no scored positions, so it scores whole "
                + "outputs only; call apply");
    }

    /**
     * Each scored row's own value [N], the numbers whose mean {@link #applyRows} returns (up to float rounding of the
     * mean), for a metric that is a mean over its scored rows ({@link #scoresPerRow}). Per-example statistics
     * (a bootstrap over examples) use it; {@link #apply} is unchanged.
     */
    default NDArray applyPerRow(NDArray rows) {
        throw new UnsupportedOperationException("metric '" + name() + "' gives no per-row values");
    }

    /** Whether {@link #applyPerRow} is implemented (the metric is a mean over its scored rows). */
    default boolean scoresPerRow() {
        return false;
    }

    /**
     * The per-row values of an output [B, P, …] as doubles, with the example (batch row) each scored row belongs to:
     * {@code values[k]} is the k-th scored row of {@link ScoredPositions#select}, {@code examples[k]} its batch row.
     */
    @SuppressWarnings("try")   // the scope is only opened and closed
    default PerRow evaluatePerRow(NDArray output) {
        ScoredPositions positions = scoredPositions().orElseThrow(() -> new UnsupportedOperationException(
                "metric '" + name() + "' names no scored positions"));
        long batch = output.getShape().get(0), seqLen = output.getShape().get(1);
        long[] flat = positions.flatIndices(batch, seqLen);
        int[] examples = new int[flat.length];
        for (int k = 0; k < flat.length; k++) examples[k] = (int) (flat[k] / seqLen);
        try (NDScope ignored = new NDScope()) {
            double[] values = applyPerRow(positions.select(output)).toType(DataType.FLOAT64, false).toDoubleArray();
            return new PerRow(values, examples, (int) batch);
        }
    }

    /** Per-row metric values, the batch row (example) of each, and the number of examples. */
    record PerRow(double[] values, int[] examples, int batch) {
        /** Σ of the values of each example [batch]. */
        public double[] sumsByExample() {
            double[] s = new double[batch];
            for (int k = 0; k < values.length; k++) s[examples[k]] += values[k];
            return s;
        }

        /** How many scored rows each example has [batch]. */
        public int[] rowsByExample() {
            int[] n = new int[batch];
            for (int e : examples) n[e]++;
            return n;
        }
    }

    /** {@link #applyRows} as a double; every array created along the way is closed. */
    @SuppressWarnings("try")   // the scope is only opened and closed
    default double evaluateRows(NDArray rows) {
        try (NDScope ignored = new NDScope()) {
            NDArray value = applyRows(rows);
            return value.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** The metric as a double; every array created along the way is closed. */
    @SuppressWarnings("try")   // the scope is only opened and closed
    default double evaluate(NDArray output) {
        try (NDScope ignored = new NDScope()) {
            NDArray value = apply(output);
            return value.toType(DataType.FLOAT64, false).getDouble();
        }
    }
}
