package dev.acdc.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** MIB's faithfulness, edge counts, CPR and CMD on cases worked out by hand. */
class FaithfulnessTest {

    @Test
    void faithfulnessIsTheNormalisedMetricAndIgnoresTheMetricsOrientation() {
        // logit difference (higher is better): full 5, empty 1, circuit 3 → halfway
        assertEquals(0.5, Faithfulness.of(3, 1, 5), 1e-15);
        // the same numbers negated (lower is better) give the same f
        assertEquals(0.5, Faithfulness.of(-3, -1, -5), 1e-15);
        // a distance to the clean output (KL, L2): full 0, empty 2, circuit 0.5 → 1 − 0.5/2
        assertEquals(0.75, Faithfulness.of(0.5, 2, 0), 1e-15);
        assertEquals(1.0, Faithfulness.of(5, 1, 5));
        assertEquals(0.0, Faithfulness.of(1, 1, 5));
        assertEquals(0.0, Faithfulness.of(2, 2, 0), "0, not -0 (assertEquals tells them apart)");
        // not clipped
        assertEquals(1.5, Faithfulness.of(7, 1, 5), 1e-15);
        assertEquals(-0.25, Faithfulness.of(0, 1, 5), 1e-15);
    }

    @Test
    void faithfulnessIsUndefinedWhenFullAndEmptyAgree() {
        assertThrows(IllegalArgumentException.class, () -> Faithfulness.of(1, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Faithfulness.of(1, Double.NaN, 2));
        assertFalse(Faithfulness.defined(3, 3));
        assertTrue(Faithfulness.defined(0, 1e-6));
    }

    @Test
    void edgeCountsAreMibsFloorOfFractionTimesEdges() {
        // GPT-2 small in EAP-IG's graph (32,491 edges) and in ACDC's (32,923): the lists Python's int(pct * n) gives
        assertArrayEquals(new int[] {32, 64, 162, 324, 649, 1624, 3249, 6498, 16245, 32491},
                Arrays.stream(Faithfulness.MIB_FRACTIONS).mapToInt(p -> Faithfulness.edgesAt(p, 32491)).toArray());
        assertArrayEquals(new int[] {32, 65, 164, 329, 658, 1646, 3292, 6584, 16461, 32923},
                Arrays.stream(Faithfulness.MIB_FRACTIONS).mapToInt(p -> Faithfulness.edgesAt(p, 32923)).toArray());
        // a 3-edge graph: nothing below 1/3 of the edges, one edge at 50 %, all three at 100 %
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 3},
                Arrays.stream(Faithfulness.MIB_FRACTIONS).mapToInt(p -> Faithfulness.edgesAt(p, 3)).toArray());
        assertThrows(IllegalArgumentException.class, () -> Faithfulness.edgesAt(0, 3));
        assertThrows(IllegalArgumentException.class, () -> Faithfulness.edgesAt(1.01, 3));
    }

    @Test
    void twoPointAreaIsOneTrapezoid() {
        Faithfulness.Area a = Faithfulness.area(new double[] {0.5, 1}, new double[] {0.2, 0.6});
        assertEquals(0.5 * (0.2 + 0.6) / 2, a.cpr(), 1e-15);          // 0.2
        assertEquals(0.5 * (0.8 + 0.4) / 2, a.cmd(), 1e-15);          // 0.3
        // above 1 counts as far from 1 for CMD, and adds to CPR
        Faithfulness.Area b = Faithfulness.area(new double[] {0.5, 1}, new double[] {1.5, 1});
        assertEquals(0.625, b.cpr(), 1e-15);
        assertEquals(0.125, b.cmd(), 1e-15);
        Faithfulness.Area one = Faithfulness.area(new double[] {0.5}, new double[] {0.3});
        assertEquals(0, one.cpr());
        assertEquals(0, one.cmd());
    }

    @Test
    void mibWeightsOnTheTenFractions() {
        double[] x = Faithfulness.MIB_FRACTIONS;
        // f ≡ 1: CPR is the width 1 − 0.001, CMD 0; f ≡ 0: the reverse
        Faithfulness.Area ones = Faithfulness.area(x, filled(1));
        assertEquals(0.999, ones.cpr(), 1e-12);
        assertEquals(0, ones.cmd(), 1e-15);
        Faithfulness.Area zeros = Faithfulness.area(x, filled(0));
        assertEquals(0, zeros.cpr(), 1e-15);
        assertEquals(0.999, zeros.cmd(), 1e-12);
        // each point's weight: w = (0.0005, 0.002, 0.004, 0.0075, 0.02, 0.04, 0.075, 0.2, 0.4, 0.25)
        double[] w = {0.0005, 0.002, 0.004, 0.0075, 0.02, 0.04, 0.075, 0.2, 0.4, 0.25};
        for (int i = 0; i < x.length; i++) {
            double[] f = filled(0);
            f[i] = 1;
            assertEquals(w[i], Faithfulness.area(x, f).cpr(), 1e-12, "weight of " + x[i]);
        }
    }

    @Test
    void threeEdgeGraphHasClosedFormAreas() {
        // a 3-edge graph: f = 0 at 0.1 … 20 % (no edge), f1 at 50 % (the top edge), 1 at 100 %
        for (double f1 : new double[] {0, 0.3, 1, 1.7, -0.4}) {
            double[] f = filled(0);
            f[8] = f1;
            f[9] = 1;
            Faithfulness.Area a = Faithfulness.area(Faithfulness.MIB_FRACTIONS, f);
            assertEquals(0.4 * f1 + 0.25, a.cpr(), 1e-12, "CPR at f1 = " + f1);
            assertEquals(0.349 + 0.4 * Math.abs(1 - f1), a.cmd(), 1e-12, "CMD at f1 = " + f1);
        }
    }

    @Test
    void areaRefusesUnsortedOrMismatchedInput() {
        assertThrows(IllegalArgumentException.class, () -> Faithfulness.area(new double[] {1, 0.5}, new double[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> Faithfulness.area(new double[] {0.5, 1}, new double[] {0}));
    }

    private static double[] filled(double v) {
        double[] f = new double[Faithfulness.MIB_FRACTIONS.length];
        Arrays.fill(f, v);
        return f;
    }
}
