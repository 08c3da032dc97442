package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.AcdcJournal;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.experiments.BadInputException;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import dev.acdc.patching.graph.Circuit;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code acdc roc --task T --methods acdc …}: one ACDC run per threshold, edge- and node-level ROC against a
 * ground truth, written as {@code roc.csv}, {@code roc.png} and {@code auc.json}.
 */
@Command(name = "roc",
        mixinStandardHelpOptions = true,
        description = "Sweep ACDC's threshold on a task and report edge and node ROC curves and their AUCs.")
public final class RocCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "the task's name")
    String task;

    @Option(names = "--methods", defaultValue = "acdc", split = ",", paramLabel = "METHOD",
            description = "comma-separated methods; acdc (default)")
    List<String> methods;

    @Option(names = "--thresholds", split = ",", paramLabel = "TAU", description = "comma-separated thresholds")
    List<Double> thresholds;

    @Option(names = "--threshold-range", paramLabel = "LO:HI:N",
            description = "N thresholds spaced evenly in log scale from LO to HI: 10^linspace(log10 LO, log10 HI, N)")
    String thresholdRange;

    @Option(names = "--metric", paramLabel = "METRIC", description = "one of the task's metrics (default: its first)")
    String metric;

    @Option(names = "--ablation", defaultValue = "resample", paramLabel = "ABLATION",
            description = "resample (default), zero, mean or mean-per-position")
    String ablation;

    @Option(names = "--ground-truth", paramLabel = "NAME", description = "one of the task's ground truths (default: its first)")
    String groundTruth;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default runs/<task>-roc)")
    Path out;

    @Option(names = "--json", description = "print the AUCs as one flat JSON object")
    boolean json;

    @Mixin
    TaskOptionsMixin taskOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        for (String m : methods) TaskRun.checkMethod("--methods", m);
        TaskRun.parseAblation(ablation);
        Task t = TaskSource.lookup(TaskSource.current(), task, taskOptions.options());
        TaskRun.parseMetric(t, metric);
        TaskRun.parseGroundTruth(t, groundTruth);
        double[] taus = thresholds(t);
        Path dir = out != null ? out : Path.of("runs", task + "-roc");
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--out " + dir + ": exists and is not a directory");
        }

        PrintWriter err = spec.commandLine().getErr();
        boolean tty = System.console() != null;
        StringBuilder csv = new StringBuilder("method,threshold,edges_kept,fpr,tpr,node_fpr,node_tpr,metric\n");
        Map<String, Object> auc = new LinkedHashMap<>();
        Map<String, RocCurve[]> curves = new LinkedHashMap<>();
        String metricName;
        try (TaskRun run = TaskRun.open(t, metric, ablation, groundTruth)) {
            metricName = run.metricName();
            for (String method : methods) {
                List<Circuit> circuits = new ArrayList<>();
                for (int i = 0; i < taus.length; i++) {
                    AcdcResult r = run.runAcdc(AcdcOptions.fast(taus[i]), AcdcJournal.none(), p -> {});
                    circuits.add(r.circuit());
                    RocPoint e = Roc.edgePoint(r.circuit(), run.truth());
                    RocPoint n = Roc.nodePoint(r.circuit(), run.truth().nodeNames());
                    csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%.6f,%.6f,%.8g%n", method,
                            DiscoverCommand.plain(taus[i]), r.circuit().edgeCount(), e.fpr(), e.tpr(), n.fpr(), n.tpr(),
                            r.metricFinal()));
                    if (tty) {
                        err.printf(Locale.ROOT, "\r%s: threshold %d/%d (τ=%s)%s", method, i + 1, taus.length,
                                DiscoverCommand.plain(taus[i]), i + 1 == taus.length ? "\n" : "");
                        err.flush();
                    }
                }
                RocCurve edge = Roc.edgeCurve(circuits, run.truth());
                RocCurve node = Roc.nodeCurve(circuits, run.truth().nodeNames());
                curves.put(method, new RocCurve[] {edge, node});
                auc.put("auc." + method + ".edge", edge.pessimisticAuc());
                auc.put("auc." + method + ".edge_trapezoid", edge.trapezoidalAuc());
                auc.put("auc." + method + ".node", node.pessimisticAuc());
                auc.put("auc." + method + ".node_trapezoid", node.trapezoidalAuc());
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", t.name());
        summary.put("ground_truth", groundTruth != null ? groundTruth : t.defaultGroundTruth());
        summary.put("metric", metricName);
        summary.put("ablation", ablation);
        summary.put("thresholds", taus.length);
        summary.putAll(auc);
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        summary.put("smoke_run", t.smokeRun());

        AtomicFiles.write(dir.resolve("roc.csv"), csv.toString());
        AtomicFiles.write(dir.resolve("roc.png"), png(t.name(), curves));
        AtomicFiles.write(dir.resolve("auc.json"), DiscoverCommand.gson(true).toJson(summary) + "\n");

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(DiscoverCommand.gson(false).toJson(summary));
        } else {
            StringBuilder line = new StringBuilder(t.name() + " ROC over " + taus.length + " thresholds:");
            for (String m : curves.keySet()) {
                line.append(String.format(Locale.ROOT, " %s edge AUC %.3f, node AUC %.3f;", m,
                        curves.get(m)[0].pessimisticAuc(), curves.get(m)[1].pessimisticAuc()));
            }
            line.append(String.format(Locale.ROOT, " %.1f s%s → %s", (double) summary.get("seconds"),
                    t.smokeRun() ? " [smoke run]" : "", dir));
            o.println(line);
        }
        o.flush();
        return 0;
    }

    private double[] thresholds(Task t) {
        if (thresholds != null && thresholdRange != null) {
            throw new BadInputException("--thresholds and --threshold-range " + thresholdRange + ": give one or the other");
        }
        double[] taus;
        if (thresholds != null) {
            taus = thresholds.stream().mapToDouble(Double::doubleValue).toArray();
        } else if (thresholdRange != null) {
            taus = parseRange(thresholdRange);
        } else {
            taus = t.defaultThresholds();
        }
        for (double tau : taus) TaskRun.checkThreshold("--thresholds", tau);
        if (taus.length == 0) throw new BadInputException("--thresholds: expected at least one threshold");
        return taus;
    }

    /** {@code lo:hi:n} → 10^linspace(log10 lo, log10 hi, n). */
    static double[] parseRange(String s) {
        String[] f = s.split(":");
        String bad = "--threshold-range '" + s + "': expected LO:HI:N with 0 < LO ≤ HI and N ≥ 1, e.g. 1e-5:1e-1:21";
        if (f.length != 3) throw new BadInputException(bad);
        double lo, hi;
        int n;
        try {
            lo = Double.parseDouble(f[0]);
            hi = Double.parseDouble(f[1]);
            n = Integer.parseInt(f[2]);
        } catch (NumberFormatException e) {
            throw new BadInputException(bad);
        }
        if (!(lo > 0) || !(hi >= lo) || Double.isInfinite(hi) || n < 1) throw new BadInputException(bad);
        double[] t = new double[n];
        double a = Math.log10(lo), b = Math.log10(hi);
        for (int i = 0; i < n; i++) t[i] = n == 1 ? lo : Math.pow(10, a + (b - a) * i / (n - 1));
        return t;
    }

    private static byte[] png(String taskName, Map<String, RocCurve[]> curves) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(640).height(520).title(taskName + ": ROC")
                .xAxisTitle("false positive rate").yAxisTitle("true positive rate").build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE);
        for (var e : curves.entrySet()) {
            String[] level = {"edge", "node"};
            for (int k = 0; k < 2; k++) {
                RocCurve c = e.getValue()[k];
                List<RocPoint> f = c.frontier();
                double[] x = f.stream().mapToDouble(RocPoint::fpr).toArray();
                double[] y = f.stream().mapToDouble(RocPoint::tpr).toArray();
                chart.addSeries(String.format(Locale.ROOT, "%s %s (AUC %.3f)", e.getKey(), level[k], c.pessimisticAuc()),
                        stepX(x), stepY(y));
            }
        }
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render roc.png: " + e.getMessage(), e);
        }
    }

    /** The staircase the pessimistic AUC measures: up at each point's FPR ({@code shape='hv'} reversed). */
    private static double[] stepX(double[] x) {
        double[] r = new double[Math.max(1, 2 * x.length - 1)];
        for (int i = 0; i < x.length; i++) {
            r[2 * i] = x[i];
            if (i + 1 < x.length) r[2 * i + 1] = x[i + 1];
        }
        return r;
    }

    private static double[] stepY(double[] y) {
        double[] r = new double[Math.max(1, 2 * y.length - 1)];
        for (int i = 0; i < y.length; i++) {
            r[2 * i] = y[i];
            if (i + 1 < y.length) r[2 * i + 1] = y[i];
        }
        return r;
    }
}
