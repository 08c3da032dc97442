package dev.acdc.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Jaccard overlaps by hand, and the resampled metric as the metric of the resampled examples. */
class ResampledTest {

    private static BitSet of(int... bits) {
        BitSet b = new BitSet();
        for (int x : bits) b.set(x);
        return b;
    }

    @Test
    void jaccardByHand() {
        assertEquals(1.0, Resampled.jaccard(of(1, 2, 3), of(1, 2, 3)), 0);
        assertEquals(1.0, Resampled.jaccard(of(), of()), 0);
        assertEquals(0.0, Resampled.jaccard(of(1), of()), 0);
        assertEquals(0.0, Resampled.jaccard(of(1, 2), of(3, 4)), 0);
        assertEquals(2.0 / 4, Resampled.jaccard(of(1, 2, 3), of(2, 3, 4)), 0);
        assertEquals(1.0 / 3, Resampled.jaccard(of(1), of(1, 5, 9)), 0);
        // pairs: {1,2}~{1,2}: 1; {1,2}~{2,3}: 1/3; {1,2}~{2,3}: 1/3 → mean 5/9
        assertEquals(5.0 / 9, Resampled.meanPairwiseJaccard(List.of(of(1, 2), of(1, 2), of(2, 3))), 1e-15);
        assertEquals(1.0, Resampled.meanPairwiseJaccard(List.of(of(7), of(7), of(7), of(7))), 0);
        assertThrows(IllegalArgumentException.class, () -> Resampled.meanPairwiseJaccard(List.of(of(1))));
    }

    @Test
    void countsAreNDrawsAndFollowTheSeed() {
        int[] a = Resampled.counts(10, new Random(3)), b = Resampled.counts(10, new Random(3));
        assertArrayEquals(a, b);
        assertEquals(10, java.util.Arrays.stream(a).sum());
    }

    @Test
    void theResampledMetricIsTheMetricOfTheDrawnExamples() {
        int batch = 3, pos = 4, vocab = 5;
        Random r = new Random(9);
        float[] clean = new float[batch * pos * vocab], patched = new float[clean.length];
        for (int i = 0; i < clean.length; i++) {
            clean[i] = (float) r.nextGaussian();
            patched[i] = (float) r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray c = m.create(clean, new Shape(batch, pos, vocab)), p = m.create(patched, new Shape(batch, pos, vocab));
            Metric kl = Metrics.klDivergence(c, ScoredPositions.last());
            int[] counts = {2, 0, 1};
            double[] rows = kl.evaluatePerRow(p).values();
            double expected = (2 * rows[0] + rows[2]) / 3;
            Metric res = Resampled.metric(kl, counts, pos);
            assertEquals(expected, res.evaluate(p), 1e-6);
            assertEquals(expected, res.evaluateRows(ScoredPositions.last().select(p)), 1e-6);
            // every example once: the metric itself
            assertEquals(kl.evaluate(p), Resampled.metric(kl, new int[] {1, 1, 1}, pos).evaluate(p), 1e-6);
            // the same as the metric built on the resampled clean and patched outputs
            NDArray idx = m.create(new int[] {0, 0, 2});
            NDArray c2 = c.get(new ai.djl.ndarray.index.NDIndex("{}", idx)), p2 = p.get(new ai.djl.ndarray.index.NDIndex("{}", idx));
            assertEquals(Metrics.klDivergence(c2, ScoredPositions.last()).evaluate(p2), res.evaluate(p), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> Resampled.metric(kl, new int[] {0, 0, 0}, pos));
        }
    }
}
