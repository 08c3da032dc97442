package dev.acdc.metrics;

/**
 * A metric that can also score an output held in a plain Java array, for callers that compute outputs without
 * NDArrays (ACDC's small-model path) and would otherwise pay several native calls per score.
 */
public interface ArrayMetric extends Metric {

    /**
     * The metric of the output {@code output[offset …]} laid out row-major as [batch, positions, width]; the same
     * number as {@link #evaluate(ai.djl.ndarray.NDArray)} on that output, within float rounding.
     */
    double evaluate(float[] output, int offset, int batch, int positions, int width);
}
