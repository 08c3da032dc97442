package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.discovery.method.FaithfulnessCurves;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.metrics.Faithfulness;
import dev.acdc.metrics.FaithfulnessBootstrap;
import dev.acdc.metrics.Resampled;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
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
        try (OutputDirectory.Staging staged = OutputDirectory.stage("--out", dir, OUTPUT_FILES::contains, "a previous faithfulness result",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            run(staged, fractions);
        }
        return 0;
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

    private void run(OutputDirectory.Staging staged, double[] fractions) {
        long start = System.nanoTime();
        Task t = TaskSource.lookup(TaskSource.current(), task, taskOptions.options());
        TaskRun.parseMetric(t, metric);
        TaskRun.checkAblationFits(t, TaskRun.parseAblation(ablation));

        PrintWriter err = spec.commandLine().getErr();
        // per method, with each method's own steps (ACDC's thresholds, SP's λ and epochs, EAP's passes) after its name
        dev.acdc.experiments.Progress progress = dev.acdc.experiments.Progress.start(err, "faithfulness: method", methods.size());
        MethodFactory.Settings settings = new MethodFactory.Settings(null, false, eap.gradientAt(), progress::detail,
                edgePruning.targets());
        StringBuilder csv = new StringBuilder("method,ranking,size_percent,fraction,edges_nominal,parameter,value,edges,metric,f,"
                + "complement_edges,complement_metric,complement_f\n");
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, double[]> plotted = new LinkedHashMap<>();
        String metricName;
        try (TaskRun run = TaskRun.open(t, metric, ablation, null)) {
            metricName = run.metricName();
            DiscoveryProblem problem = run.problem(taskOptions.seed());
            CircuitGraph g = problem.graph();
            boolean perRow = problem.metric().scoresPerRow() && problem.metric().scoredPositions().isPresent();
            int replicates = bootstrap;
            if (replicates > 0 && !perRow) {
                err.println("faithfulness: metric " + metricName + " gives no per-example values; no bootstrap interval");
                replicates = 0;
            }
            FaithfulnessCurves.Evaluator ev = new FaithfulnessCurves.Evaluator(problem, replicates > 0);
            if (!ev.defined()) {
                throw new BadInputException("faithfulness is undefined on " + t.name() + " with metric " + metricName + " and ablation "
                        + ablation + ": the full model and the empty circuit score the same (" + ev.full() + ", " + ev.empty() + ")");
            }
            FaithfulnessBootstrap boot = replicates > 0 ? new FaithfulnessBootstrap(ev.fullSums().length, replicates, taskOptions.seed()) : null;
            if (boot != null) csv.setLength(csv.length() - 1);
            if (boot != null) csv.append(",f_ci_low,f_ci_high,f_bootstrap_sd\n");
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
            if (boot != null) {
                summary.put("bootstrap_seed", taskOptions.seed());
                summary.put("bootstrap_examples", boot.examples());
            }
            Map<String, Object> perMethod = new LinkedHashMap<>();
            for (String method : methods) {
                long m0 = System.nanoTime();
                progress.begin(methods.indexOf(method) + 1, method);
                DiscoveryMethod dm = MethodFactory.create(method, t, metricName, settings);
                MethodFaithfulness.Curves curves = MethodFaithfulness.run(dm, problem, ev, fractions).curves();
                FaithfulnessCurves.Curve cprCurve = curves.cpr(), cmdCurve = curves.cmd();
                String cprRanking = curves.cprRanking(), cmdRanking = curves.cmdRanking();
                FaithfulnessBootstrap.Interval[] cprCi = intervals(boot, ev, cprCurve);
                FaithfulnessBootstrap.Interval[] cmdCi = cmdCurve == cprCurve ? cprCi : intervals(boot, ev, cmdCurve);
                append(csv, method, cprRanking, cprCurve, cprCi);
                if (cmdCurve != cprCurve) append(csv, method, cmdRanking, cmdCurve, cmdCi);
                perMethod.put("cpr." + method, cprCurve.area().cpr());
                perMethod.put("cmd." + method, cmdCurve.area().cmd());
                perMethod.put("faithfulness." + method, boxed(cprCurve.f()));
                perMethod.put("faithfulness_abs." + method, boxed(cmdCurve.f()));
                perMethod.put("complement." + method, boxed(cprCurve.complementF()));
                if (boot != null) {
                    perMethod.put("faithfulness_ci_low." + method, Arrays.stream(cprCi).map(FaithfulnessBootstrap.Interval::low).toList());
                    perMethod.put("faithfulness_ci_high." + method, Arrays.stream(cprCi).map(FaithfulnessBootstrap.Interval::high).toList());
                    perMethod.put("faithfulness_sd." + method, Arrays.stream(cprCi).map(FaithfulnessBootstrap.Interval::sd).toList());
                    perMethod.put("faithfulness_abs_ci_low." + method, Arrays.stream(cmdCi).map(FaithfulnessBootstrap.Interval::low).toList());
                    perMethod.put("faithfulness_abs_ci_high." + method, Arrays.stream(cmdCi).map(FaithfulnessBootstrap.Interval::high).toList());
                }
                perMethod.put("seconds." + method, (System.nanoTime() - m0) / 1e9);
                MethodFaithfulness.addPlotSeries(plotted, method, curves);
            }
            summary.putAll(perMethod);
            progress.finish(String.join(", ", methods));
            if (stability > 0) {
                if (!perRow) throw new BadInputException("--stability: metric " + metricName + " gives no per-example values to resample");
                summary.putAll(stability(t, problem, err));
            }
        }
        summary.put("seconds", (System.nanoTime() - start) / 1e9);
        summary.put("smoke_run", t.smokeRun());

        AtomicFiles.write(staged.dir().resolve("faithfulness.csv"), csv.toString());
        PlotImages plot = FaithfulnessPlot.render(t.name() + " (" + metricName + ", " + ablation + "): faithfulness", fractions, plotted);
        AtomicFiles.write(staged.dir().resolve("faithfulness.png"), plot.png());
        AtomicFiles.write(staged.dir().resolve("faithfulness.svg"), plot.svg());
        AtomicFiles.write(staged.dir().resolve("faithfulness.json"), DiscoverCommand.gson(true).toJson(summary) + "\n");
        staged.commit();

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(DiscoverCommand.gson(false).toJson(summary));
        } else {
            StringBuilder line = new StringBuilder(t.name() + " faithfulness at " + fractions.length + " sizes (" + metricName + ", "
                    + ablation + "):");
            for (String m : methods) {
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
    }

    /**
     * ACDC at one threshold on {@code stability} bootstrap resamples of the examples: resample b draws n examples with
     * replacement ({@link Resampled#counts}, one {@code java.util.Random} seeded with {@code seed ^ STABILITY_SALT}
     * for all runs), ACDC then scores the metric of the drawn examples ({@link Resampled#metric}); the result is the mean
     * Jaccard overlap of the kept edge sets over all pairs of runs.
     */
    private Map<String, Object> stability(Task t, DiscoveryProblem problem, PrintWriter err) {
        long s0 = System.nanoTime();
        double[] defaults = t.defaultThresholds();
        double tau = threshold != null ? threshold : defaults[defaults.length / 2];
        int n = t.clean().batch();
        long seqLen = t.clean().length();
        java.util.Random r = new java.util.Random(taskOptions.seed() ^ STABILITY_SALT);
        List<java.util.BitSet> sets = new ArrayList<>();
        List<Integer> edges = new ArrayList<>();
        dev.acdc.experiments.Progress progress = dev.acdc.experiments.Progress.start(err, "faithfulness: stability, ACDC τ=" + tau + " on resample",
                stability);
        for (int b = 0; b < stability; b++) {
            progress.begin(b + 1, "");
            int[] counts = Resampled.counts(n, r);
            AcdcResult res = new Acdc(problem.patcher(), Resampled.metric(problem.metric(), counts, seqLen),
                    AcdcOptions.fast(0).withThreshold(tau)).run();
            sets.add(res.circuit().bits());
            edges.add(res.circuit().edgeCount());
        }
        progress.finish("");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stability.acdc", Resampled.meanPairwiseJaccard(sets));
        out.put("stability_runs", stability);
        out.put("stability_threshold", tau);
        out.put("stability_seed", taskOptions.seed());
        out.put("stability_edges.acdc", edges);
        out.put("stability_seconds", (System.nanoTime() - s0) / 1e9);
        return out;
    }

    /** Mixed into --seed for the stability resamples, so that they are not the bootstrap interval's draws. */
    static final long STABILITY_SALT = 0x5AB1E5EEDL;

    /** The bootstrap interval of f at each point of a curve; null without a bootstrap. */
    private static FaithfulnessBootstrap.Interval[] intervals(FaithfulnessBootstrap boot, FaithfulnessCurves.Evaluator ev,
                                                              FaithfulnessCurves.Curve c) {
        if (boot == null) return null;
        double[] full = ev.fullSums(), empty = ev.emptySums();
        return c.points().stream().map(p -> boot.interval(p.exampleSums(), full, empty)).toArray(FaithfulnessBootstrap.Interval[]::new);
    }

    private static void append(StringBuilder csv, String method, String ranking, FaithfulnessCurves.Curve c,
                               FaithfulnessBootstrap.Interval[] ci) {
        for (int i = 0; i < c.points().size(); i++) {
            FaithfulnessCurves.Point p = c.points().get(i);
            csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%s,%s,%d,%s,%s,%d,%s,%s", method, ranking,
                    DiscoverCommand.plain(round(p.fraction() * 100)), DiscoverCommand.plain(p.fraction()), p.nominalEdges(),
                    p.selected().parameter(), DiscoverCommand.plain(p.selected().value()), p.edges(), DiscoverCommand.plain(p.metric()),
                    DiscoverCommand.plain(p.f()), p.complementEdges(), DiscoverCommand.plain(p.complementMetric()),
                    DiscoverCommand.plain(p.complementF())));
            if (ci != null) {
                csv.append(',').append(plainOrNaN(ci[i].low())).append(',').append(plainOrNaN(ci[i].high()))
                        .append(',').append(plainOrNaN(ci[i].sd()));
            }
            csv.append('\n');
        }
    }

    private static String plainOrNaN(double x) {
        return Double.isFinite(x) ? DiscoverCommand.plain(x) : Double.toString(x);
    }

    /** A percentage back from its fraction, without the binary noise of ×100 (0.001 × 100 = 0.1, not 0.1000…02). */
    private static double round(double percent) {
        return new BigDecimal(percent).round(new java.math.MathContext(12)).doubleValue();
    }

    private static List<Double> boxed(double[] v) {
        List<Double> l = new ArrayList<>(v.length);
        for (double x : v) l.add(x);
        return l;
    }
}
