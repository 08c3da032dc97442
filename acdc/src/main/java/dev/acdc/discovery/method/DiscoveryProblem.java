package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import dev.acdc.datasets.Task;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.Objects;

/**
 * A task made ready for discovery. The caller owns every resource here and closes it after the
 * methods have run; a method must not close them.
 *
 * @param task        the task (inputs, corrupted inputs and hooks, metrics, ground truths)
 * @param model       the task's model
 * @param graph       the edge graph of the model
 * @param patcher     an edge patcher over the clean inputs under {@code ablation}
 * @param ablation    what a removed edge or node carries instead of its value
 * @param metricName  the metric the run is scored with (one of the task's metric names)
 * @param metric      that metric, lower is better, built on {@code cleanLogits}
 * @param cleanLogits the clean model's logits [B, P, V]; build other metrics with {@link #metric(String)}
 * @param seed        the seed for methods that sample (SP)
 */
public record DiscoveryProblem(Task task, HookedTransformer model, CircuitGraph graph, EdgePatcher patcher,
                               Ablation ablation, String metricName, Metric metric, NDArray cleanLogits, long seed) {
    public DiscoveryProblem {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(patcher, "patcher");
        Objects.requireNonNull(ablation, "ablation");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(cleanLogits, "cleanLogits");
    }

    public ModelInput clean() {
        return task.clean();
    }

    public ModelInput corrupted() {
        return task.corrupted();
    }

    /** Another of the task's metrics on the same clean logits (e.g. a task metric for gradient methods). */
    public Metric metric(String name) {
        return task.metric(name, cleanLogits);
    }
}
