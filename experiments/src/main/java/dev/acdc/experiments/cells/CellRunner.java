package dev.acdc.experiments.cells;

import dev.acdc.experiments.Progress;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a list of {@link CellJob}s somewhere: in this JVM one after another ({@link LocalCellRunner}, the default) or on
 * a cluster's executors ({@link ClusterEngine}). Outcomes reach {@code sink} on the calling thread, each as soon as
 * its job completes, so the caller can write it before the next one arrives.
 */
public interface CellRunner extends AutoCloseable {

    /**
     * Runs every job once and hands each outcome to {@code sink}; returns when all are handed over.
     *
     * @param progress    shows the run: the job under way or the count finished
     * @param firstNumber the number of the first job in the progress line (cells resumed before it count)
     */
    void run(List<? extends CellJob> jobs, Progress progress, int firstNumber, Consumer<CellOutcome> sink);

    /** Stops whatever the runner started (a SparkContext); the local runner has nothing to stop. */
    @Override
    void close();
}
