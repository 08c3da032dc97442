package dev.acdc.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** The bootstrap of MIB's f over examples: percentiles, determinism, and f of a replicate as a ratio of sums. */
class FaithfulnessBootstrapTest {

    @Test
    void percentileInterpolatesLikeNumpy() {
        double[] v = {1, 2, 3, 4, 5};
        assertEquals(1.1, FaithfulnessBootstrap.percentile(v, 0.025), 1e-12);   // h = 0.1
        assertEquals(4.9, FaithfulnessBootstrap.percentile(v, 0.975), 1e-12);   // h = 3.9
        assertEquals(3.0, FaithfulnessBootstrap.percentile(v, 0.5), 0);
        assertEquals(7.0, FaithfulnessBootstrap.percentile(new double[] {7}, 0.975), 0);
    }

    @Test
    void aReplicateIsTheRatioOfTheDrawnExamplesSums() {
        FaithfulnessBootstrap boot = new FaithfulnessBootstrap(3, 50, 7);
        double[] c = {1, 5, 2}, full = {4, 6, 3}, empty = {0, 1, 1};
        double[] f = boot.replicates(c, full, empty);
        assertEquals(50, f.length);
        // every replicate lies between the per-example extremes of (c - e) / (n - e): 1/4, 4/5, 1/2
        for (double x : f) assertTrue(x >= 0.25 - 1e-12 && x <= 0.8 + 1e-12, "replicate " + x);
        // the circuit equal to the full model gives 1 in every replicate, the empty circuit 0
        for (double x : boot.replicates(full, full, empty)) assertEquals(1.0, x, 0);
        for (double x : boot.replicates(empty, full, empty)) assertEquals(0.0, x, 0);
    }

    @Test
    void sameSeedSameIntervalOtherSeedAnother() {
        double[] c = new double[40], full = new double[40], empty = new double[40];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 40; i++) {
            empty[i] = r.nextDouble();
            full[i] = empty[i] + 1 + r.nextDouble();
            c[i] = empty[i] + r.nextDouble() * 2;
        }
        FaithfulnessBootstrap.Interval a = new FaithfulnessBootstrap(40, 200, 3).interval(c, full, empty);
        FaithfulnessBootstrap.Interval b = new FaithfulnessBootstrap(40, 200, 3).interval(c, full, empty);
        FaithfulnessBootstrap.Interval d = new FaithfulnessBootstrap(40, 200, 4).interval(c, full, empty);
        assertEquals(a, b);
        assertNotEquals(a, d);
        assertTrue(a.low() < a.high());
        assertEquals(200, a.defined());
        double point = (Arrays.stream(c).sum() - Arrays.stream(empty).sum()) / (Arrays.stream(full).sum() - Arrays.stream(empty).sum());
        assertTrue(a.low() <= point && point <= a.high(), a + " around " + point);
        assertTrue(a.sd() > 0);
    }

    @Test
    void undefinedReplicatesAreLeftOut() {
        FaithfulnessBootstrap.Interval i = FaithfulnessBootstrap.summarize(new double[] {Double.NaN, 1, 3});
        assertEquals(2, i.defined());
        assertEquals(1.05, i.low(), 1e-12);
        assertTrue(Double.isNaN(FaithfulnessBootstrap.summarize(new double[] {Double.NaN}).low()));
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FaithfulnessBootstrap(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaithfulnessBootstrap(3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FaithfulnessBootstrap(3, 2, 1).replicates(new double[2], new double[3], new double[3]));
    }
}
