package dev.acdc.cluster;

import dev.acdc.discovery.RemovalEvaluator;
import dev.acdc.experiments.cells.CellRunner;
import dev.acdc.experiments.cells.ClusterEngine;
import dev.acdc.experiments.cells.RemovalJob;

import java.util.function.Consumer;

/** {@code --engine spark}: Apache Spark, found by {@link java.util.ServiceLoader} from this module's jar. */
public final class SparkEngine implements ClusterEngine {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public CellRunner cellRunner(String master, String appName, Consumer<String> log) {
        return new SparkCellRunner(SparkContexts.open(master, appName));
    }

    @Override
    public RemovalEvaluator removalEvaluator(String master, String appName, RemovalJob job) {
        return new SparkRemovalEvaluator(SparkContexts.open(master, appName), job);
    }
}
