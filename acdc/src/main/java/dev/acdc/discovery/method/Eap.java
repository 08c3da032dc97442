package dev.acdc.discovery.method;

/**
 * Edge Attribution Patching (Syed, Rager and Conmy 2023): every edge scored at once from one clean forward
 * and one backward, by the first-order Taylor estimate of the metric change when the edge is patched,
 * <pre>
 *   score(u→v) = (abl_u − clean_u) · ∂metric/∂in_v   (at the clean run)
 * </pre>
 * with the ablated values of the problem's patcher (resample: the corrupted run; zero; mean) and the
 * metric of {@link EdgeAttribution#gradientMetricName} (the problem's, or the task's first non-KL metric when
 * the problem's is KL, whose gradient is zero at the clean model). Edges are ranked by |score|; the result's
 * {@code edgeScores} are |score| and its points the top-k circuits for k on a log grid from 1 to every edge
 * (at most 60). The signed scores are {@link #attribute}'s. See {@link EdgeAttribution} for the contraction.
 */
public final class Eap implements DiscoveryMethod {

    @Override
    public String name() {
        return "eap";
    }

    /** Signed scores per edge id: the predicted metric change when the edge is removed. */
    public EdgeAttribution.Scores attribute(DiscoveryProblem problem) {
        return EdgeAttribution.attribute(problem, EdgeAttribution.gradientMetric(problem), new double[] {1.0});
    }

    @Override
    public MethodResult discover(DiscoveryProblem problem) {
        long start = System.nanoTime();
        EdgeAttribution.Scores scores = attribute(problem);
        return EdgeAttribution.result(name(), problem.graph(), scores, (System.nanoTime() - start) / 1e9);
    }
}
