package dev.acdc.metrics;

import java.util.Arrays;

/**
 * Faithfulness of a circuit and the areas under a faithfulness curve, exactly as the MIB circuit-localization track
 * computes them ({@code hannamw/MIB-circuit-track} @ {@code b759df3}, {@code MIB_circuit_track/evaluation.py},
 * {@code evaluate_area_under_curve}, lines 12–75).
 *
 * <ul>
 *   <li>f(C) = (m(C) − m(∅)) / (m(N) − m(∅)) (l.55), each m the mean of the metric over the examples (a ratio of
 *       means). The ratio is unchanged when m is replaced by a·m + b for any a ≠ 0, so it does not matter whether m
 *       is "higher is better" (MIB's logit difference) or "lower is better" (our metrics): f(N) = 1, f(∅) = 0 either
 *       way. Nothing is clipped; f may leave [0, 1].</li>
 *   <li>The circuit at fraction p keeps {@code int(p · E)} edges (l.37), a floor, E the number of edges.</li>
 *   <li>CPR = Σ (x_{i+1} − x_i)(f_i + f_{i+1}) / 2 ({@code area_under}, l.72–73) and
 *       CMD = Σ (x_{i+1} − x_i)(|1 − f_i| + |1 − f_{i+1}|) / 2 ({@code area_from_1}, l.68–70): the trapezoid rule
 *       over the fractions themselves, linear (not percent, not log: {@code log_scale=False}).</li>
 * </ul>
 */
public final class Faithfulness {
    private Faithfulness() {}

    /** MIB's {@code percentages} (evaluation.py l.31), as fractions of the edges. */
    public static final double[] MIB_FRACTIONS = {.001, .002, .005, .01, .02, .05, .1, .2, .5, 1};

    /** CPR ({@code area_under}) and CMD ({@code area_from_1}) of one curve. */
    public record Area(double cpr, double cmd) {}

    /**
     * f(C) = (m(C) − m(∅)) / (m(N) − m(∅)).
     *
     * @throws IllegalArgumentException when m(N) and m(∅) are equal (or not finite): f is then undefined
     */
    public static double of(double circuit, double empty, double full) {
        checkDefined(empty, full);
        return (circuit - empty) / (full - empty) + 0.0;   // + 0.0: the empty circuit's 0 / (negative) is 0, not -0
    }

    /** Whether m(N) and m(∅) differ enough for f to mean anything: |m(N) − m(∅)| above 1e-9 of their scale. */
    public static boolean defined(double empty, double full) {
        if (!Double.isFinite(empty) || !Double.isFinite(full)) return false;
        double scale = Math.max(Math.abs(empty), Math.abs(full));
        return Math.abs(full - empty) > 1e-9 * scale && full != empty;
    }

    static void checkDefined(double empty, double full) {
        if (!defined(empty, full)) {
            throw new IllegalArgumentException("faithfulness is undefined: the metric of the full model (" + full
                    + ") and of the empty circuit (" + empty + ") do not differ");
        }
    }

    /** MIB's edge count at a fraction: {@code int(pct * n_scored_items)} (l.37), the floor of the product. */
    public static int edgesAt(double fraction, int totalEdges) {
        if (!(fraction > 0) || fraction > 1) throw new IllegalArgumentException("fraction must be in (0, 1], found " + fraction);
        if (totalEdges < 0) throw new IllegalArgumentException("totalEdges must be ≥ 0, found " + totalEdges);
        return (int) (fraction * totalEdges);
    }

    /**
     * CPR and CMD of the curve f over the fractions x (ascending), by MIB's trapezoid rule (l.58–73). One point has
     * no interval and gives 0 for both.
     */
    public static Area area(double[] fractions, double[] f) {
        if (fractions.length != f.length) {
            throw new IllegalArgumentException(fractions.length + " fractions but " + f.length + " faithfulness values");
        }
        for (int i = 1; i < fractions.length; i++) {
            if (!(fractions[i] > fractions[i - 1])) throw new IllegalArgumentException("fractions must ascend: " + Arrays.toString(fractions));
        }
        double areaUnder = 0, areaFrom1 = 0;
        for (int i = 0; i + 1 < f.length; i++) {
            double dx = fractions[i + 1] - fractions[i];
            areaFrom1 += dx * ((Math.abs(1. - f[i]) + Math.abs(1. - f[i + 1])) / 2);
            areaUnder += dx * ((f[i] + f[i + 1]) / 2);
        }
        return new Area(areaUnder, areaFrom1);
    }
}
