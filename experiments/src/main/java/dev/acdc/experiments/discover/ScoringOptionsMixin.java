package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import picocli.CommandLine.Option;

/** How one run is scored and ablated, shared by {@code discover} and {@code roc}: metric, ablation, ground truth. */
public final class ScoringOptionsMixin {

    @Option(names = "--metric", paramLabel = "METRIC", description = "one of the task's metrics (default: its first)")
    String metric;

    @Option(names = "--ablation", defaultValue = "resample", paramLabel = "ABLATION",
            description = "resample (default), zero, mean or mean-per-position")
    String ablation;

    @Option(names = "--ground-truth", paramLabel = "NAME|FILE",
            description = "one of the task's ground truths (default: its first), or a file of edges: one per line or a JSON list")
    String groundTruth;

    /** Checks metric, ablation and ground truth against the task before anything is written (bad input exits 2). */
    void check(Task task) {
        TaskRun.parseMetric(task, metric);
        TaskRun.checkAblationFits(task, TaskRun.parseAblation(ablation));
        TaskRun.parseGroundTruth(task, groundTruth);
    }

    /** The task made ready with these options. */
    TaskRun open(Task task) {
        return TaskRun.open(task, metric, ablation, groundTruth);
    }

    /** {@link TaskRun#openForAcdc}: an ACDC run with these options, without the native engine where it can. */
    TaskRun openForAcdc(Task task, dev.acdc.discovery.AcdcOptions options) {
        return TaskRun.openForAcdc(task, metric, ablation, groundTruth, options);
    }

    String ablation() {
        return ablation;
    }
}
