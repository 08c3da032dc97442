package dev.acdc.datasets.tracr;

import dev.acdc.datasets.random.TorchCpuRandom;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.compiler.InputEncoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ACDC code's tracr data and model. The pinned rows are what our emulation derives from the sources (torch, tracr
 * and TransformerLens could not be run here); the structural claims are checked independently of the emulation.
 */
class AcdcCodeTracrTest {

    @Test
    void transformerLensInitDrawsWhatTracrsShapesImply() {
        TransformerLensInit p = AcdcCodeTracr.PROPORTION_CONFIG;
        Map<String, Long> w = p.drawnWeights();
        assertEquals(List.of("embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V",
                "blocks.0.attn.W_O", "blocks.0.mlp.W_in", "blocks.0.mlp.W_out", "blocks.1.attn.W_Q", "blocks.1.attn.W_K",
                "blocks.1.attn.W_V", "blocks.1.attn.W_O", "blocks.1.mlp.W_in", "blocks.1.mlp.W_out", "unembed.W_U"), List.copyOf(w.keySet()));
        assertEquals(98L, w.get("blocks.0.attn.W_Q"), "1 head × d_model 14 × key_size 7");
        assertEquals(List.of("blocks.0.mlp.W_in", "blocks.0.mlp.W_out", "blocks.1.mlp.W_in", "blocks.1.mlp.W_out"), p.smallTensorWeights(),
                "d_model 14 × d_mlp 1 is below 16: those take the double-precision path");
        // 2 × (84 + 16) embeddings, 2 layers × (4 × (98 + 16) + 2 × 28), 56 + 16 unembedding
        assertEquals(1296, wordsDrawn(p));
        assertTrue(AcdcCodeTracr.REVERSE_CONFIG.smallTensorWeights().isEmpty());
        // (205 + 16) + (246 + 16) + 4 × (4 × (492 + 16) + 2 × (1230 + 16)) + (123 + 16)
        assertEquals(18718, wordsDrawn(AcdcCodeTracr.REVERSE_CONFIG));
    }

    @Test
    void ourCompiledModelsHaveTracrsShapeExceptTheHeadWidth() {
        CompiledModel proportion = TracrTask.proportion(0, false).compiled();
        AcdcCodeTracr.checkSameShape(proportion, AcdcCodeTracr.PROPORTION_CONFIG);
        AcdcCodeTracr.checkSameShape(TracrTask.reverse(0, false).compiled(), AcdcCodeTracr.REVERSE_CONFIG);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AcdcCodeTracr.checkSameShape(proportion, AcdcCodeTracr.REVERSE_CONFIG));
        assertTrue(e.getMessage().contains("d_model 14 (tracr 41)"), e.getMessage());
    }

    @Test
    void proportionRowsAreFiftyCleanAndFiftyTestStringsWithoutBosEachCorruptedByAPermutationOfItsHalf() {
        AcdcCodeTracr.Rows r = AcdcCodeTracr.proportionRows();
        assertEquals(50, r.clean().length);
        assertEquals(50, r.test().length);
        Set<String> distinct = new HashSet<>();
        for (int[][] half : List.of(r.clean(), r.test())) {
            for (int[] row : half) {
                assertEquals(4, row.length);
                for (int id : row) assertTrue(id >= 0 && id < 4, Arrays.toString(row));
                distinct.add(Arrays.toString(row));
            }
        }
        assertEquals(100, distinct.size(), "randperm(256) picks 100 distinct strings");
        assertEquals(sortedRows(r.clean()), sortedRows(r.corrupted()));
        assertEquals(sortedRows(r.test()), sortedRows(r.testCorrupted()));
        // derived by the emulation (not run against torch): the first strings are zxwz, wwyw, yzyy
        assertArrayEquals(new int[] {3, 1, 0, 3}, r.clean()[0]);
        assertArrayEquals(new int[] {0, 0, 2, 0}, r.clean()[1]);
        assertArrayEquals(new int[] {2, 3, 2, 2}, r.clean()[2]);
        assertArrayEquals(new int[] {1, 2, 2, 2}, r.corrupted()[0]);
    }

    @Test
    void proportionRowsContinueTheGeneratorAfterTheModelsInitialisation() {
        TorchCpuRandom torch = new TorchCpuRandom(AcdcCodeTracr.MAIN_SEED);
        for (int i = 0; i < 1296; i++) torch.nextUint32();
        int k = torch.randperm(256)[0];
        assertArrayEquals(new int[] {k / 64, k / 16 % 4, k / 4 % 4, k % 4}, AcdcCodeTracr.proportionRows().clean()[0]);
    }

    @Test
    void reverseRowsAreBosThenEachPermutationOfTheTokensUnderTheReferenceDerangement() {
        AcdcCodeTracr.Rows r = AcdcCodeTracr.reverseRows();
        assertArrayEquals(new int[][] {{3, 0, 1, 2}, {3, 0, 2, 1}, {3, 1, 0, 2}, {3, 1, 2, 0}, {3, 2, 0, 1}, {3, 2, 1, 0}}, r.clean());
        // derived by the emulation: get_perm(6) == [5, 0, 4, 2, 3, 1]
        int[] order = {5, 0, 4, 2, 3, 1};
        for (int i = 0; i < 6; i++) assertArrayEquals(r.clean()[order[i]], r.corrupted()[i], "row " + i);
        assertNull(r.test());
    }

    @Test
    void getPermDrawsAgainUntilNoElementIsFixed() {
        TorchCpuRandom a = new TorchCpuRandom(3);
        TorchCpuRandom b = new TorchCpuRandom(3);
        int[] p = AcdcCodeTracr.derangement(a, 4);
        int draws = 0;
        int[] q;
        do {
            q = b.randperm(4);
            draws++;
        } while (q[0] == 0 || q[1] == 1 || q[2] == 2 || q[3] == 3);
        assertArrayEquals(q, p);
        assertEquals(b.nextUint32(), a.nextUint32(), "after " + draws + " randperm calls both streams agree");
    }

    @Test
    void proportionAcdcCodeFeedsOurModelTheTokensTracrReadsFromTheReferenceIds() {
        TracrTask t = TracrTask.proportionAcdcCode(true);
        InputEncoder ours = t.compiled().encoder();
        // tracr reads the reference's ord(c) - ord("w") as BOS, compiler_pad, w, x
        int[] meaning = {ours.bosId(), ours.padId(), ours.tokenId("w"), ours.tokenId("x")};
        AcdcCodeTracr.Rows r = AcdcCodeTracr.proportionRows();
        for (int i = 0; i < 50; i++) {
            for (int p = 0; p < 4; p++) {
                assertEquals(meaning[r.clean()[i][p]], t.clean().tokens()[i][p]);
                assertEquals(meaning[r.corrupted()[i][p]], t.corrupted().tokens()[i][p]);
                assertEquals(meaning[r.test()[i][p]], t.heldOut().tokens()[i][p]);
            }
        }
        assertEquals("tracr-proportion:acdc-code", t.name());
        assertEquals(List.of("l2"), t.metricNames());
        assertArrayEquals(new int[] {2, 3, 0, 1}, t.positionPermutation(), "four positions, no BOS");
        assertEquals(10, t.groundTruths().get("published").size());
    }

    @Test
    void reverseAcdcCodeHasOurCleanRowsAndTheReferenceCorruption() {
        TracrTask t = TracrTask.reverseAcdcCode(true);
        assertArrayEquals(TracrTask.reverse(0, true).clean().tokens(), t.clean().tokens(), "the ACDC code encoded reverse correctly");
        int[] order = {5, 0, 4, 2, 3, 1};
        for (int i = 0; i < 6; i++) assertArrayEquals(t.clean().tokens()[order[i]], t.corrupted().tokens()[i]);
        assertEquals(List.of("l2"), t.metricNames(), "the ACDC code refuses KL on tracr-reverse");
        assertEquals("tracr-reverse:acdc-code", t.name());
    }

    @Test
    void theModelAsRunHasTracrsAttentionScaleAndNoPadMaskAndIsOtherwiseOurs() {
        CompiledModel m = TracrTask.proportion(0, false).compiled();
        TransformerWeights asRun = AcdcCodeTracr.weightsAsRun(m, AcdcCodeTracr.PROPORTION_CONFIG);
        assertEquals(1 / Math.sqrt(7), asRun.config().attentionScale(), 1e-15);
        assertEquals(1.0, m.config().attentionScale());
        int pad = m.residualLabels().indexOf("pad");
        List<String> changed = new ArrayList<>();
        for (var e : m.weights().tensors().entrySet()) {
            if (!e.getValue().equals(asRun.get(e.getKey()))) changed.add(e.getKey());
        }
        assertEquals(List.of(WeightNames.wK(1)), changed, "layer 0 has no head: its W_K was zero already");
        Tensor wK = asRun.get(WeightNames.wK(1));
        for (int j = 0; j < 7; j++) assertEquals(0f, wK.get(0, pad, j));
        assertNotEquals(0f, rowMax(m.weights().get(WeightNames.wK(1)), pad), "ours keys PAD (its mask)");
    }

    /**
     * tracr's frac_prevs, built by hand from tracr's constructions (compiler/assemble.py, craft/chamber/categorical_mlp.py
     * map_categorical_to_numerical_mlp, craft/chamber/categorical_attn.py with softmax_coldness 100, attention divided
     * by √key_size), compared with the model the acdc-code variant runs, direction by direction.
     */
    @Test
    void theModelAsRunComputesTracrsFracPrevsMapByMap() {
        CompiledModel m = TracrTask.proportion(0, false).compiled();
        TransformerWeights w = AcdcCodeTracr.weightsAsRun(m, AcdcCodeTracr.PROPORTION_CONFIG);
        TransformerConfig c = w.config();
        List<String> labels = tracrLabels(m.residualLabels());
        int d = c.dModel();
        TracrInputEncoding tracr = TracrInputEncoding.of(m.encoder().vocab());

        // token embedding: tokens:t + one, for each of tracr's six tokens
        for (int id = 0; id < tracr.size(); id++) {
            Object token = tracr.token(id);
            float[] row = row(w.get(WeightNames.W_E), tracr.toOurs(id, m.encoder()), d);
            assertEquals(expect(labels, "tokens:" + token, 1.0, "one", 1.0), asMap(labels, row), "embedding of " + token);
        }
        // position embedding: nothing at position 0, indices:p-1 at position p
        assertEquals(Map.of(), asMap(labels, row(w.get(WeightNames.W_POS), 0, d)));
        for (int p = 1; p < c.nCtx(); p++) assertEquals(expect(labels, "indices:" + (p - 1), 1.0), asMap(labels, row(w.get(WeightNames.W_POS), p, d)));

        // layer 0: no head; MLP hidden = relu(tokens:x), written to map
        assertTrue(bilinear(w, 0, true).isEmpty() && bilinear(w, 0, false).isEmpty());
        Tensor wIn = w.get(WeightNames.wIn(0)), wOut = w.get(WeightNames.wOut(0));
        assertEquals(expect(labels, "tokens:x", 1.0), asMap(labels, column(wIn, 0, d)));
        assertEquals(expect(labels, "map", 1.0), asMap(labels, row(wOut, 0, d)));
        assertEquals(0f, w.get(WeightNames.bIn(0)).get(0));

        // layer 1: QK = 100·[key index ≤ query index] + 50 for (one, BOS), divided by √7; OV = map → frac_prevs
        java.util.Map<String, Double> qk = new java.util.TreeMap<>();
        for (int i = 0; i < 5; i++) for (int j = 0; j <= i; j++) qk.put("indices:" + i + " x indices:" + j, 100 / Math.sqrt(7));
        qk.put("one x tokens:BOS", 50 / Math.sqrt(7));
        assertMapsClose(qk, bilinear(w, 1, true));
        assertMapsClose(Map.of("map x frac_prevs", 1.0), bilinear(w, 1, false));
        Tensor wIn1 = w.get(WeightNames.wIn(1));
        for (float f : wIn1.data()) assertEquals(0f, f, "layer 1 has no MLP");

        // unembedding: frac_prevs is output 0 (tracr's first residual direction, the ACDC code's eye(d_model, 4)[:, 0])
        assertEquals(expect(labels, "frac_prevs", 1.0), asMap(labels, column(w.get(WeightNames.W_U), 0, d)));
    }

    private static long wordsDrawn(TransformerLensInit tl) {
        TorchCpuRandom replayed = new TorchCpuRandom(0);
        tl.replay(replayed);
        long next = replayed.nextUint32();
        TorchCpuRandom fresh = new TorchCpuRandom(0);
        for (long n = 0; n < 100_000; n++) if (fresh.nextUint32() == next) return n;
        throw new AssertionError("not found");
    }

    private static List<String> sortedRows(int[][] rows) {
        List<String> out = new ArrayList<>();
        for (int[] r : rows) out.add(Arrays.toString(r));
        out.sort(null);
        return out;
    }

    private static float rowMax(Tensor wK, int residual) {
        float m = 0;
        for (int j = 0; j < wK.dim(2); j++) m = Math.max(m, Math.abs(wK.get(0, residual, j)));
        return m;
    }

    /** Our residual labels in tracr's names. */
    private static List<String> tracrLabels(List<String> ours) {
        return ours.stream().map(l -> switch (l) {
            case "bos" -> "tokens:BOS";
            case "pad" -> "tokens:compiler_pad";
            default -> l.startsWith("map_") ? "map" : l;
        }).toList();
    }

    private static float[] row(Tensor t, int r, int d) {
        return Arrays.copyOfRange(t.data(), r * d, (r + 1) * d);
    }

    private static float[] column(Tensor t, int col, int d) {
        float[] out = new float[d];
        int cols = t.dim(1);
        for (int i = 0; i < d; i++) out[i] = t.data()[i * cols + col];
        return out;
    }

    private static Map<String, Double> asMap(List<String> labels, float[] v) {
        Map<String, Double> m = new java.util.TreeMap<>();
        for (int i = 0; i < v.length; i++) if (v[i] != 0) m.put(labels.get(i), (double) v[i]);
        return m;
    }

    private static Map<String, Double> expect(List<String> labels, Object... labelValue) {
        Map<String, Double> m = new java.util.TreeMap<>();
        for (int i = 0; i < labelValue.length; i += 2) {
            assertTrue(labels.contains((String) labelValue[i]), "tracr direction " + labelValue[i] + " is in our residual " + labels);
            m.put((String) labelValue[i], (Double) labelValue[i + 1]);
        }
        return m;
    }

    /** Head 0 of a layer as a form over residual directions: QK·scale (query x key) or OV (input x output). */
    private static Map<String, Double> bilinear(TransformerWeights w, int layer, boolean qk) {
        TransformerConfig c = w.config();
        List<String> labels = tracrLabels(AcdcCodeTracrTest.labels);
        Tensor a = w.get(qk ? WeightNames.wQ(layer) : WeightNames.wV(layer));
        Tensor b = w.get(qk ? WeightNames.wK(layer) : WeightNames.wO(layer));
        Map<String, Double> m = new java.util.TreeMap<>();
        for (int i = 0; i < c.dModel(); i++) {
            for (int j = 0; j < c.dModel(); j++) {
                double s = 0;
                for (int h = 0; h < c.dHead(); h++) s += a.get(0, i, h) * (double) (qk ? b.get(0, j, h) : b.get(0, h, j));
                if (s != 0) m.put(labels.get(i) + " x " + labels.get(j), qk ? s * c.attentionScale() : s);
            }
        }
        return m;
    }

    private static final List<String> labels = TracrTask.proportion(0, false).compiled().residualLabels();

    private static void assertMapsClose(Map<String, Double> expected, Map<String, Double> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (var e : expected.entrySet()) assertEquals(e.getValue(), actual.get(e.getKey()), 1e-5 * Math.abs(e.getValue()), e.getKey());
    }
}
