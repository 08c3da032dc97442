package dev.acdc.experiments.cells;

import java.util.function.Consumer;

/**
 * A cluster engine the CLI can hand jobs to, found with {@link java.util.ServiceLoader} only when {@code --engine}
 * names one, so that an ordinary run neither loads nor needs it ({@code dev.acdc.cluster.SparkEngine} in the
 * {@code cluster} module is the one there is).
 */
public interface ClusterEngine {

    /** The {@code --engine} value that selects it, e.g. {@code spark}. */
    String name();

    /**
     * Connects to {@code master} and returns a runner for jobs. An unreachable or malformed master is bad input
     * ({@link dev.acdc.experiments.BadInputException}), reported before any job starts.
     *
     * @param master the cluster's address ({@code local[2]}, {@code spark://host:7077}, {@code k8s://…}); null: whatever
     *               the launcher set (spark-submit's {@code --master})
     * @param log    one line per event worth a person's attention (a retried task)
     */
    CellRunner cellRunner(String master, String appName, Consumer<String> log);

    /**
     * ACDC's cumulative-removal tests on executors, for one ACDC run of {@code job}'s task, metric and ablation; the
     * decisions stay with the caller ({@link dev.acdc.discovery.Acdc}). Null when the engine cannot do it.
     */
    default dev.acdc.discovery.RemovalEvaluator removalEvaluator(String master, String appName, RemovalJob job) {
        return null;
    }
}
