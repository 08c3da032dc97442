package dev.acdc.discovery.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A method whose result is a sweep of independent runs, one per hyperparameter value (ACDC's thresholds, SP's λ, Edge
 * Pruning's target sparsities): each run can be computed alone, on another JVM, and the runs' results merged give the
 * sweep's. {@link #discover} is by definition the merge of every run, in order, on the same problem, so a sweep split
 * into runs finds the circuits of the whole sweep.
 */
public interface SweepMethod extends DiscoveryMethod {

    /** How many runs the sweep makes on a task and metric (some may yield no point, see {@link #run}). */
    int runs(String taskName, String metricName);

    /**
     * Run {@code i} alone: a result holding that run's point, or no point where the sweep skips that value (Edge
     * Pruning's target that keeps no edge or a size an earlier target already trains for), and its seconds.
     */
    MethodResult run(DiscoveryProblem problem, int i);

    @Override
    default MethodResult discover(DiscoveryProblem problem) {
        List<MethodResult> runs = new ArrayList<>();
        for (int i = 0, n = runs(problem.task().name(), problem.metricName()); i < n; i++) runs.add(run(problem, i));
        return merge(name(), runs);
    }

    /**
     * The sweep's result from its runs' results in run order: their points in order, the sum of their seconds, and the
     * component scores of the last run that has any (SP's are its last λ's final mask logits).
     */
    static MethodResult merge(String name, List<MethodResult> runs) {
        List<SweepPoint> points = new ArrayList<>();
        Map<String, Double> nodeScores = null;
        double seconds = 0;
        for (MethodResult r : runs) {
            points.addAll(r.points());
            if (r.nodeScores() != null) nodeScores = r.nodeScores();
            seconds += r.seconds();
        }
        return new MethodResult(name, points, null, nodeScores, seconds);
    }
}
