package dev.acdc.patching.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * Named float tensors in TransformerLens naming, checked against a {@link TransformerConfig} when
 * built: every expected tensor present, every shape right, nothing unexpected.
 *
 * <p>Shapes (D d_model, H heads, G key/value heads, d d_head, M d_mlp, V vocab in, V' vocab out, N n_ctx):
 * {@code embed.W_E [V, D]}, {@code pos_embed.W_pos [N, D]}, {@code blocks.L.attn.W_Q [H, D, d]},
 * {@code W_K|W_V [G, D, d]}, {@code b_Q [H, d]}, {@code b_K|b_V [G, d]}, {@code W_O [H, d, D]}, {@code b_O [D]},
 * {@code mlp.W_gate|W_in [D, M]}, {@code b_in [M]}, {@code W_out [M, D]}, {@code b_out [D]}, {@code ln1.w|b},
 * {@code ln1_post.w|b}, {@code ln2.w|b}, {@code ln2_post.w|b}, {@code ln_final.w|b [D]}, {@code unembed.W_U [D, V']},
 * {@code unembed.b_U [V']}. Which of them a config has: {@link #expectedShapes}.
 */
public final class TransformerWeights {
    private final TransformerConfig config;
    private final Map<String, Tensor> tensors;

    private TransformerWeights(TransformerConfig config, Map<String, Tensor> tensors) {
        this.config = config;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * Validates and wraps the tensors.
     *
     * @throws IllegalArgumentException naming every missing, unexpected or mis-shaped tensor
     *                                  with the expected and the found shape
     */
    public static TransformerWeights of(TransformerConfig config, Map<String, Tensor> tensors) {
        Map<String, int[]> expected = expectedShapes(config);
        List<String> problems = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                problems.add("missing tensor " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!t.hasShape(e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + t.shapeString() + ", expected "
                        + Arrays.toString(e.getValue()));
            }
        }
        Set<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(expected.keySet());
        for (String u : unexpected) problems.add("unexpected tensor " + u + " for config '" + config.name() + "'");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("weights do not match config '" + config.name() + "': "
                    + String.join("; ", problems));
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String k : expected.keySet()) ordered.put(k, tensors.get(k));
        return new TransformerWeights(config, ordered);
    }

    /**
     * Every tensor name the config requires, with its shape, in a canonical order. Which tensors exist follows the
     * architecture: no {@code W_pos} with rotary positions, one gain without a bias per RMSNorm, {@code W_K}/{@code W_V}
     * per key/value head, {@code W_gate} in a gated MLP, {@code ln1_post}/{@code ln2_post} with post-norms, only
     * the biases the family has, no {@code W_U} when the unembedding is tied.
     */
    public static Map<String, int[]> expectedShapes(TransformerConfig c) {
        Map<String, int[]> m = new LinkedHashMap<>();
        Architecture a = c.architecture();
        Architecture.Biases bias = a.biases();
        int D = c.dModel(), H = c.nHeads(), G = c.nKeyValueHeads(), d = c.dHead(), M = c.dMlp();
        m.put(W_E, new int[] {c.dVocab(), D});
        if (a.learnedPositions()) m.put(W_POS, new int[] {c.nCtx(), D});
        for (int l = 0; l < c.nLayers(); l++) {
            putNorm(m, c, ln1W(l), ln1B(l));
            m.put(wQ(l), new int[] {H, D, d});
            if (bias.qkv()) m.put(bQ(l), new int[] {H, d});
            m.put(wK(l), new int[] {G, D, d});
            if (bias.qkv()) m.put(bK(l), new int[] {G, d});
            m.put(wV(l), new int[] {G, D, d});
            if (bias.qkv()) m.put(bV(l), new int[] {G, d});
            m.put(wO(l), new int[] {H, d, D});
            if (bias.attnOut()) m.put(bO(l), new int[] {D});
            if (a.postNorms()) putNorm(m, c, ln1PostW(l), ln1PostB(l));
            if (!c.attentionOnly()) {
                putNorm(m, c, ln2W(l), ln2B(l));
                if (a.gatedMlp()) m.put(wGate(l), new int[] {D, M});
                m.put(wIn(l), new int[] {D, M});
                if (bias.mlp()) m.put(bIn(l), new int[] {M});
                m.put(wOut(l), new int[] {M, D});
                if (bias.mlp()) m.put(bOut(l), new int[] {D});
                if (a.postNorms()) putNorm(m, c, ln2PostW(l), ln2PostB(l));
            }
        }
        putNorm(m, c, LN_FINAL_W, LN_FINAL_B);
        if (!a.tiedUnembedding()) m.put(W_U, new int[] {D, c.dVocabOut()});
        if (bias.unembed()) m.put(B_U, new int[] {c.dVocabOut()});
        return m;
    }

    /** A norm's gain, and its bias for LayerNorm; nothing without normalization. */
    private static void putNorm(Map<String, int[]> m, TransformerConfig c, String gain, String bias) {
        if (!c.normalized()) return;
        m.put(gain, new int[] {c.dModel()});
        if (c.layerNorm()) m.put(bias, new int[] {c.dModel()});
    }

    /** Whether the weights hold a tensor of that name. */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public TransformerConfig config() {
        return config;
    }

    /** The tensor of that name; throws naming the tensor when absent. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor named " + name + " in weights of '" + config.name() + "'");
        return t;
    }

    /** All tensors in canonical order (unmodifiable). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }
}
