package dev.acdc.discovery;

import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.induction.InductionTask;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fast path (incremental {@link EdgePatcher} passes with speculative batches of cumulative removals) against
 * the reference (one full masked forward per tested edge) on models with LayerNorm and biases (and on the Pythia
 * and Qwen2 fixtures: rotary, a parallel residual, grouped key/value heads), where the two
 * round differently (about 1e-7 on induction). A decision can flip only when an effect lies within that rounding
 * of τ ({@link AcdcOptions}), so the circuits must be identical for every τ that is not within 1e-6 (relative) of
 * an effect either run recorded.
 */
class FastPathOnLayerNormModelsTest {

    /** Relative distance of τ from an effect within which float rounding may decide. */
    static final double ROUNDING = 1e-6;

    /** Per model, from a τ that keeps many tested edges to one that removes most (and so exercises the batches). */
    static double[] thresholds(String model) {
        return switch (model) {
            case "induction", "pythia-tiny", "qwen2-tiny", "gemma2-tiny" -> new double[] {1e-3, 0.05};
            default -> new double[] {0.02, 0.5};
        };
    }

    /** A GPT-2-shaped model with MLPs, LayerNorm and biases: 2 layers, 4 heads, d_model 32 (the tiny GPT-2 fixture's shape). */
    static final TransformerConfig GPT2_SHAPED = TransformerConfig.gpt2Style("gpt2-shaped", 2, 32, 4, 128, 101, 16, 1e-5);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("induction", Ablation.RESAMPLE), Arguments.of("induction", Ablation.ZERO),
                Arguments.of("gpt2-shaped", Ablation.RESAMPLE), Arguments.of("gpt2-shaped", Ablation.ZERO),
                // a Hugging Face family: rotary, parallel residual (the fixture of the test resources)
                Arguments.of("pythia-tiny", Ablation.RESAMPLE), Arguments.of("pythia-tiny", Ablation.ZERO),
                // grouped key/value heads, RMSNorm, a gated MLP
                Arguments.of("qwen2-tiny", Ablation.RESAMPLE), Arguments.of("qwen2-tiny", Ablation.ZERO),
                // post-norms linearised at the clean rms, soft-caps, a sliding window (Gemma 2)
                Arguments.of("gemma2-tiny", Ablation.RESAMPLE), Arguments.of("gemma2-tiny", Ablation.ZERO));
    }

    @ParameterizedTest(name = "{0}, {1} ablation")
    @MethodSource("cases")
    void identicalCircuitsForEveryThresholdNotWithinRoundingOfAnEffect(String model, Ablation ablation) {
        TransformerWeights weights;
        ModelInput clean, corrupted;
        if (model.equals("induction")) {
            // the shipped model on 10 of the task's sequences (a quarter of the task: the reference path is one full
            // masked forward per tested edge), corrupted by shifting the rows by one
            InductionTask induction = InductionTask.shipped(0);
            weights = induction.weights();
            int[][] rows = java.util.Arrays.copyOf(induction.clean().tokens(), 10);
            int[][] shifted = new int[rows.length][];
            for (int i = 0; i < rows.length; i++) shifted[i] = rows[(i + 1) % rows.length];
            clean = ModelInput.of(rows);
            corrupted = ModelInput.of(shifted);
        } else if (model.endsWith("-tiny")) {
            weights = dev.acdc.patching.load.ModelDirectory.load(dev.acdc.patching.testsupport.Fixtures.path("fixtures/" + model)).weights();
            clean = tokens(weights.config(), 16, 12, 24);
            corrupted = tokens(weights.config(), 16, 12, 25);
        } else {
            weights = randomWeights(GPT2_SHAPED, 21);
            clean = tokens(GPT2_SHAPED, 16, 12, 22);       // 192 rows: above Acdc's small-model size, so the EdgePatcher runs
            corrupted = tokens(GPT2_SHAPED, 16, 12, 23);
        }
        int compared = 0, forwards = 0, tested = 0;
        try (HookedTransformer m = new HookedTransformer(weights);
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(weights.config()), clean, ablation, corrupted, List.of());
             NDManager scope = NDManager.newBaseManager()) {
            Metric kl = Metrics.klDivergence(p.cleanLogits(scope), ScoredPositions.last());
            for (double tau : thresholds(model)) {
                AcdcResult ref = new Acdc(p, kl, AcdcOptions.reference(tau)).run();
                Acdc fastAcdc = new Acdc(p, kl, AcdcOptions.fast(tau).withSpeculativeBatch(8));
                assertFalse(fastAcdc.evaluatesWithSmallPatcher(), "the fast path must evaluate with the EdgePatcher here");
                assertEquals(8, fastAcdc.effectiveSpeculativeBatch(), "speculative batches of 8");
                AcdcResult fast = fastAcdc.run();
                forwards += fast.maskedForwards();
                tested += fast.testedEdges();
                if (!ref.circuit().edgeNames().equals(fast.circuit().edgeNames())) {
                    assertTrue(nearAnEffect(tau, ref) || nearAnEffect(tau, fast), "τ = " + tau + ": circuits differ with no effect "
                            + "within rounding of τ\nreference " + ref.circuit().edgeNames() + "\nfast      " + fast.circuit().edgeNames());
                    continue;
                }
                compared++;
                assertEquals(ref.testedEdges(), fast.testedEdges(), "τ = " + tau);
                double[] a = ref.circuit().scores(), b = fast.circuit().scores();
                for (int i = 0; i < a.length; i++) {
                    if (Double.isNaN(a[i])) assertTrue(Double.isNaN(b[i]), "τ = " + tau + ", edge " + i);
                    else assertEquals(a[i], b[i], 1e-5 + 1e-4 * Math.abs(a[i]), "τ = " + tau + ", effect of edge " + i);
                }
            }
        }
        int n = thresholds(model).length;
        assertTrue(compared >= n - 1, "only " + compared + " of " + n + " thresholds compared");
        assertTrue(forwards < tested, "batches must have evaluated several removals at once: " + forwards + " passes for "
                + tested + " tested edges");
    }

    /** SmallModelPatcher computes GPT-2-style blocks only: on a small input a family model still takes the EdgePatcher. */
    @org.junit.jupiter.api.Test
    void aFamilyModelOnASmallInputEvaluatesWithTheEdgePatcher() {
        TransformerWeights weights = dev.acdc.patching.load.ModelDirectory.load(
                dev.acdc.patching.testsupport.Fixtures.path("fixtures/pythia-tiny")).weights();
        ModelInput clean = tokens(weights.config(), 2, 4, 26), corrupted = tokens(weights.config(), 2, 4, 27);
        assertTrue(Acdc.isSmall(weights.config(), 8), "a small model by size");
        try (HookedTransformer m = new HookedTransformer(weights);
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(weights.config()), clean, Ablation.RESAMPLE, corrupted, List.of());
             NDManager scope = NDManager.newBaseManager()) {
            Metric kl = Metrics.klDivergence(p.cleanLogits(scope), ScoredPositions.last());
            assertFalse(new Acdc(p, kl, AcdcOptions.fast(0.01)).evaluatesWithSmallPatcher());
        }
    }

    static boolean nearAnEffect(double tau, AcdcResult r) {
        for (double e : r.circuit().scores()) {
            if (!Double.isNaN(e) && Math.abs(e - tau) <= ROUNDING * Math.max(Math.abs(tau), Math.abs(e))) return true;
        }
        return false;
    }

    static TransformerWeights randomWeights(TransformerConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : TransformerWeights.expectedShapes(c).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            float[] d = t.data();
            boolean gain = e.getKey().endsWith(".w") && e.getValue().length == 1;
            for (int i = 0; i < d.length; i++) d[i] = gain ? (float) (1 + 0.1 * r.nextGaussian()) : (float) (0.2 * r.nextGaussian());
            m.put(e.getKey(), t);
        }
        return TransformerWeights.of(c, m);
    }

    static ModelInput tokens(TransformerConfig c, int batch, int length, long seed) {
        Random r = new Random(seed);
        int[][] t = new int[batch][length];
        for (int[] row : t) for (int i = 0; i < length; i++) row[i] = r.nextInt(c.dVocab());
        return ModelInput.of(t);
    }
}
