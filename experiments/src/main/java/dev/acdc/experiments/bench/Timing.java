package dev.acdc.experiments.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Wall-clock seconds of repeated runs of one piece of work, after warm-up runs that are not counted.
 *
 * @param median  the median run
 * @param min     the fastest run
 * @param max     the slowest run
 * @param repeats how many runs were timed
 */
public record Timing(double median, double min, double max, int repeats) {

    /** Work that may throw. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    public static Timing measure(int warmup, int repeats, Work work) {
        if (repeats < 1) throw new IllegalArgumentException("repeats must be ≥ 1, found " + repeats);
        for (int i = 0; i < warmup; i++) seconds(work);
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) t[i] = seconds(work);
        return of(t);
    }

    /** The median, fastest and slowest of runs timed elsewhere (seconds). */
    public static Timing of(double... seconds) {
        if (seconds.length < 1) throw new IllegalArgumentException("no timed runs");
        double[] t = seconds.clone();
        Arrays.sort(t);
        int n = t.length;
        double median = n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
        return new Timing(median, t[0], t[n - 1], n);
    }

    /** Wall-clock seconds of one run; a checked exception comes back as an IllegalStateException. */
    public static double seconds(Work work) {
        long s = System.nanoTime();
        try {
            work.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return (System.nanoTime() - s) / 1e9;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.4g s (min %.4g, max %.4g, n=%d)", median, min, max, repeats);
    }
}
