package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.RandomModels;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** SmallModelPatcher against EdgePatcher's non-incremental masked forward (the oracle). */
class SmallModelPatcherTest {

    /** A GPT-2 style model (LayerNorm, gelu_new, causal), a tracr-style one (no LN, relu, tok/pos nodes), attention-only. */
    static Stream<Arguments> models() {
        TransformerConfig gpt2 = TransformerConfig.gpt2Style("tiny-gpt2-preset", 2, 12, 3, 20, 10, 6, 1e-5);
        return Stream.of(
                Arguments.of(RandomModels.random(RandomModels.tinyGpt2(), 3)),
                Arguments.of(RandomModels.random(RandomModels.tinyTracrStyle(), 4)),
                Arguments.of(RandomModels.random(RandomModels.tinyAttnOnly(), 5)),
                Arguments.of(Presets.randomWeights(gpt2, 6)),
                Arguments.of(RandomModels.random(tracrLike(), 7)));
    }

    /** As CraftModelToTransformer builds compiled models: one head, no LayerNorm, relu, non-causal, separate embeddings. */
    static TransformerConfig tracrLike() {
        return new TransformerConfig("tracr-like", 3, 10, 1, 4, 6, 5, 3, 5,
                TransformerConfig.Normalization.NONE, 0, TransformerConfig.Activation.RELU, false, 1.0, true);
    }

    static ModelInput tokens(TransformerConfig c, int batch, int len, long seed, boolean padded) {
        Random r = new Random(seed);
        int[][] t = new int[batch][len];
        boolean[][] a = padded ? new boolean[batch][len] : null;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < len; i++) t[b][i] = r.nextInt(c.dVocab());
            // the first position stays readable, so no query is left with nothing to attend to
            if (padded) for (int i = 0; i < len; i++) a[b][i] = i == 0 || i < len - b % len;
        }
        return new ModelInput(t, a);
    }

    static float[] mask(int n, Random r, boolean fractional) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            m[i] = u < 0.35 ? 0f : (fractional && u < 0.7 ? (float) r.nextDouble() : 1f);
        }
        return m;
    }

    static float[] ones(int n) {
        float[] m = new float[n];
        Arrays.fill(m, 1f);
        return m;
    }

    /** Asserts |a − b| ≤ 1e-4 · max(1, max |b|) elementwise; returns max |b|. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * scale, what + ": element " + i);
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @ParameterizedTest
    @MethodSource("models")
    void randomMasksMatchTheEdgePatcherUnderEveryAblation(TransformerWeights w) {
        TransformerConfig c = w.config();
        CircuitGraph g = CircuitGraph.of(c);
        int len = Math.min(5, c.nCtx());
        Random r = new Random(11);
        for (boolean padded : new boolean[] {false, true}) {
            ModelInput clean = tokens(c, 3, len, 1, padded), corrupted = tokens(c, 3, len, 2, padded);
            for (Ablation ablation : Ablation.values()) {
                try (HookedTransformer m = new HookedTransformer(w); NDManager scope = NDManager.newBaseManager();
                     EdgePatcher p = EdgePatcher.create(m, g, clean, ablation, corrupted, List.of())) {
                    SmallModelPatcher s = SmallModelPatcher.of(p);
                    String what = c.name() + " " + ablation + (padded ? " padded" : "");
                    assertClose(p.cleanLogits(scope).toFloatArray(), s.cleanLogits(), what + " clean");
                    for (int k : new int[] {1, 5}) {
                        for (boolean fractional : new boolean[] {false, true}) {
                            float[][] masks = new float[k][];
                            for (int i = 0; i < k; i++) masks[i] = mask(p.maskLength(), r, fractional);
                            float[] expected = p.logitsNonIncremental(scope, masks).toFloatArray();
                            float[] fast = s.logits(masks);
                            assertClose(expected, fast, what + " K=" + k + (fractional ? " fractional" : ""));
                            // the dirty-tracking path computes exactly what the full recomputation does
                            assertArrayEquals(s.logitsNonIncremental(masks), fast, what + " incremental");
                        }
                    }
                    // every edge removed: far from clean (the comparison above is not between two clean runs)
                    float[] none = s.logits(new float[][] {new float[p.maskLength()]});
                    if (ablation == Ablation.ZERO) assertTrue(maxDiff(none, s.cleanLogits()) > 1e-4, what + ": zero ablation changes nothing");
                    assertClose(p.logitsNonIncremental(scope, new float[][] {new float[p.maskLength()]}).toFloatArray(), none, what + " all removed");
                }
            }
        }
    }

    /** Masks that change only late receivers (the last layer's heads, the output): the incremental start is late. */
    @ParameterizedTest
    @MethodSource("models")
    void changesOnlyInLateGroupsMatchTheFullRecomputation(TransformerWeights w) {
        TransformerConfig c = w.config();
        CircuitGraph g = CircuitGraph.of(c);
        ModelInput clean = tokens(c, 4, Math.min(5, c.nCtx()), 3, false), corrupted = tokens(c, 4, Math.min(5, c.nCtx()), 4, false);
        int last = c.nLayers() - 1;
        Random r = new Random(13);
        try (HookedTransformer m = new HookedTransformer(w); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            SmallModelPatcher s = SmallModelPatcher.of(p);
            for (NodeKind lateKind : List.of(NodeKind.OUTPUT, NodeKind.HEAD_INPUT, NodeKind.HEAD_QKV)) {
                float[][] masks = new float[5][];
                for (int k = 0; k < 5; k++) {
                    masks[k] = ones(p.maskLength());
                    for (Edge e : g.edges()) {
                        Node rc = e.receiver();
                        boolean late = rc.kind() == NodeKind.OUTPUT
                                || (lateKind != NodeKind.OUTPUT && rc.kind() == lateKind && rc.layer() == last);
                        if (late && r.nextDouble() < 0.5) masks[k][e.id()] = k % 2 == 0 ? 0f : (float) r.nextDouble();
                    }
                }
                float[] expected = p.logitsNonIncremental(scope, masks).toFloatArray();
                float[] fast = s.logits(masks);
                assertClose(expected, fast, c.name() + " late " + lateKind);
                assertArrayEquals(s.logitsNonIncremental(masks), fast);
                assertClose(p.logits(scope, masks).toFloatArray(), fast, c.name() + " vs incremental EdgePatcher " + lateKind);
            }
            // no change at all: the clean logits, repeated per variant
            float[] twice = s.logits(new float[][] {ones(p.maskLength()), ones(p.maskLength())});
            float[] cleanLogits = s.cleanLogits();
            assertArrayEquals(cleanLogits, Arrays.copyOfRange(twice, 0, cleanLogits.length));
            assertArrayEquals(cleanLogits, Arrays.copyOfRange(twice, cleanLogits.length, twice.length));
        }
    }

    @Test
    void theNdArrayViewHasEdgePatchersShape() {
        TransformerWeights w = RandomModels.random(RandomModels.tinyTracrStyle(), 8);
        TransformerConfig c = w.config();
        ModelInput clean = tokens(c, 2, 4, 5, false);
        try (HookedTransformer m = new HookedTransformer(w); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(c), clean, Ablation.ZERO, null, null)) {
            SmallModelPatcher s = SmallModelPatcher.of(p);
            float[][] masks = {mask(p.maskLength(), new Random(1), false), mask(p.maskLength(), new Random(2), true)};
            NDArray a = s.logits(scope, masks), b = p.logits(scope, masks);
            assertEquals(b.getShape(), a.getShape());
            assertClose(b.toFloatArray(), a.toFloatArray(), "ndarray");
            assertThrows(IllegalArgumentException.class, () -> s.logits(new float[][] {new float[3]}));
        }
    }
}
