package dev.acdc.discovery.method;

/**
 * EAP with integrated gradients (Hanna, Pezzelle and Belinkov 2024, the "inputs" variant): EAP's sender deltas
 * contracted with receiver-input gradients averaged over {@code m} runs whose input embeddings lie on the
 * straight line from the ablated to the clean embeddings,
 * <pre>
 *   score(u→v) = (abl_u − clean_u) · (1/m) Σ_{k=1..m} ∂metric/∂in_v |_{embed = abl_embed + (k/m)·(clean_embed − abl_embed)}
 * </pre>
 * α = k/m for k = 1..m (right Riemann sum: the clean run is the last point, the fully ablated run is not
 * taken), so m = 1 is EAP. The "corrupted input" is the patcher's ablated embedding: the corrupted run's
 * embeddings under resample ablation (after the task's corrupted-run hooks, e.g. the tracr position scramble),
 * zero under zero ablation, the mean embedding under mean ablation. Tracr models interpolate token and position
 * embeddings separately; other models interpolate their sum (see {@link EdgeAttribution#attribute}).
 * Ranking, result and metric choice are EAP's ({@link Eap}).
 */
public final class EapIg implements DiscoveryMethod {
    /** Hanna et al.'s default for the inputs variant is larger; 5 keeps the cost at 5 forwards and backwards. */
    public static final int DEFAULT_STEPS = 5;

    private final int steps;

    public EapIg() {
        this(DEFAULT_STEPS);
    }

    public EapIg(int steps) {
        if (steps < 1) throw new IllegalArgumentException("EAP-IG needs at least 1 integration step, found " + steps);
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    @Override
    public String name() {
        return "eap-ig";
    }

    /** The interpolation points α = k/m, k = 1..m. */
    public double[] alphas() {
        double[] a = new double[steps];
        for (int k = 1; k <= steps; k++) a[k - 1] = (double) k / steps;
        return a;
    }

    /** Signed scores per edge id: the integrated-gradient estimate of the metric change when the edge is removed. */
    public EdgeAttribution.Scores attribute(DiscoveryProblem problem) {
        return EdgeAttribution.attribute(problem, EdgeAttribution.gradientMetric(problem), alphas());
    }

    @Override
    public MethodResult discover(DiscoveryProblem problem) {
        long start = System.nanoTime();
        EdgeAttribution.Scores scores = attribute(problem);
        return EdgeAttribution.result(name(), problem.graph(), scores, (System.nanoTime() - start) / 1e9);
    }
}
