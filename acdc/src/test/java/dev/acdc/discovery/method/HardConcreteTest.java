package dev.acdc.discovery.method;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class HardConcreteTest {

    static final HardConcrete HC = HardConcrete.SP;

    @Test
    void initialLogitIsLn5SoTheDeterministicMaskStartsAt0Point9() {
        double theta = HC.initialLogit(0.9);
        assertEquals(Math.log(5), theta, 1e-12);
        assertEquals(0.9, HC.deterministic(theta), 1e-12);
    }

    @Test
    void sampledMasksAtTheInitialLogitMatchTheDistributionComputedByQuadrature() {
        double theta = HC.initialLogit(0.9);
        // independent expectation: E[m] = ∫_0^1 clamp(σ((ln u − ln(1−u) + θ)/β)(ζ−γ)+γ, 0, 1) du (midpoint rule,
        // no clamping of u), computed without HardConcrete's code
        int n = 2_000_000;
        double integral = 0;
        for (int i = 0; i < n; i++) {
            double u = (i + 0.5) / n;
            double s = 1 / (1 + Math.exp(-(Math.log(u) - Math.log(1 - u) + theta) / (2.0 / 3)));
            integral += Math.min(1, Math.max(0, s * 1.2 - 0.1));
        }
        integral /= n;
        Random rng = new Random(7);
        int draws = 400_000, zeros = 0, ones = 0;
        double sum = 0;
        for (int i = 0; i < draws; i++) {
            double m = HC.sample(theta, rng.nextDouble());
            assertTrue(m >= 0 && m <= 1, "mask out of [0, 1]: " + m);
            if (m == 0) zeros++;
            if (m == 1) ones++;
            sum += m;
        }
        assertEquals(integral, sum / draws, 2e-3);
        // closed forms: m = 0 iff s ≤ 1/12, i.e. noise ≤ β·logit(1/12) − θ; m = 1 iff s ≥ 11/12
        double pZero = 1 / (1 + Math.exp(-((2.0 / 3) * Math.log(1.0 / 11) - theta)));
        double pOne = 1 - 1 / (1 + Math.exp(-((2.0 / 3) * Math.log(11) - theta)));
        assertEquals(pZero, zeros / (double) draws, 2e-3);
        assertEquals(pOne, ones / (double) draws, 3e-3);
        assertTrue(ones > draws / 3, "at p = 0.9 a large share of masks are exactly 1");
        // the expected L0 is the probability of a nonzero mask
        assertEquals(HC.expectedL0(theta), 1 - zeros / (double) draws, 2e-3);
    }

    @Test
    void expectedL0AtKnownLogits() {
        // σ(θ − β·ln(−γ/ζ)) = σ(θ + (2/3)·ln 11)
        assertEquals(1 / (1 + Math.exp(-(2.0 / 3) * Math.log(11))), HC.expectedL0(0), 1e-12);
        assertEquals(0.8318221839916905, HC.expectedL0(0), 1e-12);   // σ(1.5985...)
        assertEquals(1 / (1 + Math.exp(-(-3 + (2.0 / 3) * Math.log(11)))), HC.expectedL0(-3), 1e-12);
        double p = HC.expectedL0(1.3);
        assertEquals(p * (1 - p), HC.expectedL0Derivative(1.3), 1e-15);
        double h = 1e-6;
        assertEquals((HC.expectedL0(1.3 + h) - HC.expectedL0(1.3 - h)) / (2 * h), HC.expectedL0Derivative(1.3), 1e-8);
    }

    @Test
    void penaltyIsTheMeanOverHookPointsOfThePerHookMean() {
        // one layer, two heads, an MLP: hook points q(2), k(2), v(2), mlp(1)
        dev.acdc.patching.model.TransformerConfig config = dev.acdc.patching.model.TransformerConfig.gpt2Style("one-layer", 1, 8, 2, 16, 11, 6, 1e-5);
        assertEquals(List.of(Component.q(0, 0), Component.q(0, 1), Component.k(0, 0), Component.k(0, 1),
                Component.v(0, 0), Component.v(0, 1), Component.mlp(0)), ComponentCircuits.components(config));
        double[] logits = {0, 2, -1, -1, 3, 3, -4};
        double q = (HC.expectedL0(0) + HC.expectedL0(2)) / 2;
        double k = HC.expectedL0(-1);
        double v = HC.expectedL0(3);
        double mlp = HC.expectedL0(-4);
        assertEquals((q + k + v + mlp) / 4, SubnetworkProbing.penalty(config, logits), 1e-12);
    }

    @Test
    void keptExactlyWhenTheDeterministicMaskReachesOneHalf() {
        assertTrue(HC.kept(0.0));
        assertTrue(HC.kept(1e-9));
        assertFalse(HC.kept(-1e-6));
        assertEquals(0.5, HC.deterministic(0.0), 1e-12);
        assertEquals(0.0, HC.deterministic(-10), 0.0);
        assertEquals(1.0, HC.deterministic(10), 0.0);
    }
}
