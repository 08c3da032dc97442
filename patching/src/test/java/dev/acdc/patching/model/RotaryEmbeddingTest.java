package dev.acdc.patching.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The rotary frequencies, against the formulas worked out independently in double precision. */
class RotaryEmbeddingTest {

    @Test
    void defaultFrequenciesAreOneOverBaseToTheTwoJOverDims() {
        float[] inv = RotaryEmbedding.inverseFrequencies(PositionalEncoding.Rotary.halves(4, 10000));
        assertArrayEquals(new float[] {1f, 0.01f}, inv, 0f);   // pythia-tiny's README: [1, 0.01]
        float[] llama = RotaryEmbedding.inverseFrequencies(PositionalEncoding.Rotary.halves(64, 500000));
        for (int j = 0; j < 32; j++) assertEquals(Math.pow(500000, -2.0 * j / 64), llama[j], 1e-6 * Math.pow(500000, -2.0 * j / 64));
    }

    /**
     * Llama 3.1/3.2's scaling with llama-3.2-1b's parameters (factor 32, low 1, high 4, original context 8192), each
     * band checked against the piecewise rule: wavelengths below 8192/4 = 2048 keep their frequency, above 8192 are
     * divided by 32, and in between are interpolated with s = (8192/λ − 1)/(4 − 1).
     */
    @Test
    void llama3ScalingKeepsHighFrequenciesDividesLowOnesAndInterpolatesBetween() {
        var rotary = new PositionalEncoding.Rotary(64, 500000, PositionalEncoding.Pairing.HALVES, new RopeScaling.Llama3(32, 1, 4, 8192));
        float[] scaled = RotaryEmbedding.inverseFrequencies(rotary);
        int kept = 0, divided = 0, smoothed = 0;
        for (int j = 0; j < 32; j++) {
            double inv = Math.pow(500000, -2.0 * j / 64), lambda = 2 * Math.PI / inv, expected;
            if (lambda < 2048) {
                expected = inv;
                kept++;
            } else if (lambda > 8192) {
                expected = inv / 32;
                divided++;
            } else {
                double s = (8192 / lambda - 1) / 3;
                expected = (1 - s) * inv / 32 + s * inv;
                smoothed++;
            }
            assertEquals(expected, scaled[j], 2e-6 * expected, "frequency " + j);
        }
        assertTrue(kept > 0 && divided > 0 && smoothed > 0, kept + " kept, " + divided + " divided, " + smoothed + " smoothed");
    }
}
