package dev.acdc.discovery.method;

import java.util.Objects;

/**
 * EAP with integrated gradients (Hanna, Pezzelle and Belinkov 2024, the "inputs" variant), as hannamw/EAP-IG
 * computes it ({@code get_scores_eap_ig} in {@code src/eap/attribute.py}, commit 795f560): EAP's sender deltas
 * contracted with receiver-input gradients averaged over m runs whose input embeddings lie on the straight line
 * from the ablated to the clean embeddings,
 * <pre>
 *   score(u→v) = (abl_u − clean_u) · (1/m) Σ_{k=0..m−1} ∂metric/∂in_v |_{embed = abl_embed + (k/m)·(clean_embed − abl_embed)}
 * </pre>
 * By default α = k/m for k = 0 … m − 1 ({@link GradientAt#CORRUPTED}: the ablated run is the first point, the
 * clean run is not taken), with m = {@link #DEFAULT_STEPS} = 30, that function's default. {@link GradientAt#CLEAN}
 * takes k = 1 … m instead, {@link GradientAt#MEAN} the trapezoid between the two. The "corrupted input" is the
 * patcher's ablated embedding: the corrupted run's embeddings under resample ablation (after the task's
 * corrupted-run hooks, e.g. the tracr position scramble, as ACDC's edge patching has them), zero under zero
 * ablation, the mean embedding under mean ablation (hannamw/EAP-IG allows only patching for this variant). Tracr
 * models interpolate token and position embeddings separately; other models interpolate their sum (see
 * {@link EdgeAttribution#attribute}). Ranking and result are EAP's ({@link Eap}); the metric is the problem's
 * (a KL metric keeps its gradient away from the clean run).
 */
public final class EapIg implements DiscoveryMethod {
    /** hannamw/EAP-IG's default ({@code get_scores_eap_ig(..., steps=30)}). */
    public static final int DEFAULT_STEPS = 30;

    private final int steps;
    private final GradientAt gradientAt;
    private final java.util.function.Consumer<String> progress;

    /** 30 steps, the reference's left Riemann sum. */
    public EapIg() {
        this(DEFAULT_STEPS);
    }

    public EapIg(int steps) {
        this(steps, GradientAt.CORRUPTED);
    }

    public EapIg(int steps, GradientAt gradientAt) {
        this(steps, gradientAt, s -> {});
    }

    private EapIg(int steps, GradientAt gradientAt, java.util.function.Consumer<String> progress) {
        if (steps < 1) throw new IllegalArgumentException("EAP-IG needs at least 1 integration step, found " + steps);
        this.steps = steps;
        this.gradientAt = Objects.requireNonNull(gradientAt, "gradientAt");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Reports each integration step's gradient pass ({@code eap-ig step 3/30}). */
    @Override
    public EapIg withProgress(java.util.function.Consumer<String> progress) {
        return new EapIg(steps, gradientAt, progress);
    }

    public int steps() {
        return steps;
    }

    public GradientAt gradientAt() {
        return gradientAt;
    }

    @Override
    public String name() {
        return "eap-ig";
    }

    /** The interpolation points and their weights ({@link GradientAt#points}). */
    public GradientAt.Points points() {
        return gradientAt.points(steps);
    }

    /** The interpolation points α (for the default, k/m for k = 0 … m − 1). */
    public double[] alphas() {
        return points().alphas();
    }

    /** Signed scores per edge id: the integrated-gradient estimate of the metric change when the edge is removed. */
    public EdgeAttribution.Scores attribute(DiscoveryProblem problem) {
        GradientAt.Points p = points();
        return EdgeAttribution.attribute(problem, EdgeAttribution.gradientMetric(problem, p), p, EdgeAttribution.DEFAULT_CHUNK_BYTES,
                (done, total) -> progress.accept("eap-ig step " + done + "/" + total));
    }

    @Override
    public MethodResult discover(DiscoveryProblem problem) {
        long start = System.nanoTime();
        EdgeAttribution.Scores scores = attribute(problem);
        return EdgeAttribution.result(name(), problem.graph(), scores, (System.nanoTime() - start) / 1e9);
    }
}
