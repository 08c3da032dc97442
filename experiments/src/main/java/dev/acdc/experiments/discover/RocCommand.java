package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.discovery.method.MethodRoc;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code acdc roc --task T --methods acdc …}: one ACDC run per threshold, edge- and node-level ROC against a
 * ground truth, written as {@code roc.csv}, {@code roc.png} and {@code roc.svg} (edge and node panels) and {@code auc.json}.
 */
@Command(name = "roc",
        mixinStandardHelpOptions = true,
        description = "Sweep discovery methods on a task (ACDC's threshold, SP's lambda, top-k of HISP, EAP's score threshold) and report edge and node ROC curves and their AUCs.")
public final class RocCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "the task's name, or file:PATH (prompts from a JSON Lines file)")
    String task;

    @Option(names = "--methods", defaultValue = "acdc", split = ",", paramLabel = "METHOD",
            description = "comma-separated methods: acdc (default), sp, hisp, eap, eap-ig")
    List<String> methods;

    @Option(names = "--thresholds", split = ",", paramLabel = "TAU",
            description = "comma-separated thresholds, each a finite number ≥ 0, no repeats, at most " + MAX_THRESHOLDS)
    List<String> thresholds;

    @Option(names = "--threshold-range", paramLabel = "LO:HI:N",
            description = "N thresholds spaced evenly in log scale from LO to HI: 10^linspace(log10 LO, log10 HI, N); 1 ≤ N ≤ "
                    + MAX_THRESHOLDS)
    String thresholdRange;

    @Mixin
    ScoringOptionsMixin scoring;

    @Mixin
    EapOptionsMixin eap;

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
        for (String m : StrictParsing.distinctItems("--methods", methods, MethodFactory.NAMES.size())) TaskRun.checkMethod("--methods", m);
        TaskRun.parseAblation(scoring.ablation());   // before the task (and its model) is loaded
        eap.gradientAt();
        if (thresholds != null || thresholdRange != null) thresholds(null);   // list and range checked before the task loads
        // the task's name, not its spelling: runs on the ACDC code's data get their own directory
        Path dir = out != null ? out : Path.of("runs", TaskSource.runName(TaskSource.current(), task, taskOptions.options()) + "-roc");
        // checked and locked before anything is computed; the three files appear together or not at all
        try (OutputDirectory.Staging staged = OutputDirectory.stage("--out", dir, OUTPUT_FILES::contains, "a previous roc result",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            run(staged);
        }
        return 0;
    }

    /** What roc writes; a directory holding only these is a previous result that a new run may replace. */
    static final java.util.Set<String> OUTPUT_FILES = java.util.Set.of("roc.csv", "roc.png", "roc.svg", "auc.json");

    private void run(OutputDirectory.Staging staged) {
        long start = System.nanoTime();
        Task t = TaskSource.lookup(TaskSource.current(), task, taskOptions.options());
        scoring.check(t);
        double[] taus = thresholds(t);

        PrintWriter err = spec.commandLine().getErr();
        // per method, and per threshold inside ACDC (the one method that reports its steps)
        dev.acdc.experiments.Progress progress = dev.acdc.experiments.Progress.start(err, "roc: method", methods.size());
        MethodFactory.Settings settings = new MethodFactory.Settings(taus, false, eap.gradientAt(), progress::detail);
        StringBuilder csv = new StringBuilder("method,parameter,value,edges_kept,fpr,tpr,node_fpr,node_tpr\n");
        Map<String, Object> auc = new LinkedHashMap<>();
        Map<String, RocCurve[]> curves = new LinkedHashMap<>();
        String metricName;
        String groundTruth;
        try (TaskRun run = scoring.open(t)) {
            metricName = run.metricName();
            groundTruth = run.groundTruthName();
            int done = 0;
            for (String method : methods) {
                progress.begin(done + 1, method);
                MethodResult r = MethodFactory.create(method, t, metricName, settings).discover(run.problem(taskOptions.seed()));
                done++;
                for (SweepPoint sp : r.points()) {
                    String rates = ",,,";   // no ground truth: the circuit's size without TPR/FPR
                    if (run.hasTruth()) {
                        RocPoint e = Roc.edgePoint(sp.circuit(), run.truth());
                        RocPoint n = Roc.nodePoint(sp.circuit(), run.truth().nodeNames());
                        rates = String.format(Locale.ROOT, "%.6f,%.6f,%.6f,%.6f", e.fpr(), e.tpr(), n.fpr(), n.tpr());
                    }
                    csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%s%n", method, sp.parameter(),
                            DiscoverCommand.plain(sp.value()), sp.circuit().edgeCount(), rates));
                }
                if (run.hasTruth()) {
                    MethodRoc roc = MethodRoc.of(r, run.truth());
                    curves.put(method, new RocCurve[] {roc.edge(), roc.node()});
                    auc.put("auc." + method + ".edge", roc.edge().pessimisticAuc());
                    auc.put("auc." + method + ".edge_trapezoid", roc.edge().trapezoidalAuc());
                    auc.put("auc." + method + ".node", roc.node().pessimisticAuc());
                    auc.put("auc." + method + ".node_trapezoid", roc.node().trapezoidalAuc());
                }
                auc.put("seconds." + method, r.seconds());
            }
        }
        progress.finish(String.join(", ", methods));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", t.name());
        summary.put("ground_truth", groundTruth);
        summary.put("metric", metricName);
        summary.put("ablation", scoring.ablation());
        summary.put("thresholds", taus.length);
        summary.put("eap_gradient", eap.describe());
        summary.putAll(auc);
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        summary.put("smoke_run", t.smokeRun());

        AtomicFiles.write(staged.dir().resolve("roc.csv"), csv.toString());
        if (groundTruth != null) {   // without a ground truth there is no ROC curve to draw
            // the paper's node points count nodes as the ACDC code did, ours here merge components: edge points only
            PlotImages plot = RocPlot.render(t.name() + " (" + scoring.ablation() + ", vs " + groundTruth + "): ROC", curves,
                    RocPlot.paperPoints(t.name(), metricName, scoring.ablation(), methods, false));
            AtomicFiles.write(staged.dir().resolve("roc.png"), plot.png());
            AtomicFiles.write(staged.dir().resolve("roc.svg"), plot.svg());
        }
        AtomicFiles.write(staged.dir().resolve("auc.json"), DiscoverCommand.gson(true).toJson(summary) + "\n");
        staged.commit();

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(DiscoverCommand.gson(false).toJson(summary));
        } else {
            StringBuilder line = new StringBuilder(t.name() + " ROC over " + taus.length + " thresholds:");
            if (groundTruth == null) line.append(" no ground truth, circuit sizes only (roc.csv);");
            for (String m : curves.keySet()) {
                line.append(String.format(Locale.ROOT, " %s edge AUC %.3f, node AUC %.3f;", m,
                        curves.get(m)[0].pessimisticAuc(), curves.get(m)[1].pessimisticAuc()));
            }
            line.append(String.format(Locale.ROOT, " %.1f s%s → %s", (double) summary.get("seconds"),
                    t.smokeRun() ? " [smoke run]" : "", staged.target()));
            o.println(line);
        }
        o.flush();
    }

    private double[] thresholds(Task t) {
        if (thresholds != null && thresholdRange != null) {
            throw new BadInputException("--thresholds and --threshold-range " + thresholdRange + ": give one or the other");
        }
        double[] taus;
        if (thresholds != null) {
            taus = StrictParsing.distinct("--thresholds", thresholds, MAX_THRESHOLDS, x -> StrictParsing.finiteNumber("--thresholds", x))
                    .stream().mapToDouble(x -> StrictParsing.finiteNumber("--thresholds", x)).toArray();
        } else if (thresholdRange != null) {
            taus = parseRange(thresholdRange);
        } else {
            taus = t.defaultThresholds();
        }
        for (double tau : taus) TaskRun.checkThreshold("--thresholds", tau);
        if (taus.length == 0) throw new BadInputException("--thresholds: expected at least one threshold");
        if (taus.length > MAX_THRESHOLDS) {
            throw new BadInputException("--thresholds: " + taus.length + " thresholds, expected at most " + MAX_THRESHOLDS
                    + " (each is one ACDC run)");
        }
        return taus;
    }

    /** Each threshold is one ACDC run: on GPT-2 a single run takes hours, on tracr about a second; 1,000 is plenty. */
    public static final int MAX_THRESHOLDS = 1000;

    /** {@code lo:hi:n} → 10^linspace(log10 lo, log10 hi, n). */
    static double[] parseRange(String s) {
        String[] f = s.split(":", -1);   // -1: a trailing ':' is an empty fourth field, not nothing
        String bad = "--threshold-range '" + s + "': expected LO:HI:N with 0 < LO ≤ HI and 1 ≤ N ≤ " + MAX_THRESHOLDS
                + ", e.g. 1e-5:1e-1:21";
        if (f.length != 3) throw new BadInputException(bad);
        double lo, hi;
        int n;
        try {
            lo = StrictParsing.finiteNumber("--threshold-range LO", f[0]);
            hi = StrictParsing.finiteNumber("--threshold-range HI", f[1]);
            n = StrictParsing.integer("--threshold-range N", f[2], 1, MAX_THRESHOLDS);
        } catch (BadInputException e) {
            throw new BadInputException(bad);
        }
        if (!(lo > 0) || !(hi >= lo) || Double.isInfinite(hi) || n < 1 || n > MAX_THRESHOLDS) throw new BadInputException(bad);
        if (n > 1 && lo == hi) throw new BadInputException(bad + " (LO = HI gives " + n + " equal thresholds)");
        double[] t = new double[n];
        double a = Math.log10(lo), b = Math.log10(hi);
        for (int i = 0; i < n; i++) t[i] = n == 1 ? lo : Math.pow(10, a + (b - a) * i / (n - 1));
        return t;
    }
}
