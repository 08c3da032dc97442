package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static dev.acdc.patching.patch.EdgePatcherTest.diff;
import static dev.acdc.patching.patch.EdgePatcherTest.ones;
import static dev.acdc.patching.patch.EdgePatcherTest.randomMask;
import static dev.acdc.patching.patch.EdgePatcherTest.tokens;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Edge patching on the Hugging Face family fixtures (the trained-shape tiny checkpoints of the test resources):
 * a parallel residual (pythia-tiny) and grouped key/value heads (qwen2-tiny, llama-tiny, gemma-tiny: 4 query heads, 2
 * key/value heads), as {@link EdgePatcherTest} checks GPT-2-style models: the all-ones mask gives
 * the model's clean logits, random masks under resample and zero ablation give the hook-built oracle's logits, and
 * the incremental passes equal the non-incremental ones.
 */
class EdgePatcherFamiliesTest {

    static HookedTransformer load(String fixture) {
        return new HookedTransformer(ModelDirectory.load(Fixtures.path("fixtures/" + fixture)).weights());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "qwen2-tiny", "llama-tiny", "gemma-tiny"})
    void allOnesReproducesTheCleanLogits(String fixture) {
        try (HookedTransformer m = load(fixture); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 3, 6, 1), corrupted = tokens(c, 3, 6, 2);
            CircuitGraph g = CircuitGraph.of(c);
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                NDArray expected = m.forward(scope, clean);
                float[][] all = {ones(p.maskLength())};
                assertTrue(diff(p.logitsNonIncremental(scope, all), expected) <= 1e-5, "non-incremental");
                assertTrue(diff(p.logits(scope, all), expected) <= 1e-5, "pass");
                NDArray zeros = p.logitsNonIncremental(scope, new float[][] {new float[p.maskLength()]});
                assertTrue(diff(zeros, m.forward(scope, corrupted)) <= 1e-5, "all-zeros mask must give the corrupted logits");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "qwen2-tiny", "llama-tiny", "gemma-tiny"})
    void randomMasksMatchTheHookBuiltReferenceUnderResampleAndZeroAblation(String fixture) {
        try (HookedTransformer m = load(fixture); NDManager scope = NDManager.newBaseManager()) {
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
                // two variants in one batch (the speculative path) equal each alone
                float[][] pair = {randomMask(g.edgeCount(), r, 0.3), randomMask(g.edgeCount(), r, 0.3)};
                NDArray both = resample.logits(scope, pair);
                for (int k = 0; k < 2; k++) {
                    NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, pair[k]);
                    assertTrue(diff(both.get(k * 2 + ":" + (k * 2 + 2)), expected) < 1e-4, "batched variant " + k);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "qwen2-tiny", "llama-tiny", "gemma-tiny"})
    void passesFromTheBaseEqualTheReferenceReceiverByReceiver(String fixture) {
        try (HookedTransformer m = load(fixture); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 5, 30), corrupted = tokens(c, 2, 5, 31);
            CircuitGraph g = CircuitGraph.of(c);
            Random r = new Random(32);
            try (EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                ActivationCache corruptedRun = m.runWithCache(scope, corrupted);
                float[] mask = ones(g.edgeCount());
                for (Node receiver : g.receiversInOrder()) {
                    // ACDC's walk: edges into the receivers processed so far may be removed, the rest are intact
                    for (Edge e : g.inEdges(receiver)) if (r.nextDouble() < 0.5) mask[e.id()] = 0f;
                    NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, mask);
                    assertTrue(diff(p.logits(scope, new float[][] {mask.clone()}), expected) < 1e-4, "receiver " + receiver);
                    // the metric's rows only (the last layer's queries at those rows): each sequence's last position
                    long[] rows = {4, 9};
                    NDArray some = p.logitsAt(scope, new float[][] {mask.clone()}, rows);
                    NDArray expectedRows = expected.reshape(10, -1).get(new ai.djl.ndarray.index.NDIndex("{}", scope.create(rows)));
                    assertTrue(diff(some, expectedRows) < 1e-4, "rows, receiver " + receiver);
                }
            }
        }
    }

    /** Under autograd (SP, EAP) the recomputed rows are concatenated, not buffered: the mask NDArray gives the same logits. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pythia-tiny", "qwen2-tiny", "llama-tiny", "gemma-tiny"})
    void maskTensorsUnderAutogradGiveTheFloatMaskLogits(String fixture) {
        try (HookedTransformer m = load(fixture); NDManager scope = NDManager.newBaseManager()) {
            TransformerConfig c = m.config();
            ModelInput clean = tokens(c, 2, 5, 40), corrupted = tokens(c, 2, 5, 41);
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
}
