package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.discovery.method.FaithfulnessCurves;
import dev.acdc.discovery.method.GradientAt;
import dev.acdc.experiments.cells.CellJson;
import dev.acdc.experiments.cells.GradientMethods;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.metrics.FaithfulnessBootstrap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One method of {@code faithfulness} as a job: the method run on the task, its MIB curves at the sizes, and, with a
 * bootstrap, the interval of f at each point. The bootstrap's index draws depend on the seed and the number of examples
 * alone ({@link FaithfulnessBootstrap}), so a job computes the same intervals on any JVM.
 *
 * @param task               the task and its options
 * @param metric             {@code --metric}, or null for the task's first
 * @param ablation           {@code --ablation}
 * @param method             a {@link MethodFactory#NAMES} name
 * @param fractions          the sizes as fractions of the edges, ascending
 * @param edgePruningTargets {@code --ep-targets}, or null for Edge Pruning's default sweep
 * @param eapGradient        {@code --eap-gradient}, or null for each method's default
 * @param bootstrap          replicates of the interval, 0 for none
 * @param seed               the seed of sampling methods and of the bootstrap
 * @param runResults         the results of the method's runs when it is a sweep computed run by run, else null
 */
record FaithfulnessCell(TaskSpec task, String metric, String ablation, String method, List<Double> fractions,
                        List<Double> edgePruningTargets, GradientAt eapGradient, int bootstrap, long seed, List<String> runResults)
        implements MethodCell {

    FaithfulnessCell {
        fractions = List.copyOf(fractions);
        edgePruningTargets = edgePruningTargets == null ? null : List.copyOf(edgePruningTargets);
        runResults = runResults == null ? null : List.copyOf(runResults);
    }

    /** The method with this cell's settings. */
    @Override
    public DiscoveryMethod create(Task t, String metricName, Consumer<String> progress) {
        double[] targets = edgePruningTargets == null ? null : edgePruningTargets.stream().mapToDouble(Double::doubleValue).toArray();
        return MethodFactory.create(method, t, metricName, new MethodFactory.Settings(null, false, eapGradient, progress, targets));
    }

    @Override
    public FaithfulnessCell withRuns(List<String> results) {
        return new FaithfulnessCell(task, metric, ablation, method, fractions, edgePruningTargets, eapGradient, bootstrap, seed, results);
    }

    /**
     * What one method gives {@code faithfulness}: its {@code faithfulness.csv} rows, its areas and curves, the bootstrap
     * intervals (null lists without a bootstrap), its seconds, and its series for the plot.
     */
    record Result(String method, List<String> csvRows, double cpr, double cmd, List<Double> faithfulness,
                  List<Double> faithfulnessAbs, List<Double> complement, List<Double> ciLow, List<Double> ciHigh, List<Double> sd,
                  List<Double> absCiLow, List<Double> absCiHigh, double seconds, Map<String, double[]> plotSeries) {}

    static Result parse(String json) {
        return CellJson.read(json, Result.class);
    }

    /** The method: a faithfulness run has one task, and its progress has always named the method alone. */
    @Override
    public String description() {
        return method;
    }

    @Override
    public String fileName() {
        return TaskRun.fileName(task.spelled()) + "-" + TaskRun.fileName(method);
    }

    @Override
    public String compute(Consumer<String> progress) {
        return GradientMethods.exclusive(method, () -> CellJson.write(computeResult(progress)));
    }

    private Result computeResult(Consumer<String> progress) {
        long start = System.nanoTime();
        Task t = TaskCache.get(task);
        double[] sizes = fractions.stream().mapToDouble(Double::doubleValue).toArray();
        try (TaskRun run = TaskRun.open(t, metric, ablation, null)) {
            DiscoveryProblem problem = run.problem(seed);
            FaithfulnessCurves.Evaluator ev = new FaithfulnessCurves.Evaluator(problem, bootstrap > 0);
            if (!ev.defined()) {   // the command checked this before it made any job; a job on another JVM checks again
                throw new IllegalStateException("faithfulness is undefined: the full model and the empty circuit score the same ("
                        + ev.full() + ", " + ev.empty() + ")");
            }
            FaithfulnessBootstrap boot = bootstrap > 0 ? new FaithfulnessBootstrap(ev.fullSums().length, bootstrap, seed) : null;
            MethodFaithfulness.Curves curves = MethodFaithfulness.run(SweepRunResults.method(create(t, run.metricName(), progress), runResults),
                    problem, ev, sizes).curves();
            FaithfulnessCurves.Curve cprCurve = curves.cpr(), cmdCurve = curves.cmd();
            FaithfulnessBootstrap.Interval[] cprCi = intervals(boot, ev, cprCurve);
            FaithfulnessBootstrap.Interval[] cmdCi = curves.oneCurve() ? cprCi : intervals(boot, ev, cmdCurve);
            List<String> rows = new ArrayList<>();
            csvRows(rows, method, curves.cprRanking(), cprCurve, cprCi);
            if (!curves.oneCurve()) csvRows(rows, method, curves.cmdRanking(), cmdCurve, cmdCi);
            Map<String, double[]> series = new LinkedHashMap<>();
            MethodFaithfulness.addPlotSeries(series, method, curves);
            return new Result(method, rows, cprCurve.area().cpr(), cmdCurve.area().cmd(), boxed(cprCurve.f()), boxed(cmdCurve.f()),
                    boxed(cprCurve.complementF()), column(cprCi, FaithfulnessBootstrap.Interval::low),
                    column(cprCi, FaithfulnessBootstrap.Interval::high), column(cprCi, FaithfulnessBootstrap.Interval::sd),
                    column(cmdCi, FaithfulnessBootstrap.Interval::low), column(cmdCi, FaithfulnessBootstrap.Interval::high),
                    (System.nanoTime() - start) / 1e9, series);
        }
    }

    /** The bootstrap interval of f at each point of a curve; null without a bootstrap. */
    private static FaithfulnessBootstrap.Interval[] intervals(FaithfulnessBootstrap boot, FaithfulnessCurves.Evaluator ev,
                                                              FaithfulnessCurves.Curve c) {
        if (boot == null) return null;
        double[] full = ev.fullSums(), empty = ev.emptySums();
        return c.points().stream().map(p -> boot.interval(p.exampleSums(), full, empty)).toArray(FaithfulnessBootstrap.Interval[]::new);
    }

    private static List<Double> column(FaithfulnessBootstrap.Interval[] ci, java.util.function.ToDoubleFunction<FaithfulnessBootstrap.Interval> f) {
        return ci == null ? null : Arrays.stream(ci).map(f::applyAsDouble).toList();
    }

    /** The curve's rows of {@code faithfulness.csv} (the header is {@link FaithfulnessCommand}'s). */
    private static void csvRows(List<String> rows, String method, String ranking, FaithfulnessCurves.Curve c,
                                FaithfulnessBootstrap.Interval[] ci) {
        for (int i = 0; i < c.points().size(); i++) {
            FaithfulnessCurves.Point p = c.points().get(i);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%s,%s,%d,%s,%s,%d,%s,%s", method, ranking,
                    DiscoverCommand.plain(FaithfulnessCommand.round(p.fraction() * 100)), DiscoverCommand.plain(p.fraction()),
                    p.nominalEdges(), p.selected().parameter(), DiscoverCommand.plain(p.selected().value()), p.edges(),
                    DiscoverCommand.plain(p.metric()), DiscoverCommand.plain(p.f()), p.complementEdges(),
                    DiscoverCommand.plain(p.complementMetric()), DiscoverCommand.plain(p.complementF())));
            if (ci != null) {
                row.append(',').append(plainOrNaN(ci[i].low())).append(',').append(plainOrNaN(ci[i].high()))
                        .append(',').append(plainOrNaN(ci[i].sd()));
            }
            rows.add(row.append('\n').toString());
        }
    }

    private static String plainOrNaN(double x) {
        return Double.isFinite(x) ? DiscoverCommand.plain(x) : Double.toString(x);
    }

    private static List<Double> boxed(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }
}
