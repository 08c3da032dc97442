package dev.acdc.discovery.method;

import java.util.Objects;

/**
 * Edge Attribution Patching (Syed, Rager and Conmy 2023): every edge scored at once from one forward and one
 * backward, by the first-order Taylor estimate of the metric change when the edge is patched,
 * <pre>
 *   score(u→v) = (abl_u − clean_u) · ∂metric/∂in_v
 * </pre>
 * with the ablated values of the problem's patcher (resample: the corrupted run; zero; mean). Where the gradient
 * is taken is an option ({@link GradientAt}): at the clean run ({@link GradientAt#CLEAN}, the default, as Syed et
 * al. and hannamw/EAP-IG's {@code get_scores_eap} do), at the ablated run ({@link GradientAt#CORRUPTED}), or the
 * mean of both ({@link GradientAt#MEAN}, hannamw/EAP-IG's {@code clean-corrupted}). At the clean run a metric
 * measured against the clean output has zero gradient: for {@code kl} the task's first other metric is used
 * instead ({@link EdgeAttribution#gradientMetricName}); {@code l2}, the tracr tasks' metric, scores every edge 0
 * there, which {@link GradientAt#CORRUPTED} and {@link GradientAt#MEAN} avoid.
 *
 * <p>Edges are ranked by |score|; the result's {@code edgeScores} are |score| and its points the circuits of
 * {@link EdgeAttribution#result}. The signed scores are {@link #attribute}'s. See {@link EdgeAttribution} for the
 * contraction.
 */
public final class Eap implements DiscoveryMethod {

    private final GradientAt gradientAt;
    private final java.util.function.Consumer<String> progress;

    /** EAP with the gradient at the clean run. */
    public Eap() {
        this(GradientAt.CLEAN);
    }

    public Eap(GradientAt gradientAt) {
        this(gradientAt, s -> {});
    }

    private Eap(GradientAt gradientAt, java.util.function.Consumer<String> progress) {
        this.gradientAt = Objects.requireNonNull(gradientAt, "gradientAt");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Reports each gradient pass ({@code eap pass 1/2}: the mean gradient takes two). */
    @Override
    public Eap withProgress(java.util.function.Consumer<String> progress) {
        return new Eap(gradientAt, progress);
    }

    public GradientAt gradientAt() {
        return gradientAt;
    }

    @Override
    public String name() {
        return "eap";
    }

    /** The points the gradient is taken at: one step of {@link #gradientAt()}. */
    public GradientAt.Points points() {
        return gradientAt.points(1);
    }

    /** Signed scores per edge id: the predicted metric change when the edge is removed. */
    public EdgeAttribution.Scores attribute(DiscoveryProblem problem) {
        GradientAt.Points p = points();
        return EdgeAttribution.attribute(problem, EdgeAttribution.gradientMetric(problem, p), p, EdgeAttribution.DEFAULT_CHUNK_BYTES,
                (done, total) -> progress.accept("eap pass " + done + "/" + total));
    }

    @Override
    public MethodResult discover(DiscoveryProblem problem) {
        long start = System.nanoTime();
        EdgeAttribution.Scores scores = attribute(problem);
        return EdgeAttribution.result(name(), problem.graph(), scores, (System.nanoTime() - start) / 1e9);
    }
}
