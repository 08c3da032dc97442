package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.GradientAt;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.discovery.method.MethodRoc;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.experiments.cells.CellJson;
import dev.acdc.experiments.cells.GradientMethods;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocPoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One method of {@code roc} as a job: its sweep on the task, scored against the ground truth (if any).
 *
 * @param task        the task and its options
 * @param metric      {@code --metric}, or null for the task's first
 * @param ablation    {@code --ablation}
 * @param groundTruth {@code --ground-truth}, or null for the task's default
 * @param method      a {@link MethodFactory#NAMES} name
 * @param thresholds  ACDC's thresholds
 * @param edgePruningTargets {@code --ep-targets}, or null for Edge Pruning's default sweep
 * @param eapGradient {@code --eap-gradient}, or null for each method's default
 * @param seed        the seed of sampling methods
 * @param runResults  the results of the method's runs when it is a sweep computed run by run, else null
 */
record RocCell(TaskSpec task, String metric, String ablation, String groundTruth, String method, List<Double> thresholds,
               List<Double> edgePruningTargets, GradientAt eapGradient, long seed, List<String> runResults) implements MethodCell {

    RocCell {
        thresholds = List.copyOf(thresholds);
        edgePruningTargets = edgePruningTargets == null ? null : List.copyOf(edgePruningTargets);
        runResults = runResults == null ? null : List.copyOf(runResults);
    }

    /** The method with this cell's settings. */
    @Override
    public DiscoveryMethod create(Task t, String metricName, Consumer<String> progress) {
        double[] taus = thresholds.stream().mapToDouble(Double::doubleValue).toArray();
        double[] targets = edgePruningTargets == null ? null : edgePruningTargets.stream().mapToDouble(Double::doubleValue).toArray();
        return MethodFactory.create(method, t, metricName, new MethodFactory.Settings(taus, false, eapGradient, progress, targets));
    }

    @Override
    public RocCell withRuns(List<String> results) {
        return new RocCell(task, metric, ablation, groundTruth, method, thresholds, edgePruningTargets, eapGradient, seed, results);
    }

    /**
     * What a method's sweep gives {@code roc}: its {@code roc.csv} rows, its {@code auc.json} entries in order, and the
     * curves {@code roc.png} draws (null without a ground truth), and its explorer page (null when it found no circuit).
     */
    record Result(String method, List<String> csvRows, Map<String, Double> auc, List<RocPoint> edgeCurve,
                  List<RocPoint> nodeCurve, String explorerHtml) {}

    static Result parse(String json) {
        return CellJson.read(json, Result.class);
    }

    /** The method: a roc run has one task, and its progress has always named the method alone. */
    @Override
    public String description() {
        return method;
    }

    @Override
    public String fileName() {
        return TaskRun.fileName(task.spelled()) + "-" + method;
    }

    @Override
    public String compute(Consumer<String> progress) {
        return GradientMethods.exclusive(method, () -> computeJson(progress));
    }

    private String computeJson(Consumer<String> progress) {
        Task t = TaskCache.get(task);
        try (TaskRun run = TaskRun.open(t, metric, ablation, groundTruth)) {
            MethodResult r = SweepRunResults.method(create(t, run.metricName(), progress), runResults).discover(run.problem(seed));
            List<String> rows = new ArrayList<>();
            for (SweepPoint sp : r.points()) {
                String rates = ",,,";   // no ground truth: the circuit's size without TPR/FPR
                if (run.hasTruth()) {
                    RocPoint e = Roc.edgePoint(sp.circuit(), run.truth());
                    RocPoint n = Roc.nodePoint(sp.circuit(), run.truth().nodeNames());
                    rates = String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%.6f", e.fpr(), e.tpr(), n.fpr(), n.tpr());
                }
                rows.add(String.format(Locale.ROOT, "%s,%s,%s,%d,%s%n", method, sp.parameter(), DiscoverCommand.plain(sp.value()),
                        sp.circuit().edgeCount(), rates));
            }
            Map<String, Double> auc = new LinkedHashMap<>();
            List<RocPoint> edge = null, node = null;
            if (run.hasTruth()) {
                MethodRoc roc = MethodRoc.of(r, run.truth());
                edge = roc.edge().points();
                node = roc.node().points();
                auc.put("auc." + method + ".edge", roc.edge().pessimisticAuc());
                auc.put("auc." + method + ".edge_trapezoid", roc.edge().trapezoidalAuc());
                auc.put("auc." + method + ".node", roc.node().pessimisticAuc());
                auc.put("auc." + method + ".node_trapezoid", roc.node().trapezoidalAuc());
            }
            auc.put("seconds." + method, r.seconds());
            String explorer = run.sweepExplorerHtml(t.name() + "  " + method + " sweep  (" + run.ablation().cliName() + " ablation)", method, r);
            return CellJson.write(new Result(method, rows, auc, edge, node, explorer));
        }
    }
}
