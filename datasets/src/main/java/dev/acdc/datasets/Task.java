package dev.acdc.datasets;

import ai.djl.ndarray.NDArray;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerWeights;

import java.util.List;
import java.util.Map;

/**
 * A circuit-discovery task: a model, clean and corrupted inputs of one shape, the metrics it is scored
 * with (oriented so that lower is better, as ACDC minimises them) and its ground-truth circuits.
 */
public interface Task {

    /** The task's CLI name, e.g. {@code tracr-reverse}. */
    String name();

    /** One line for reports. */
    String description();

    /** The model's weights; throws an exception with a clear message when the model is not available. */
    TransformerWeights weights();

    ModelInput clean();

    /** Corrupted inputs, same shape as {@link #clean()}: where resample ablation takes its values. */
    ModelInput corrupted();

    /** Hooks on the corrupted run (e.g. the tracr tasks' position scramble); none by default. */
    default List<Hook> corruptedHooks() {
        return List.of();
    }

    /**
     * The corrupted run's hooks as a permutation of positions, for callers that compute in plain Java without the
     * native engine: the corrupted run's position embedding at p is that of position perm[p]. Null when the corrupted
     * run has no hooks; a task whose hooks are anything else throws (it cannot be run without the engine).
     */
    default int[] corruptedPositionPermutation() {
        if (corruptedHooks().isEmpty()) return null;
        throw new UnsupportedOperationException("task " + name() + " hooks its corrupted run in a way plain Java cannot repeat");
    }

    /** Whether {@link #corruptedPositionPermutation()} describes the corrupted run's hooks. */
    default boolean corruptedHooksArePositionPermutation() {
        return corruptedHooks().isEmpty();
    }

    /**
     * The metric over a clean output held in a Java array [B, P, V] row-major, computed without NDArrays (a run that
     * never loads the native engine), or null when this task has no such form of that metric.
     */
    default dev.acdc.metrics.ArrayMetric arrayMetric(String name, float[] cleanOutput, int batch, int positions, int width) {
        return null;
    }

    /** The metric names this task offers; the first is the default. */
    List<String> metricNames();

    /**
     * A metric, lower is better.
     *
     * @param name        one of {@link #metricNames()}
     * @param cleanOutput the clean model's output [B, P, V] (reference for KL and L2); the metric may keep it
     */
    Metric metric(String name, NDArray cleanOutput);

    /**
     * Ground-truth circuits by name (e.g. {@code published}, {@code compiler}, {@code canonical}), as edge
     * names in the graph's notation ({@code a0.1->a3.0.k}, {@code a3.0.q->a3.0.hook_q}); the first is the default.
     * Empty for a task without one (a task file without a ground truth): its circuits get no TPR/FPR.
     */
    Map<String, List<String>> groundTruths();

    /** Default for {@code --ground-truth}; null when the task has no ground truth. */
    default String defaultGroundTruth() {
        return groundTruths().isEmpty() ? null : groundTruths().keySet().iterator().next();
    }

    /** True when a stand-in model replaces the real one (e.g. the tiny GPT-2 fixture): results are a smoke run. */
    default boolean smokeRun() {
        return false;
    }

    /** The default ACDC threshold sweep for this task (ACDC's ranges). */
    default double[] defaultThresholds() {
        double[] t = new double[21];
        for (int i = 0; i < t.length; i++) t[i] = Math.pow(10, -5 + 4.0 * i / 20);   // 10^linspace(-5, -1, 21)
        return t;
    }
}
