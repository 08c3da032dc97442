package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.experiments.cells.SweepCell;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;

import java.util.function.Consumer;

/**
 * A cell that runs one method on a task, metric and ablation ({@code reproduce}'s, {@code roc}'s and
 * {@code faithfulness}'s): how its sweep splits into runs and how one run is computed, the same for all three; each
 * cell says how it builds its method.
 */
public interface MethodCell extends SweepCell {

    TaskSpec task();

    /** The metric's name, or null for the task's first. */
    String metric();

    String ablation();

    long seed();

    /** The cell's method with its settings, for the task scored with {@code metricName}. */
    DiscoveryMethod create(Task task, String metricName, Consumer<String> progress);

    @Override
    default int runs() {
        Task t = TaskCache.get(task());
        String metricName = TaskRun.parseMetric(t, metric());
        return SweepRunResults.runs(create(t, metricName, s -> {}), t.name(), metricName);
    }

    @Override
    default String computeRun(int run, Consumer<String> progress) {
        Task t = TaskCache.get(task());
        try (TaskRun r = TaskRun.open(t, metric(), ablation(), null)) {
            return SweepRunResults.compute(create(t, r.metricName(), progress), r.problem(seed()), run);
        }
    }
}
