package dev.acdc.metrics;

import java.util.Arrays;
import java.util.Random;

/**
 * A percentile bootstrap interval for MIB's faithfulness f = (m(C) − m(∅)) / (m(N) − m(∅)) over the task's examples.
 * This is ours, not MIB's: MIB keeps only the means ({@code evaluation.py} l.17, 20, 48) and defines no spread.
 *
 * <p>Each m is a mean over the scored rows of the examples. A replicate draws n example indices uniformly with
 * replacement (a clean input travels with its corrupted one), and recomputes f as a ratio of means over the rows of
 * the drawn examples, each drawn example counted as often as drawn:
 * f_b = (Σ_i s_i(C) − Σ_i s_i(∅)) / (Σ_i s_i(N) − Σ_i s_i(∅)) over the drawn i, s_i the sum of example i's row
 * values (the row counts cancel). Without resampling (every example once) this is MIB's f. The interval is the
 * 2.5 % and 97.5 % percentiles of the defined f_b (linear interpolation between order statistics, numpy's default
 * {@code percentile}); a replicate whose denominator is 0 is undefined and left out.
 *
 * <p>The per-example ratio f_i = (m_i(C) − m_i(∅)) / (m_i(N) − m_i(∅)) is not used: its denominator can be
 * near 0 for single examples, which makes it heavy-tailed (Miller et al. 2024 §4.2).
 *
 * <p>The replicates' index draws come from {@code new Random(seed)} and are the same for every circuit evaluated with
 * the same seed, n and B, so intervals at different sizes and of different methods share their resamples.
 */
public final class FaithfulnessBootstrap {
    private final int[][] draws;   // [B][n] example indices

    /** B replicates of n examples from {@code new Random(seed)}; B ≥ 1, n ≥ 1. */
    public FaithfulnessBootstrap(int examples, int replicates, long seed) {
        if (examples < 1) throw new IllegalArgumentException("bootstrap needs at least one example, found " + examples);
        if (replicates < 1) throw new IllegalArgumentException("bootstrap needs at least one replicate, found " + replicates);
        Random r = new Random(seed);
        draws = new int[replicates][examples];
        for (int[] d : draws) for (int i = 0; i < examples; i++) d[i] = r.nextInt(examples);
    }

    public int replicates() {
        return draws.length;
    }

    public int examples() {
        return draws[0].length;
    }

    /** A percentile interval, the standard deviation (n − 1) of the defined replicates and how many were defined. */
    public record Interval(double low, double high, double sd, int defined) {}

    /**
     * f of each replicate from per-example sums of the metric's row values: circuit, full model, empty circuit, each
     * [n]. NaN where a replicate's denominator is 0.
     */
    public double[] replicates(double[] circuit, double[] full, double[] empty) {
        int n = examples();
        if (circuit.length != n || full.length != n || empty.length != n) {
            throw new IllegalArgumentException("per-example sums: " + circuit.length + ", " + full.length + ", " + empty.length
                    + " values for " + n + " examples");
        }
        double[] f = new double[draws.length];
        for (int b = 0; b < draws.length; b++) {
            double c = 0, nn = 0, e = 0;
            for (int i : draws[b]) {
                c += circuit[i];
                nn += full[i];
                e += empty[i];
            }
            double den = nn - e;
            f[b] = den == 0 ? Double.NaN : (c - e) / den + 0.0;
        }
        return f;
    }

    /** The 2.5 % and 97.5 % percentiles of {@link #replicates}, and their standard deviation. */
    public Interval interval(double[] circuit, double[] full, double[] empty) {
        return summarize(replicates(circuit, full, empty));
    }

    /** Percentile interval and standard deviation of replicate values, NaNs left out (all NaN: NaN). */
    public static Interval summarize(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        double sd = v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0;
        return new Interval(percentile(v, 0.025), percentile(v, 0.975), sd, v.length);
    }

    /** The q-quantile of sorted values by linear interpolation at h = (n − 1)·q (numpy's default, Hyndman–Fan 7). */
    public static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) throw new IllegalArgumentException("no values");
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
