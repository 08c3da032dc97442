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
