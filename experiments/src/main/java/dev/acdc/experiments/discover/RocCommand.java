package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.explorer.CircuitExplorer;
import dev.acdc.experiments.cells.CellJournal;
import dev.acdc.experiments.cells.CellOutcome;
import dev.acdc.experiments.cells.CellRunner;
import dev.acdc.experiments.cells.EngineOptionsMixin;
import dev.acdc.experiments.cells.CellJob;
import dev.acdc.experiments.cells.SweepCell;
import dev.acdc.experiments.cells.SweepRun;
import dev.acdc.experiments.cells.SweepRuns;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.metrics.RocCurve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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
            description = "comma-separated methods: acdc (default), sp, hisp, eap, eap-ig, edge-pruning, acdc-eap-ig[:K] (EAP-guided ACDC, K edges or K%%)")
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

    @Mixin
    EdgePruningOptionsMixin edgePruning;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default runs/<task>-roc)")
    Path out;

    @Option(names = "--json", description = "print the AUCs as one flat JSON object")
    boolean json;

    @Mixin
    TaskOptionsMixin taskOptions;

    @Mixin
    EngineOptionsMixin engine;

    @Option(names = "--resume", description = "keep the methods that an unfinished previous run into the same --out finished;"
            + " compute only the rest")
    boolean resume;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String m : StrictParsing.distinctItems("--methods", methods, MethodFactory.NAMES.size())) TaskRun.checkMethod("--methods", m);
        TaskRun.parseAblation(scoring.ablation());   // before the task (and its model) is loaded
        eap.gradientAt();
        edgePruning.targets();
        if (thresholds != null || thresholdRange != null) thresholds(null);   // list and range checked before the task loads
        // the task's name, not its spelling: runs on the ACDC code's data get their own directory
        Path dir = out != null ? out : Path.of("runs", TaskSource.runName(TaskSource.current(), task, taskOptions.options()) + "-roc");
        engine.check();
        // the cluster is reached first: an unreachable master is reported before anything is loaded or written
        try (CellRunner runner = engine.open("acdc roc", spec.commandLine().getErr()::println);
             // checked and locked before anything is computed; the three files appear together or not at all
             OutputDirectory.Staging staged = OutputDirectory.stage("--out", dir, RocCommand::isOutputFile, "a previous roc result",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            return run(runner, staged);
        }
    }

    /** What roc writes; a directory holding only these is a previous result that a new run may replace. */
    static final java.util.Set<String> OUTPUT_FILES = java.util.Set.of("roc.csv", "roc.png", "roc.svg", "auc.json");

    /** One of roc's files: {@link #OUTPUT_FILES} or a method's explorer page ({@code explorer-METHOD.html}). */
    static boolean isOutputFile(String name) {
        return OUTPUT_FILES.contains(name) || name.startsWith("explorer-") && name.endsWith(".html");
    }

    private int run(CellRunner runner, OutputDirectory.Staging staged) {
        long start = System.nanoTime();
        Task t = TaskSource.lookup(TaskSource.current(), task, taskOptions.options());
        scoring.check(t);
        double[] taus = thresholds(t);

        PrintWriter err = spec.commandLine().getErr();
        String metricName = TaskRun.parseMetric(t, scoring.metric);
        TaskRun.GroundTruth truth = TaskRun.parseGroundTruth(t, scoring.groundTruth);
        String groundTruth = truth == null ? null : truth.name();
        TaskSpec taskSpec = TaskSpec.of(task, taskOptions.options());
        TaskCache.put(taskSpec, t);   // the local runner computes on the task loaded here
        List<Double> tauList = java.util.Arrays.stream(taus).boxed().toList();
        // a ground truth read from a file is named by its absolute path, so that an executor elsewhere finds the same file
        String truthArg = scoring.groundTruth == null || t.groundTruths().containsKey(scoring.groundTruth) ? scoring.groundTruth
                : Path.of(scoring.groundTruth).toAbsolutePath().toString();
        double[] epTargets = edgePruning.targets();
        List<Double> epTargetList = epTargets == null ? null : java.util.Arrays.stream(epTargets).boxed().toList();
        List<RocCell> jobs = methods.stream().map(m -> new RocCell(taskSpec, scoring.metric, scoring.ablation(), truthArg, m,
                tauList, epTargetList, eap.gradientAt(), taskOptions.seed(), null)).toList();
        // a sweep's runs (ACDC's thresholds, SP's λ, Edge Pruning's targets) are jobs of their own, computed first
        List<SweepRun> runs = SweepRuns.of(jobs);
        List<CellJob> journaled = new java.util.ArrayList<>(jobs);
        journaled.addAll(runs);
        CellJournal journal = CellJournal.open(staged.target(), CellJournal.signature("acdc roc cells", jobs), journaled, resume, n -> err.println("roc: " + n));
        Map<String, String> finished = new LinkedHashMap<>(journal.finished());
        Map<String, RocCell.Result> results = new LinkedHashMap<>();
        for (RocCell j : jobs) if (finished.containsKey(j.fileName())) results.put(j.fileName(), RocCell.parse(finished.get(j.fileName())));
        Map<String, String> failed = new LinkedHashMap<>();
        // per method, and per threshold inside ACDC (the one method that reports its steps)
        dev.acdc.experiments.Progress progress;
        try {
            SweepRuns.compute(runner, runs, finished, journal, err, "roc", "method", failed);
            List<SweepCell> todo = SweepRuns.assemble(jobs, runs, finished);
            progress = dev.acdc.experiments.Progress.start(err, "roc: method", methods.size());
            dev.acdc.experiments.Progress methodProgress = progress;
            runner.run(todo, progress, results.size() + 1, outcome -> {
                if (outcome instanceof CellOutcome.Finished f) {
                    journal.record(f.job(), f.json());
                    results.put(f.job().fileName(), RocCell.parse(f.json()));
                } else if (outcome instanceof CellOutcome.Failed x) {
                    failed.put(x.job().description(), x.error());
                    methodProgress.println("roc: method " + x.job().description() + " failed: " + x.error());
                } else {
                    throw new IllegalStateException("unhandled outcome " + outcome);
                }
            });
        } catch (RuntimeException e) {
            // a run that ends before any cell finished leaves nothing to resume: no journal either
            if (journal.finished().isEmpty()) journal.delete();
            throw e;
        }
        // the files from the per-method results, in the methods' order whatever order they finished in
        StringBuilder csv = new StringBuilder("method,parameter,value,edges_kept,fpr,tpr,node_fpr,node_tpr\n");
        Map<String, Object> auc = new LinkedHashMap<>();
        Map<String, RocCurve[]> curves = new LinkedHashMap<>();
        for (RocCell job : jobs) {
            RocCell.Result r = results.get(job.fileName());
            if (r == null) continue;
            r.csvRows().forEach(csv::append);
            if (r.edgeCurve() != null) curves.put(r.method(), new RocCurve[] {RocCurve.of(r.edgeCurve()), RocCurve.of(r.nodeCurve())});
            auc.putAll(r.auc());
            if (r.explorerHtml() != null) {   // every circuit of the sweep, browsable; into the staging directory
                AtomicFiles.write(staged.dir().resolve(CircuitExplorer.rocPage(r.method())), r.explorerHtml());
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
        if (!failed.isEmpty()) summary.put("failed_methods", failed);   // absent when every method finished

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
        if (failed.isEmpty()) journal.delete();   // kept otherwise: --resume computes the failed methods only

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
        if (!failed.isEmpty()) {
            err.println("roc: " + failed.size() + " of " + jobs.size() + " methods failed; the others are written, and --resume"
                    + " computes the failed ones again");
            return dev.acdc.experiments.AcdcCli.EXIT_INTERNAL_ERROR;
        }
        return 0;
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
