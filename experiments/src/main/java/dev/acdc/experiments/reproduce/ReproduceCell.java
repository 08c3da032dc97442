package dev.acdc.experiments.reproduce;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.GradientAt;
import dev.acdc.experiments.discover.SweepRunResults;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.discovery.method.MethodRoc;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.experiments.discover.MethodCell;
import dev.acdc.experiments.cells.GradientMethods;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.experiments.discover.MethodFactory;
import dev.acdc.experiments.discover.TaskRun;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import dev.acdc.patching.graph.NodeMerging;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One cell of {@code reproduce} as a job: a method on a task, metric and ablation, scored against the task's default
 * ground truth. Computed on whichever JVM runs it, with the task from that JVM's {@link TaskCache}.
 *
 * @param task        the task and the options it is built with
 * @param metric      the metric the method optimises
 * @param ablation    resample or zero
 * @param method      a {@link MethodFactory#NAMES} name
 * @param quick       {@code --quick}'s reduced settings
 * @param eapGradient {@code --eap-gradient}, or null for each method's default
 * @param seed        the seed of sampling methods
 * @param runResults  the results of the method's runs when it is a sweep computed run by run, else null
 */
public record ReproduceCell(TaskSpec task, String metric, String ablation, String method, boolean quick, GradientAt eapGradient,
                            long seed, List<String> runResults) implements MethodCell {

    public ReproduceCell {
        runResults = runResults == null ? null : List.copyOf(runResults);
    }

    /** The method with this cell's settings. */
    @Override
    public DiscoveryMethod create(Task t, String metricName, Consumer<String> progress) {
        return MethodFactory.create(method, t, metricName, new MethodFactory.Settings(null, quick, eapGradient, progress));
    }

    @Override
    public ReproduceCell withRuns(List<String> results) {
        return new ReproduceCell(task, metric, ablation, method, quick, eapGradient, seed, results);
    }

    @Override
    public String description() {
        return task.spelled() + " " + metric + " " + ablation + " " + method;
    }

    @Override
    public String fileName() {
        return TaskRun.fileName(task.spelled()) + "-" + metric + "-" + ablation + "-" + method;
    }

    @Override
    public String compute(Consumer<String> progress) {
        return GradientMethods.exclusive(method, () -> computeResult(progress).toJson());
    }

    CellResult computeResult(Consumer<String> progress) {
        Task t = TaskCache.get(task);
        try (TaskRun run = TaskRun.open(t, metric, ablation, null)) {
            // one method run per cell (or its runs' results): its ROC, and its faithfulness curves as the faithfulness command computes them
            FaithfulnessTable.Computed computed = FaithfulnessTable.compute(t.name(), metric, ablation,
                    SweepRunResults.method(create(t, metric, progress), runResults), run.problem(seed));
            MethodResult r = computed.result();
            MethodRoc roc = MethodRoc.of(r, run.truth());
            RocCurve acdcCodeNodes = ReproduceCommand.acdcCodeNodeCurve(r, run.truth());
            Set<String> truthNodes = run.truth().nodeNames(NodeMerging.ACDC_CODE);
            List<Cell.Point> pts = new ArrayList<>();
            for (SweepPoint sp : r.points()) {
                RocPoint e = Roc.edgePoint(sp.circuit(), run.truth());
                RocPoint n = Roc.nodePoint(sp.circuit(), truthNodes, NodeMerging.ACDC_CODE);
                RocPoint nc = Roc.nodePoint(sp.circuit(), run.truth().nodeNames());
                pts.add(new Cell.Point(sp.parameter(), sp.value(), sp.circuit().edgeCount(), e.fpr(), e.tpr(), n.fpr(), n.tpr(),
                        nc.fpr(), nc.tpr()));
            }
            Cell c = new Cell(t.name(), metric, ablation, method, run.groundTruthName(), roc.edge().pessimisticAuc(),
                    acdcCodeNodes.pessimisticAuc(), roc.node().pessimisticAuc(), roc.edge().trapezoidalAuc(),
                    acdcCodeNodes.trapezoidalAuc(), roc.node().trapezoidalAuc(), r.seconds(), pts);
            String explorer = run.sweepExplorerHtml(t.name() + "  " + metric + "  " + ablation + "  " + method, method, r);
            return new CellResult(c, roc.edge().points(), acdcCodeNodes.points(), computed.faithfulness(), explorer);
        }
    }
}
