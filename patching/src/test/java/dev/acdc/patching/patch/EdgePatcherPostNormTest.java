package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.WeightNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static dev.acdc.patching.patch.EdgePatcherFamiliesTest.load;
import static dev.acdc.patching.patch.EdgePatcherTest.diff;
import static dev.acdc.patching.patch.EdgePatcherTest.ones;
import static dev.acdc.patching.patch.EdgePatcherTest.randomMask;
import static dev.acdc.patching.patch.EdgePatcherTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Edge patching of a post-norm model (gemma2-tiny: ln1_post and ln2_post, grouped key/value heads, soft-caps, a
 * sliding window of 4 on even layers, so prompts of 6 tokens) under our linearisation ({@link PostNormScales}): each
 * sender's value is its share of its layer's post-norm output with the clean run's rms. Checked against the
 * definition written out by hand ({@link PostNormReference}) and, for one edge, against the formula itself.
 */
class EdgePatcherPostNormTest {
    static final String FIXTURE = "gemma2-tiny";

    @ParameterizedTest(name = "{0}")
    @EnumSource(Ablation.class)
    void everyEdgeKeptGivesTheCleanLogitsUnderEveryAblation(Ablation ablation) {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            assertTrue(c.architecture().postNorms());
            ModelInput clean = tokens(c, 3, 6, 1), corrupted = tokens(c, 3, 6, 2);
            CircuitGraph g = CircuitGraph.of(c);
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, ablation, corrupted, List.of())) {
                NDArray expected = m.forward(scope, clean);
                float[][] all = {ones(p.maskLength())};
                assertTrue(diff(p.logitsNonIncremental(scope, all), expected) <= 1e-5, "non-incremental");
                assertTrue(diff(p.logits(scope, all), expected) <= 1e-5, "pass");
                float[][] two = {ones(p.maskLength()), ones(p.maskLength())};
                assertTrue(diff(p.logits(scope, two).get("0:3"), expected) <= 1e-5, "batched");
                // from the base: one edge removed, then put back (the base recomputes what it changed)
                float[] one = ones(p.maskLength());
                one[0] = 0f;
                p.logitsAt(scope, new float[][] {one}, new long[] {5, 11, 17});
                float[] back = ones(p.maskLength());
                back[1] = 0.999999f;   // not all ones: the base path, not the clean shortcut
                NDArray rows = p.logitsAt(scope, new float[][] {back}, new long[] {5, 11, 17});
                NDArray expectedRows = expected.reshape(18, -1).get(new NDIndex("{}", scope.create(new long[] {5, 11, 17})));
                assertTrue(diff(rows, expectedRows) <= 1e-4, "from the base, at the scored rows");
            }
        }
    }

    /** The definition, not the corrupted run: the ablated shares carry the clean scale, the corrupted run its own. */
    @Test
    void everyEdgeRemovedUnderResampleIsTheOracleNotTheCorruptedRun() {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 6, 3), corrupted = tokens(c, 2, 6, 4);
            CircuitGraph g = CircuitGraph.of(c);
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                float[] none = new float[p.maskLength()];
                NDArray patched = p.logitsNonIncremental(scope, new float[][] {none});
                NDArray oracle = HookReferencePatcher.logits(m, g, scope, clean, m.runWithCache(scope, corrupted), none);
                assertTrue(diff(patched, oracle) < 1e-4);
                assertTrue(diff(patched, m.forward(scope, corrupted)) > 1e-3, "the corrupted run normalises with its own rms");
            }
        }
    }

    /**
     * One edge by the formula: removing {@code a1.H->output} alone moves the final residual stream by the head's share
     * of the difference, {@code g ⊙ (result_corrupted − result_clean) / rms_clean}, and nothing else changes (the output
     * is the last receiver). Written with the clean and corrupted caches and the checkpoint's gain only.
     */
    @Test
    void removingAHeadsOutputEdgeMovesTheStreamByItsShareWithTheCleanScale() {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 6, 7), corrupted = tokens(c, 2, 6, 8);
            CircuitGraph g = CircuitGraph.of(c);
            int layer = c.nLayers() - 1, head = 2;
            Edge edge = g.edge("a" + layer + "." + head + "->output");
            ActivationCache cleanRun = m.runWithCache(scope, clean), corruptedRun = m.runWithCache(scope, corrupted);
            NDArray gain = scope.create(m.weights().get(WeightNames.ln1PostW(layer)).data());
            NDArray rms = cleanRun.get(HookNames.ln1PostScale(layer));
            String at = ":, :, " + head + ", :";
            NDArray delta = corruptedRun.get(HookNames.result(layer)).get(at).sub(cleanRun.get(HookNames.result(layer)).get(at))
                    .mul(gain).div(rms);
            NDArray expected = m.unembed(cleanRun.get(HookNames.residPost(layer)).add(delta));
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                BitSet removed = new BitSet();
                removed.set(edge.id());
                assertTrue(diff(p.logits(scope, removed), expected) < 1e-5);
                assertTrue(diff(expected, cleanRun.logits()) > 1e-4, "the edge matters");
            }
        }
    }

    @Test
    void randomMasksMatchTheHandBuiltReferenceUnderResampleAndZeroAblation() {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 6, 5), corrupted = tokens(c, 2, 6, 6);
            CircuitGraph g = CircuitGraph.of(c);
            Random r = new Random(7);
            try (EdgePatcher resample = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of());
                 EdgePatcher zero = EdgePatcher.create(m, g, clean, Ablation.ZERO, null, null)) {
                ActivationCache corruptedRun = m.runWithCache(scope, corrupted);
                ActivationCache zeroRun = HookReferencePatcher.zeroAblatedRun(m, scope, clean);
                for (int trial = 0; trial < 4; trial++) {
                    float[] mask = randomMask(g.edgeCount(), r, 0.2 + 0.2 * trial);
                    float[][] masks = {mask};
                    NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, mask);
                    assertTrue(diff(resample.logits(scope, masks), expected) < 1e-4, "resample, trial " + trial);
                    assertTrue(diff(resample.logitsNonIncremental(scope, masks), expected) < 1e-4, "resample oracle path, trial " + trial);
                    NDArray expectedZero = HookReferencePatcher.logits(m, g, scope, clean, zeroRun, mask);
                    assertTrue(diff(zero.logits(scope, masks), expectedZero) < 1e-4, "zero, trial " + trial);
                }
                float[][] pair = {randomMask(g.edgeCount(), r, 0.3), randomMask(g.edgeCount(), r, 0.3)};
                NDArray both = resample.logits(scope, pair);
                for (int k = 0; k < 2; k++) {
                    NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, pair[k]);
                    assertTrue(diff(both.get(k * 2 + ":" + (k * 2 + 2)), expected) < 1e-4, "batched variant " + k);
                }
            }
        }
    }

    @Test
    void passesFromTheBaseEqualTheReferenceReceiverByReceiver() {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 6, 30), corrupted = tokens(c, 2, 6, 31);
            CircuitGraph g = CircuitGraph.of(c);
            Random r = new Random(32);
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                ActivationCache corruptedRun = m.runWithCache(scope, corrupted);
                float[] mask = ones(g.edgeCount());
                int checked = 0;
                for (Node receiver : g.receiversInOrder()) {
                    for (Edge e : g.inEdges(receiver)) if (r.nextDouble() < 0.5) mask[e.id()] = 0f;
                    NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, mask);
                    assertTrue(diff(p.logits(scope, new float[][] {mask.clone()}), expected) < 1e-4, "receiver " + receiver);
                    long[] rows = {5, 11};
                    NDArray some = p.logitsAt(scope, new float[][] {mask.clone()}, rows);
                    NDArray expectedRows = expected.reshape(12, -1).get(new NDIndex("{}", scope.create(rows)));
                    assertTrue(diff(some, expectedRows) < 1e-4, "rows, receiver " + receiver);
                    checked++;
                }
                assertEquals(g.receiversInOrder().size(), checked);
            }
        }
    }

    @Test
    void maskTensorsUnderAutogradGiveTheFloatMaskLogits() {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 6, 40), corrupted = tokens(c, 2, 6, 41);
            Random r = new Random(42);
            try (EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(c), clean, Ablation.RESAMPLE, corrupted, List.of())) {
                float[][] masks = EdgePatcherGradientTest.randomMasks(2, p.maskLength(), r);
                NDArray viaFloats = p.logitsNonIncremental(scope, masks);
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector();
                     NDManager pass = scope.newSubManager()) {
                    NDArray mt = EdgePatcherGradientTest.tensor(pass, masks);
                    mt.setRequiresGradient(true);
                    NDArray viaTensor = p.logits(pass, mt);
                    assertTrue(diff(viaFloats, viaTensor) <= 1e-5);
                    gc.backward(viaTensor.sum());
                    assertTrue(mt.getGradient().abs().max().getFloat() > 0f, "the mask has a gradient");
                }
            }
        }
    }

    /** The fixing hooks change nothing on the clean run itself: they only hold the rms where a patch would move it. */
    @Test
    void fixingTheCleanScalesLeavesTheCleanRunUnchanged() {
        try (HookedTransformer m = load(FIXTURE); NDManager scope = NDManager.newBaseManager()) {
            ModelInput clean = tokens(m.config(), 2, 6, 50), other = tokens(m.config(), 2, 6, 51);
            PostNormScales s = PostNormScales.capture(m, scope, clean);
            assertEquals(0.0, diff(m.runWithHooks(scope, clean, s.fixingHooks()), m.forward(scope, clean)), 1e-6);
            assertTrue(diff(m.runWithHooks(scope, other, s.fixingHooks()), m.forward(scope, other)) > 1e-4,
                    "another input's own rms differs from the clean one's");
        }
    }

    /**
     * The bias's share: Gemma 2 has no b_O, so the fixture with an attention output bias added (random, per layer) checks
     * that every receiver's ablated sum carries {@code g ⊙ b_O / rms_clean} of the layers before it, as the oracle adds it.
     */
    @Test
    void anAttentionOutputBiasGoesWithItsLayerAsItsShare() {
        dev.acdc.patching.model.TransformerWeights w = dev.acdc.patching.load.ModelDirectory.load(
                dev.acdc.patching.testsupport.Fixtures.path("fixtures/" + FIXTURE)).weights();
        TransformerConfig c = w.config();
        dev.acdc.patching.model.Architecture a = c.architecture();
        dev.acdc.patching.model.Architecture withBias = new dev.acdc.patching.model.Architecture(a.positions(), a.keyValueHeads(),
                a.mlp(), a.residual(), a.postNorms(), a.embeddingScale(), a.attentionSoftCap(), a.logitSoftCap(), a.slidingWindow(),
                new dev.acdc.patching.model.Architecture.Biases(a.biases().qkv(), true, a.biases().mlp(), a.biases().unembed()),
                a.tiedUnembedding());
        TransformerConfig cb = new TransformerConfig(c.name(), c.nLayers(), c.dModel(), c.nHeads(), c.dHead(), c.dMlp(), c.dVocab(),
                c.dVocabOut(), c.nCtx(), c.normalization(), c.layerNormEps(), c.activation(), c.causal(), c.attentionScale(),
                c.separateEmbeddingNodes(), withBias);
        java.util.Map<String, dev.acdc.patching.model.Tensor> t = new java.util.LinkedHashMap<>(w.tensors());
        Random r = new Random(60);
        for (int l = 0; l < c.nLayers(); l++) {
            float[] b = new float[c.dModel()];
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            t.put(WeightNames.bO(l), new dev.acdc.patching.model.Tensor(new int[] {c.dModel()}, b));
        }
        try (HookedTransformer m = new HookedTransformer(dev.acdc.patching.model.TransformerWeights.of(cb, t));
             NDManager scope = NDManager.newBaseManager()) {
            ModelInput clean = tokens(cb, 2, 6, 61), corrupted = tokens(cb, 2, 6, 62);
            CircuitGraph g = CircuitGraph.of(cb);
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of());
                 EdgePatcher zero = EdgePatcher.create(m, g, clean, Ablation.ZERO, null, null)) {
                assertTrue(diff(p.logitsNonIncremental(scope, new float[][] {ones(p.maskLength())}), m.forward(scope, clean)) <= 1e-5);
                ActivationCache corruptedRun = m.runWithCache(scope, corrupted);
                ActivationCache zeroRun = HookReferencePatcher.zeroAblatedRun(m, scope, clean);
                for (int trial = 0; trial < 2; trial++) {
                    float[] mask = randomMask(g.edgeCount(), r, 0.5);
                    NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, mask);
                    assertTrue(diff(p.logits(scope, new float[][] {mask}), expected) < 1e-4, "resample, trial " + trial);
                    NDArray expectedZero = HookReferencePatcher.logits(m, g, scope, clean, zeroRun, mask);
                    assertTrue(diff(zero.logits(scope, new float[][] {mask}), expectedZero) < 1e-4, "zero, trial " + trial);
                }
            }
        }
    }
}
