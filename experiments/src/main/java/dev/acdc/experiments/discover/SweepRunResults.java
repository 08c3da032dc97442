package dev.acdc.experiments.discover;

import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.discovery.method.SweepMethod;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.experiments.cells.CellJson;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * A sweep's run result in the journal's JSON and back ({@link dev.acdc.experiments.cells.SweepCell}): each point's
 * parameter, value, kept edge ids and per-edge scores (exact: a double's JSON text reads back to the same double), the
 * run's component scores and seconds. Read back onto the graph of the problem that assembles the sweep.
 */
public final class SweepRunResults {
    private SweepRunResults() {}

    record Point(String parameter, double value, int[] kept, double[] scores) {}

    record Run(List<Point> points, Map<String, Double> nodeScores, double seconds) {}

    /** How many runs {@code method} makes on the task and metric: 0 unless it is a {@link SweepMethod}. */
    public static int runs(DiscoveryMethod method, String taskName, String metricName) {
        return method instanceof SweepMethod s ? s.runs(taskName, metricName) : 0;
    }

    /** Run {@code i} of a sweep method on the problem, as JSON. */
    public static String compute(DiscoveryMethod method, DiscoveryProblem problem, int i) {
        if (!(method instanceof SweepMethod s)) throw new IllegalStateException(method.name() + " is not a sweep of runs");
        MethodResult r = s.run(problem, i);
        List<Point> points = new ArrayList<>();
        for (SweepPoint p : r.points()) {
            Circuit c = p.circuit();
            points.add(new Point(p.parameter(), p.value(), c.edgeIds(), c.hasScores() ? c.scores() : null));
        }
        return CellJson.write(new Run(points, r.nodeScores(), r.seconds()));
    }

    /**
     * The method as the cell runs it: itself when {@code runResults} is null, else a method whose result is the merge
     * of those runs ({@link SweepMethod#merge}), read onto the problem's graph.
     */
    public static DiscoveryMethod method(DiscoveryMethod method, List<String> runResults) {
        if (runResults == null) return method;
        return new DiscoveryMethod() {
            @Override
            public String name() {
                return method.name();
            }

            @Override
            public MethodResult discover(DiscoveryProblem problem) {
                List<MethodResult> runs = new ArrayList<>();
                for (String json : runResults) runs.add(read(json, method.name(), problem.graph()));
                return SweepMethod.merge(method.name(), runs);
            }
        };
    }

    static MethodResult read(String json, String methodName, CircuitGraph graph) {
        Run run = CellJson.read(json, Run.class);
        List<SweepPoint> points = new ArrayList<>();
        for (Point p : run.points()) {
            BitSet kept = new BitSet();
            for (int id : p.kept()) kept.set(id);
            Circuit c = Circuit.of(graph, kept);
            points.add(new SweepPoint(p.parameter(), p.value(), p.scores() == null ? c : c.withScores(p.scores())));
        }
        return new MethodResult(methodName, points, null, run.nodeScores(), run.seconds());
    }
}
