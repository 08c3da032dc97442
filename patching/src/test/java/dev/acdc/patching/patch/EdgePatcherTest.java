package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.RandomModels;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class EdgePatcherTest {

    static Stream<TransformerConfig> configs() {
        return Stream.of(RandomModels.tinyGpt2(), RandomModels.tinyTracrStyle(), RandomModels.tinyAttnOnly());
    }

    static ModelInput tokens(TransformerConfig c, int batch, int len, long seed) {
        Random r = new Random(seed);
        int[][] t = new int[batch][len];
        for (int[] row : t) for (int i = 0; i < len; i++) row[i] = r.nextInt(c.dVocab());
        return ModelInput.of(t);
    }

    static float[] randomMask(int n, Random r, double pRemove) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) m[i] = r.nextDouble() < pRemove ? 0f : 1f;
        return m;
    }

    static float[] ones(int n) {
        float[] m = new float[n];
        Arrays.fill(m, 1f);
        return m;
    }

    static double diff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void allOnesReproducesCleanAndAllZerosUnderResampleReproducesCorrupted(TransformerConfig c) {
        ModelInput clean = tokens(c, 3, c.nCtx() - 1, 1), corrupted = tokens(c, 3, c.nCtx() - 1, 2);
        CircuitGraph g = CircuitGraph.of(c);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 3)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            NDArray ones = p.logitsNonIncremental(scope, new float[][] {ones(p.maskLength())});
            assertTrue(diff(ones, m.forward(scope, clean)) <= 1e-5, "all-ones mask must give the clean logits");
            NDArray zeros = p.logitsNonIncremental(scope, new float[][] {new float[p.maskLength()]});
            assertTrue(diff(zeros, m.forward(scope, corrupted)) <= 1e-5, "all-zeros mask must give the corrupted logits");
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void randomMasksMatchTheHookBuiltReferenceUnderResampleAndZeroAblation(TransformerConfig c) {
        ModelInput clean = tokens(c, 2, c.nCtx() - 1, 5), corrupted = tokens(c, 2, c.nCtx() - 1, 6);
        CircuitGraph g = CircuitGraph.of(c);
        Random r = new Random(7);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 4)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher resample = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of());
             EdgePatcher zero = EdgePatcher.create(m, g, clean, Ablation.ZERO, null, null)) {
            ActivationCache corruptedRun = m.runWithCache(scope, corrupted);
            ActivationCache zeroRun = HookReferencePatcher.zeroAblatedRun(m, scope, clean);
            for (int trial = 0; trial < 4; trial++) {
                float[] mask = randomMask(g.edgeCount(), r, 0.2 + 0.2 * trial);
                NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, mask);
                assertTrue(diff(resample.logits(scope, new float[][] {mask}), expected) < 1e-4, "resample, trial " + trial);
                NDArray expectedZero = HookReferencePatcher.logits(m, g, scope, clean, zeroRun, mask);
                assertTrue(diff(zero.logits(scope, new float[][] {mask}), expectedZero) < 1e-4, "zero, trial " + trial);
            }
        }
    }

    @Test
    void removingOneEdgeToTheOutputUnderZeroAblationEqualsSubtractingTheHeadByHand() {
        TransformerConfig c = RandomModels.tinyGpt2();
        ModelInput clean = tokens(c, 2, 5, 8);
        CircuitGraph g = CircuitGraph.of(c);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 9)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.ZERO, null, null)) {
            Edge e = g.edge("a0.1->output");
            BitSet removed = new BitSet();
            removed.set(e.id());
            NDArray head = m.runWithCache(scope, clean).get(HookNames.result(0)).get(":, :, 1, :");
            NDArray byHand = m.runWithHooks(scope, clean, List.of(new Hook(HookNames.residPost(c.nLayers() - 1), x -> x.sub(head))));
            assertTrue(diff(p.logits(scope, removed), byHand) < 1e-5);
        }
    }

    /**
     * ACDC's zero ablation caches a run whose head results, MLP outputs and embeddings are zero; a removed
     * direct edge carries that run's q: ln1(Σ earlier b_O) · W_Q + b_Q (for layer 0, ln1(0) · W_Q + b_Q), not 0.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aRemovedDirectEdgeUnderZeroAblationCarriesTheQueryTheBiasesGive(int layer) {
        TransformerConfig c = RandomModels.tinyGpt2();
        ModelInput clean = tokens(c, 2, 5, 12);
        CircuitGraph g = CircuitGraph.of(c);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 13)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.ZERO, null, null)) {
            BitSet removed = new BitSet();
            removed.set(g.edge("a" + layer + ".1.q->a" + layer + ".1.hook_q").id());
            NDArray residual = scope.zeros(new ai.djl.ndarray.types.Shape(c.dModel()));
            for (int l = 0; l < layer; l++) residual = residual.add(m.attentionOutputBias(l));
            NDArray perHead = residual.broadcast(2, 5, c.nHeads(), c.dModel());
            NDArray zeroRunQuery = m.project(layer, HookedTransformer.Channel.Q, perHead).get(":, :, 1:2, :");   // [B, P, 1, d]
            assertTrue(zeroRunQuery.abs().max().getFloat() > 1e-3, "the biases give a non-zero query");
            NDArray byHand = m.runWithHooks(scope, clean, List.of(new Hook(HookNames.q(layer), x -> {
                NDArray q = x.duplicate();
                q.set(new ai.djl.ndarray.index.NDIndex(":, :, 1:2, :"), zeroRunQuery);
                return q;
            })));
            assertTrue(diff(p.logits(scope, removed), byHand) < 1e-5);
            float[] mask = ones(p.maskLength());
            removed.stream().forEach(id -> mask[id] = 0f);
            assertTrue(diff(p.logitsNonIncremental(scope, new float[][] {mask}), byHand) < 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void incrementalEvaluationEqualsTheFullMaskedForwardForEveryReceiver(TransformerConfig c) {
        ModelInput clean = tokens(c, 2, 4, 10), corrupted = tokens(c, 2, 4, 11);
        CircuitGraph g = CircuitGraph.of(c);
        Random r = new Random(12);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 13)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            for (Node receiver : g.receiversInOrder()) {
                // as in ACDC: edges into receivers after this one are decided, edges into it are being tested,
                // edges into receivers before it in processing order (upstream) are intact
                float[] mask = ones(g.edgeCount());
                int position = g.receiversInOrder().indexOf(receiver);
                for (Edge e : g.edges()) {
                    int rp = g.receiversInOrder().indexOf(e.receiver());
                    if (rp <= position && r.nextBoolean()) mask[e.id()] = 0f;
                }
                float[][] masks = {mask};
                assertTrue(diff(p.logits(scope, masks), p.logitsNonIncremental(scope, masks)) < 1e-5, "receiver " + receiver);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void passesThatChangeALaterReceiverThanTheLastOneUndoItsChanges(TransformerConfig c) {
        // each pass changes a later receiver than the one before and restores the earlier one's edges, so it must
        // recompute from the earlier receiver, not only from its own, or it keeps the last pass's rows; the
        // hook-built reference shares no state
        ModelInput clean = tokens(c, 2, 4, 30), corrupted = tokens(c, 2, 4, 31);
        CircuitGraph g = CircuitGraph.of(c);
        Random r = new Random(32);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 33)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            ActivationCache corruptedRun = m.runWithCache(scope, corrupted);
            List<Node> inputFirst = new java.util.ArrayList<>(g.receiversInOrder());
            java.util.Collections.reverse(inputFirst);
            for (Node receiver : inputFirst) {
                float[] mask = ones(g.edgeCount());
                for (Edge e : g.inEdges(receiver)) if (r.nextDouble() < 0.6) mask[e.id()] = 0f;
                NDArray expected = HookReferencePatcher.logits(m, g, scope, clean, corruptedRun, mask);
                assertTrue(diff(p.logits(scope, new float[][] {mask}), expected) < 1e-4, "receiver " + receiver);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void logitsAtChosenRowsAreTheFullLogitsOfThoseRows(TransformerConfig c) {
        int batch = 3, len = 4;
        ModelInput clean = tokens(c, batch, len, 40), corrupted = tokens(c, batch, len, 41);
        CircuitGraph g = CircuitGraph.of(c);
        Random r = new Random(42);
        long[] rows = {3, 5, 11};   // row 0's last position, row 1's second, row 2's last
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 43)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            float[][] pair = {randomMask(g.edgeCount(), r, 0.3), randomMask(g.edgeCount(), r, 0.3)};
            for (float[][] masks : new float[][][] {pair, {pair[0]}, {pair[1]}, {ones(g.edgeCount())}}) {
                int v = c.dVocabOut();
                for (boolean incremental : new boolean[] {true, false}) {
                    float[] full = (incremental ? p.logits(scope, masks) : p.logitsNonIncremental(scope, masks)).toFloatArray();
                    NDArray some = incremental ? p.logitsAt(scope, masks, rows) : p.logitsNonIncrementalAt(scope, masks, rows);
                    assertEquals(new ai.djl.ndarray.types.Shape((long) masks.length * rows.length, v), some.getShape());
                    float[] got = some.toFloatArray();
                    for (int k = 0; k < masks.length; k++) {
                        for (int i = 0; i < rows.length; i++) {
                            for (int j = 0; j < v; j++) {
                                float expected = full[(int) ((k * batch * len + rows[i]) * v + j)];
                                assertEquals(expected, got[(k * rows.length + i) * v + j], 1e-5,
                                        "variant " + k + " of " + masks.length + ", row " + rows[i] + (incremental ? "" : ", oracle"));
                            }
                        }
                    }
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.logitsAt(scope, pair, new long[] {12}));
            assertTrue(e.getMessage().contains("output row 12 is outside the 3·4 rows"), e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void aBatchOfMasksEqualsEachMaskAlone(TransformerConfig c) {
        ModelInput clean = tokens(c, 3, 4, 14), corrupted = tokens(c, 3, 4, 15);
        CircuitGraph g = CircuitGraph.of(c);
        Random r = new Random(16);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 17)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            float[][] masks = new float[5][];
            for (int k = 0; k < masks.length; k++) masks[k] = randomMask(g.edgeCount(), r, 0.3);
            masks[2] = ones(g.edgeCount());
            NDArray batched = p.logits(scope, masks);
            for (int k = 0; k < masks.length; k++) {
                NDArray alone = p.logits(scope, new float[][] {masks[k]});
                assertTrue(diff(batched.get((k * 3) + ":" + (k * 3 + 3)), alone) < 1e-5, "variant " + k);
            }
        }
    }

    @Test
    void meanAblationOfEveryEdgeFeedsTheMeanResidualToTheOutput() {
        TransformerConfig c = RandomModels.tinyTracrStyle();
        ModelInput clean = tokens(c, 4, 4, 18);
        CircuitGraph g = CircuitGraph.of(c);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 19)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, g, clean, Ablation.MEAN, null, null)) {
            NDArray logits = p.logits(scope, new float[][] {new float[g.edgeCount()]});
            // every receiver sees the same mean input at every row and position, so every row agrees
            assertTrue(diff(logits.get("0"), logits.get("3")) < 1e-5);
            assertTrue(diff(logits.get("0, 0"), logits.get("2, 3")) < 1e-5);
        }
    }

    @Test
    void aMaskOfTheWrongLengthIsRejected() {
        TransformerConfig c = RandomModels.tinyGpt2();
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 1)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(c), tokens(c, 1, 3, 1), Ablation.ZERO, null, null)) {
            var e = assertThrows(IllegalArgumentException.class, () -> p.logits(scope, new float[][] {new float[3]}));
            assertTrue(e.getMessage().contains("3 entries"), e.getMessage());
        }
    }
}
