package dev.acdc.discovery.method;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where EAP and EAP-IG take the metric's gradient, on the straight path of input embeddings from the ablated
 * run (α = 0: under resample ablation, the corrupted run) to the clean run (α = 1). With m integration steps:
 * <ul>
 *   <li>{@link #CLEAN}: α = k/m for k = 1 … m, each weighted 1/m (right Riemann sum). With m = 1, the clean run
 *   alone: Syed et al.'s EAP and hannamw/EAP-IG's {@code get_scores_eap}.</li>
 *   <li>{@link #CORRUPTED}: α = k/m for k = 0 … m − 1, each weighted 1/m (left Riemann sum). This is
 *   hannamw/EAP-IG's {@code get_scores_eap_ig} ({@code src/eap/attribute.py} at 795f560: {@code for step in
 *   range(0, steps)}, input {@code corrupted + (k / steps)·(clean − corrupted)}): the corrupted point is taken,
 *   the clean one is not. With m = 1, the ablated run alone.</li>
 *   <li>{@link #MEAN}: the mean of the two sums, α = k/m for k = 0 … m with weight 1/(2m) at both ends and 1/m
 *   inside (trapezoid rule). With m = 1, the mean of the clean and the ablated run's gradients: hannamw/EAP-IG's
 *   {@code clean-corrupted} method ({@code get_scores_clean_corrupted}, which divides by its two steps).</li>
 * </ul>
 * Why it matters: a metric measured against the clean output (L2, KL) is at its minimum at the clean run, so its
 * gradient there is zero, and EAP at {@link #CLEAN} scores every edge 0 (on the tracr tasks, whose metric is L2,
 * that is every EAP score).
 */
public enum GradientAt {
    CLEAN, CORRUPTED, MEAN;

    /** The CLI spelling: {@code clean}, {@code corrupted}, {@code mean}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The value of a CLI spelling, or null when there is none. */
    public static GradientAt ofCliName(String name) {
        for (GradientAt g : values()) if (g.cliName().equals(name)) return g;
        return null;
    }

    /** The interpolation points and weights for {@code steps} steps (see the class comment). */
    public Points points(int steps) {
        if (steps < 1) throw new IllegalArgumentException("at least 1 integration step is needed, found " + steps);
        return switch (this) {
            case CLEAN -> riemann(steps, 1);
            case CORRUPTED -> riemann(steps, 0);
            case MEAN -> {
                double[] a = new double[steps + 1];
                double[] w = new double[steps + 1];
                for (int k = 0; k <= steps; k++) {
                    a[k] = (double) k / steps;
                    w[k] = (k == 0 || k == steps ? 0.5 : 1.0) / steps;
                }
                yield new Points(a, w);
            }
        };
    }

    private static Points riemann(int steps, int first) {
        double[] a = new double[steps];
        double[] w = new double[steps];
        for (int i = 0; i < steps; i++) {
            a[i] = (double) (first + i) / steps;
            w[i] = 1.0 / steps;
        }
        return new Points(a, w);
    }

    /**
     * Where the gradient is taken and how much each point weighs: the attribution is
     * {@code Σ_i weights[i]·(abl − clean)·∂metric/∂in |_{α = alphas[i]}}.
     *
     * @param alphas interpolation points in [0, 1], ascending (0: the ablated embeddings, 1: the clean ones)
     * @param weights one per point, positive, summing to 1
     */
    public record Points(double[] alphas, double[] weights) {
        public Points {
            if (alphas.length == 0 || alphas.length != weights.length) {
                throw new IllegalArgumentException("expected one weight per interpolation point and at least one point, found "
                        + alphas.length + " points and " + weights.length + " weights");
            }
            alphas = alphas.clone();
            weights = weights.clone();
            for (int i = 0; i < alphas.length; i++) {
                if (!(alphas[i] >= 0 && alphas[i] <= 1)) throw new IllegalArgumentException("α must be in [0, 1], found " + alphas[i]);
                if (!(weights[i] > 0)) throw new IllegalArgumentException("weights must be > 0, found " + weights[i]);
            }
        }

        /** Equal weights 1/n on the given points. */
        public static Points uniform(double... alphas) {
            double[] w = new double[alphas.length];
            Arrays.fill(w, 1.0 / alphas.length);
            return new Points(alphas, w);
        }

        /** Whether every point is the clean run (α = 1), where a metric against the clean output has zero gradient. */
        public boolean cleanOnly() {
            for (double a : alphas) if (a != 1.0) return false;
            return true;
        }

        @Override
        public double[] alphas() {
            return alphas.clone();
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }
    }
}
