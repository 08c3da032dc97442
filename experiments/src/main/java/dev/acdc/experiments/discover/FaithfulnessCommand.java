package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.discovery.method.FaithfulnessCurves;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.Progress;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.cells.CellJob;
import dev.acdc.experiments.cells.CellJournal;
import dev.acdc.experiments.cells.CellOutcome;
import dev.acdc.experiments.cells.CellRunner;
import dev.acdc.experiments.cells.EngineOptionsMixin;
import dev.acdc.experiments.cells.SweepRun;
import dev.acdc.experiments.cells.SweepRuns;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.metrics.Faithfulness;
import dev.acdc.metrics.Resampled;
import dev.acdc.patching.graph.CircuitGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code acdc faithfulness --task T --methods …}: MIB's faithfulness curve of each method's circuits at fixed sizes,
 * its CPR and CMD, and the faithfulness of each circuit's complement, written as {@code faithfulness.csv},
 * {@code faithfulness.png}, {@code faithfulness.svg} and {@code faithfulness.json}. See {@link FaithfulnessCurves} and {@link Faithfulness}
 * for the definitions and the MIB lines they follow.
 */
@Command(name = "faithfulness",
        mixinStandardHelpOptions = true,
        description = {"Faithfulness of each method's circuits at MIB's circuit sizes (hannamw/MIB-circuit-track): "
                + "f(C) = (m(C) - m(empty)) / (m(full) - m(empty)) with the run's metric and ablation, the area under f (CPR) "
                + "and under |1 - f| (CMD) by the trapezoid rule over the fraction of edges, and f of each circuit's complement.",
                "EAP and EAP-IG: the top-n edges by signed score for CPR and by |score| for CMD, as MIB reports them; "
                        + "ACDC, SP, HISP and edge-pruning: the sweep's largest circuit with at most n edges."})
public final class FaithfulnessCommand implements Callable<Integer> {

    /** MIB's sizes in percent of the edges (evaluation.py l.31, as fractions there). */
    public static final List<String> MIB_SIZES = List.of("0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50", "100");

    /** MIB's sizes as fractions, as {@code --sizes} parses them (0.1 % is MIB's {@code .001}). */
    public static double[] mibFractions() {
        return parseSizes(MIB_SIZES);
    }
    static final int MAX_SIZES = 100;
    /** The most bootstrap replicates {@code --bootstrap} accepts. */
    static final int MAX_BOOTSTRAP = 100_000;
    /** The most ACDC runs {@code --stability} accepts (each is a whole ACDC run). */
    static final int MAX_STABILITY = 50;

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "the task's name, or file:PATH (prompts from a JSON Lines file)")
    String task;

    @Option(names = "--methods", defaultValue = "acdc,sp,hisp,eap,eap-ig", split = ",", paramLabel = "METHOD",
            description = "comma-separated methods: acdc, sp, hisp, eap, eap-ig (default: these five), edge-pruning, acdc-eap-ig[:K] (EAP-guided ACDC, K edges or K%%)")
    List<String> methods;

    @Option(names = "--sizes", split = ",", paramLabel = "PERCENT",
            description = "circuit sizes in percent of the edges, ascending, each in (0, 100], 2 to " + MAX_SIZES
                    + " of them (default MIB's: 0.1,0.2,0.5,1,2,5,10,20,50,100); size p keeps floor(p/100 × edges) edges")
    List<String> sizes;

    @Option(names = "--metric", paramLabel = "METRIC", description = "one of the task's metrics (default: its first)")
    String metric;

    @Option(names = "--ablation", defaultValue = "resample", paramLabel = "ABLATION",
            description = "resample (default; MIB's patching), zero, mean or mean-per-position")
    String ablation;

    @Mixin
    EapOptionsMixin eap;

    @Mixin
    EdgePruningOptionsMixin edgePruning;

    @Option(names = "--bootstrap", defaultValue = "200", paramLabel = "B",
            description = "replicates of a percentile bootstrap 95%% interval of f over the examples, seeded by --seed "
                    + "(default 200; 0 disables; at most " + MAX_BOOTSTRAP + "); not MIB's, which reports means only")
    int bootstrap;

    @Option(names = "--stability", defaultValue = "0", paramLabel = "N",
            description = "run ACDC at --threshold on N bootstrap resamples of the examples (seeded by --seed) and report the "
                    + "mean pairwise Jaccard overlap of the kept edges (default 0: off; else 2 to " + MAX_STABILITY + ")")
    int stability;

    @Option(names = "--threshold", paramLabel = "TAU",
            description = "ACDC's threshold for --stability (default: the middle of the task's default thresholds)")
    Double threshold;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default runs/<task>-faithfulness)")
    Path out;

    @Option(names = "--json", description = "print the summary as one flat JSON object")
    boolean json;

    @Mixin
    TaskOptionsMixin taskOptions;

    @Mixin
    EngineOptionsMixin engine;

    @Option(names = "--resume", description = "keep the methods (and --stability runs) that an unfinished previous run into the"
            + " same --out finished; compute only the rest")
    boolean resume;

    @Spec
    CommandSpec spec;

    /** What faithfulness writes; a directory holding only these is a previous result that a new run may replace. */
    static final Set<String> OUTPUT_FILES = Set.of("faithfulness.csv", "faithfulness.png", "faithfulness.svg", "faithfulness.json");

    @Override
    public Integer call() {
        for (String m : StrictParsing.distinctItems("--methods", methods, MethodFactory.NAMES.size())) TaskRun.checkMethod("--methods", m);
        TaskRun.parseAblation(ablation);   // before the task (and its model) is loaded
        eap.gradientAt();
        edgePruning.targets();
        if (bootstrap < 0 || bootstrap > MAX_BOOTSTRAP) {
            throw new BadInputException("--bootstrap " + bootstrap + ": expected 0 (off) to " + MAX_BOOTSTRAP + " replicates");
        }
        if (stability < 0 || stability == 1 || stability > MAX_STABILITY) {
            throw new BadInputException("--stability " + stability + ": expected 0 (off) or 2 to " + MAX_STABILITY + " runs");
        }
        if (threshold != null) TaskRun.checkThreshold("--threshold", threshold);
        double[] fractions = parseSizes(sizes == null ? MIB_SIZES : sizes);
        Path dir = out != null ? out : Path.of("runs", TaskSource.runName(TaskSource.current(), task, taskOptions.options()) + "-faithfulness");
        engine.check();
        // the cluster is reached first: an unreachable master is reported before anything is loaded or written
        try (CellRunner runner = engine.open("acdc faithfulness", spec.commandLine().getErr()::println);
             OutputDirectory.Staging staged = OutputDirectory.stage("--out", dir, OUTPUT_FILES::contains, "a previous faithfulness result",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            return run(runner, staged, fractions);
        }
    }

    /**
     * Sizes in percent → fractions (the decimal text divided by 100 exactly, then rounded once to a double, so "0.1"
     * gives MIB's {@code .001}); each in (0, 100], no repeats, ascending, at least two (the area needs an interval).
     */
    static double[] parseSizes(List<String> items) {
        List<String> given = StrictParsing.distinct("--sizes", items, MAX_SIZES, x -> new BigDecimal(checkedNumber(x)).stripTrailingZeros());
        if (given.size() < 2) throw new BadInputException("--sizes: " + given.size() + " size, expected at least two (CPR and CMD are areas between sizes)");
        double[] f = new double[given.size()];
        for (int i = 0; i < f.length; i++) {
            BigDecimal p = new BigDecimal(given.get(i));
            if (p.signum() <= 0 || p.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new BadInputException("--sizes " + given.get(i) + ": expected a percentage in (0, 100]");
            }
            f[i] = p.movePointLeft(2).doubleValue();
            if (i > 0 && !(f[i] > f[i - 1])) {
                throw new BadInputException("--sizes: " + given.get(i) + " after " + given.get(i - 1) + ", expected ascending sizes");
            }
        }
        return f;
    }

    private static String checkedNumber(String x) {
        StrictParsing.finiteNumber("--sizes", x);
        return x;
    }

    private int run(CellRunner runner, OutputDirectory.Staging staged, double[] fractions) {
        long start = System.nanoTime();
        Task t = TaskSource.lookup(TaskSource.current(), task, taskOptions.options());
        TaskRun.parseMetric(t, metric);
        TaskRun.checkAblationFits(t, TaskRun.parseAblation(ablation));
        PrintWriter err = spec.commandLine().getErr();
        TaskSpec taskSpec = TaskSpec.of(task, taskOptions.options());
        TaskCache.put(taskSpec, t);   // the local runner computes on the task loaded here

        // what every job shares is checked here, before any job: f defined, per-example values for the bootstrap
        Map<String, Object> summary = new LinkedHashMap<>();
        String metricName;
        int replicates = bootstrap;
        try (TaskRun run = TaskRun.open(t, metric, ablation, null)) {
            metricName = run.metricName();
            DiscoveryProblem problem = run.problem(taskOptions.seed());
            CircuitGraph g = problem.graph();
            boolean perRow = problem.metric().scoresPerRow() && problem.metric().scoredPositions().isPresent();
            if (stability > 0 && !perRow) throw new BadInputException("--stability: metric " + metricName + " gives no per-example values to resample");
            if (replicates > 0 && !perRow) {
                err.println("faithfulness: metric " + metricName + " gives no per-example values; no bootstrap interval");
                replicates = 0;
            }
            FaithfulnessCurves.Evaluator ev = new FaithfulnessCurves.Evaluator(problem, replicates > 0);
            if (!ev.defined()) {
                throw new BadInputException("faithfulness is undefined on " + t.name() + " with metric " + metricName + " and ablation "
                        + ablation + ": the full model and the empty circuit score the same (" + ev.full() + ", " + ev.empty() + ")");
            }
            summary.put("task", t.name());
            summary.put("metric", metricName);
            summary.put("ablation", ablation);
            summary.put("edges_total", g.edgeCount());
            summary.put("sizes", Arrays.stream(fractions).map(x -> x * 100).boxed().map(FaithfulnessCommand::round).toList());
            summary.put("fractions", Arrays.stream(fractions).boxed().toList());
            summary.put("edges", Arrays.stream(fractions).mapToInt(x -> Faithfulness.edgesAt(x, g.edgeCount())).boxed().toList());
            summary.put("metric_full", ev.full());
            summary.put("metric_empty", ev.empty());
            summary.put("eap_gradient", eap.describe());
            summary.put("bootstrap", replicates);
            if (replicates > 0) {
                summary.put("bootstrap_seed", taskOptions.seed());
                summary.put("bootstrap_examples", ev.fullSums().length);
            }
        }

        double[] defaults = t.defaultThresholds();
        double tau = threshold != null ? threshold : defaults[defaults.length / 2];
        double[] epTargets = edgePruning.targets();
        List<Double> fractionList = Arrays.stream(fractions).boxed().toList();
        List<Double> epTargetList = epTargets == null ? null : Arrays.stream(epTargets).boxed().toList();
        int b = replicates;
        List<FaithfulnessCell> methodJobs = methods.stream().map(m -> new FaithfulnessCell(taskSpec, metric, ablation, m, fractionList,
                epTargetList, eap.gradientAt(), b, taskOptions.seed(), null)).toList();
        List<StabilityCell> stabilityJobs = java.util.stream.IntStream.rangeClosed(1, stability)
                .mapToObj(i -> new StabilityCell(taskSpec, metric, ablation, tau, i, taskOptions.seed())).toList();
        List<CellJob> jobs = new ArrayList<>(methodJobs);
        jobs.addAll(stabilityJobs);
        // a sweep's runs (ACDC's thresholds, SP's λ, Edge Pruning's targets) are jobs of their own, computed first
        List<SweepRun> runs = SweepRuns.of(methodJobs);
        List<CellJob> journaled = new ArrayList<>(jobs);
        journaled.addAll(runs);
        CellJournal journal = CellJournal.open(staged.target(), CellJournal.signature("acdc faithfulness cells", jobs), journaled, resume, n -> err.println("faithfulness: " + n));
        Map<String, String> results = new LinkedHashMap<>(journal.finished());
        Map<String, String> failed = new LinkedHashMap<>(), failedStability = new LinkedHashMap<>();
        try {
            SweepRuns.compute(runner, runs, results, journal, err, "faithfulness", "method", failed);
            // per method, with each method's own steps (ACDC's thresholds, SP's λ and epochs, EAP's passes) after its name
            Progress progress = Progress.start(err, "faithfulness: method", methodJobs.size());
            runCells(runner, SweepRuns.assemble(methodJobs, runs, results), methodJobs.size(), results, progress, journal, failed,
                    "faithfulness: method ");
            progress.finish(String.join(", ", methods));
            if (!stabilityJobs.isEmpty()) {
                Progress sp = Progress.start(err, "faithfulness: stability", stability);
                runCells(runner, stabilityJobs.stream().filter(j -> !results.containsKey(j.fileName())).toList(), stabilityJobs.size(),
                        results, sp, journal, failedStability, "faithfulness: stability ");
                sp.finish("");
            }
        } catch (RuntimeException e) {
            // a run that ends before any cell finished leaves nothing to resume: no journal either
            if (journal.finished().isEmpty()) journal.delete();
            throw e;
        }

        // the files from the per-job results, in the methods' order whatever order they finished in
        StringBuilder csv = new StringBuilder("method,ranking,size_percent,fraction,edges_nominal,parameter,value,edges,metric,f,"
                + "complement_edges,complement_metric,complement_f" + (replicates > 0 ? ",f_ci_low,f_ci_high,f_bootstrap_sd" : "") + "\n");
        Map<String, double[]> plotted = new LinkedHashMap<>();
        List<String> finishedMethods = new ArrayList<>();
        for (FaithfulnessCell job : methodJobs) {
            String json = results.get(job.fileName());
            if (json == null) continue;
            FaithfulnessCell.Result r = FaithfulnessCell.parse(json);
            String m = r.method();
            finishedMethods.add(m);
            r.csvRows().forEach(csv::append);
            summary.put("cpr." + m, r.cpr());
            summary.put("cmd." + m, r.cmd());
            summary.put("faithfulness." + m, r.faithfulness());
            summary.put("faithfulness_abs." + m, r.faithfulnessAbs());
            summary.put("complement." + m, r.complement());
            if (r.ciLow() != null) {
                summary.put("faithfulness_ci_low." + m, r.ciLow());
                summary.put("faithfulness_ci_high." + m, r.ciHigh());
                summary.put("faithfulness_sd." + m, r.sd());
                summary.put("faithfulness_abs_ci_low." + m, r.absCiLow());
                summary.put("faithfulness_abs_ci_high." + m, r.absCiHigh());
            }
            summary.put("seconds." + m, r.seconds());
            plotted.putAll(r.plotSeries());
        }
        if (!stabilityJobs.isEmpty() && failedStability.isEmpty()) {
            List<StabilityCell.Result> resampled = stabilityJobs.stream().map(j -> StabilityCell.parse(results.get(j.fileName()))).toList();
            summary.put("stability.acdc", Resampled.meanPairwiseJaccard(resampled.stream().map(StabilityCell.Result::bits).toList()));
            summary.put("stability_runs", stability);
            summary.put("stability_threshold", tau);
            summary.put("stability_seed", taskOptions.seed());
            summary.put("stability_edges.acdc", resampled.stream().map(StabilityCell.Result::edges).toList());
            summary.put("stability_seconds", resampled.stream().mapToDouble(StabilityCell.Result::seconds).sum());
        }
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        summary.put("smoke_run", t.smokeRun());
        if (!failed.isEmpty()) summary.put("failed_methods", failed);   // absent when every job finished
        if (!failedStability.isEmpty()) summary.put("failed_stability_runs", failedStability);

        AtomicFiles.write(staged.dir().resolve("faithfulness.csv"), csv.toString());
        PlotImages plot = FaithfulnessPlot.render(t.name() + " (" + metricName + ", " + ablation + "): faithfulness", fractions, plotted);
        AtomicFiles.write(staged.dir().resolve("faithfulness.png"), plot.png());
        AtomicFiles.write(staged.dir().resolve("faithfulness.svg"), plot.svg());
        AtomicFiles.write(staged.dir().resolve("faithfulness.json"), DiscoverCommand.gson(true).toJson(summary) + "\n");
        staged.commit();
        int failures = failed.size() + failedStability.size();
        if (failures == 0) journal.delete();   // kept otherwise: --resume computes the failed jobs only

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(DiscoverCommand.gson(false).toJson(summary));
        } else {
            StringBuilder line = new StringBuilder(t.name() + " faithfulness at " + fractions.length + " sizes (" + metricName + ", "
                    + ablation + "):");
            for (String m : finishedMethods) {
                line.append(String.format(Locale.ROOT, " %s CPR %.3f, CMD %.3f;", m, (double) summary.get("cpr." + m),
                        (double) summary.get("cmd." + m)));
            }
            if (summary.containsKey("stability.acdc")) {
                line.append(String.format(Locale.ROOT, " ACDC stability %.3f (mean pairwise Jaccard of %d resamples, τ=%s);",
                        (double) summary.get("stability.acdc"), stability, summary.get("stability_threshold")));
            }
            line.append(String.format(Locale.ROOT, " %.1f s%s → %s", (double) summary.get("seconds"),
                    t.smokeRun() ? " [smoke run]" : "", staged.target()));
            o.println(line);
        }
        o.flush();
        if (failures > 0) {
            err.println("faithfulness: " + failures + " of " + jobs.size() + " jobs failed; the others are written, and --resume"
                    + " computes the failed ones again");
            return dev.acdc.experiments.AcdcCli.EXIT_INTERNAL_ERROR;
        }
        return 0;
    }

    /**
     * Runs the jobs ({@code todo}, the ones of {@code total} not finished yet), recording each result as it arrives and
     * each failure with the job's description.
     */
    private static void runCells(CellRunner runner, List<? extends CellJob> todo, int total, Map<String, String> results,
                                 Progress progress, CellJournal journal, Map<String, String> failed, String failurePrefix) {
        runner.run(todo, progress, total - todo.size() + 1, outcome -> {
            if (outcome instanceof CellOutcome.Finished f) {
                journal.record(f.job(), f.json());
                results.put(f.job().fileName(), f.json());
            } else if (outcome instanceof CellOutcome.Failed x) {
                failed.put(x.job().description(), x.error());
                progress.println(failurePrefix + x.job().description() + " failed: " + x.error());
            } else {
                throw new IllegalStateException("unhandled outcome " + outcome);
            }
        });
    }

    /** A percentage back from its fraction, without the binary noise of ×100 (0.001 × 100 = 0.1, not 0.1000…02). */
    static double round(double percent) {
        return new BigDecimal(percent).round(new java.math.MathContext(12)).doubleValue();
    }
}
