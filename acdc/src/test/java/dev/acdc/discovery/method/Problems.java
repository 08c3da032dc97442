package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.function.Function;

/** Builds a {@link DiscoveryProblem} for a task and closes everything afterwards. */
final class Problems {
    private Problems() {}

    static <T> T with(Task task, Ablation ablation, String metricName, long seed, Function<DiscoveryProblem, T> body) {
        try (HookedTransformer m = new HookedTransformer(task.weights());
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(task.weights().config()), task.clean(), ablation,
                     task.corrupted(), task.corruptedHooks());
             NDManager scope = NDManager.newBaseManager()) {
            NDArray clean = p.cleanLogits(scope);
            DiscoveryProblem problem = new DiscoveryProblem(task, m, p.graph(), p, ablation, metricName,
                    task.metric(metricName, clean), clean, seed);
            return body.apply(problem);
        }
    }
}
