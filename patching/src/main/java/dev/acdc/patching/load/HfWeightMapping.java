package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * Hugging Face tensors of a {@link HfFamily} as TransformerLens weights. Every expected name and shape is checked
 * first and every problem reported at once; then each HF tensor is converted and dropped, so the heap holds about
 * one copy of the model at a time.
 *
 * <p>Letters: E hidden size, H query heads, G key/value heads, d head dim, F intermediate size, V vocabulary.
 * {@code nn.Linear} weights are [out, in] ({@code y = x·Wᵀ + b}); TransformerLens's are [in, out] per head.
 * <pre>
 * NEOX layout (gpt_neox.)                        TransformerLens
 * embed_in.weight [V, E]                         embed.W_E
 * layers.L.input_layernorm.weight|bias          blocks.L.ln1.w|b         post_attention_layernorm → ln2
 * layers.L.attention.query_key_value [3E, E]    rows [h·3d, h·3d + d) → W_Q[h]ᵀ, the next d → W_K[h]ᵀ, the last d → W_V[h]ᵀ
 *                                                (interleaved per head, not [all q | all k | all v]); the bias alike
 * layers.L.attention.dense [E, E], bias         W_O[h] = dense[:, h·d:(h+1)·d]ᵀ, b_O
 * layers.L.mlp.dense_h_to_4h [F, E], bias       W_in = ᵀ, b_in;   dense_4h_to_h [E, F] → W_out = ᵀ, b_out
 * final_layer_norm.weight|bias                   ln_final.w|b
 * embed_out.weight [V, E] (no gpt_neox. prefix)  unembed.W_U = ᵀ
 *
 * LLAMA layout (model.)
 * embed_tokens.weight [V, E]                     embed.W_E (Gemma's √E scale is applied by the runtime)
 * layers.L.input_layernorm.weight               blocks.L.ln1.w
 * layers.L.post_attention_layernorm.weight      blocks.L.ln2.w; in Gemma 2 ln1_post.w, with ln2 = pre_feedforward_layernorm
 *                                                and ln2_post = post_feedforward_layernorm
 * layers.L.self_attn.q_proj [H·d, E], bias      W_Q[h] = q_proj[h·d:(h+1)·d, :]ᵀ, b_Q[h]
 * layers.L.self_attn.k_proj|v_proj [G·d, E]     W_K[g], W_V[g] (per key/value head), b_K, b_V
 * layers.L.self_attn.o_proj [E, H·d]            W_O[h] = o_proj[:, h·d:(h+1)·d]ᵀ
 * layers.L.mlp.gate_proj|up_proj [F, E]         W_gate, W_in = ᵀ;  down_proj [E, F] → W_out = ᵀ
 * norm.weight                                    ln_final.w
 * lm_head.weight [V, E] (no model. prefix)       unembed.W_U = ᵀ; absent when tied
 * </pre>
 * Gemma's RMSNorm multiplies by {@code 1 + weight}: the gains are stored as {@code 1 + weight}, computed in float32 as
 * transformers does. Non-parameter buffers some exporters keep ({@code attention.bias}, {@code attention.masked_bias},
 * {@code rotary_emb.inv_freq}) are skipped by name.
 */
public final class HfWeightMapping {
    private static final Pattern BUFFER = Pattern.compile(
            "^(gpt_neox|model)\\.layers\\.\\d+\\.(attention|self_attn)\\.(bias|masked_bias|rotary_emb\\.inv_freq)$");

    /** Skips the non-parameter buffers of older exports by name. */
    public static final Predicate<String> SKIP_BUFFERS = name -> BUFFER.matcher(name).matches();

    private HfWeightMapping() {}

    /**
     * @param hf     tensors by HF name; consumed (emptied) by the conversion
     * @param source the file or index named in error messages
     */
    public static TransformerWeights convert(HfFamily family, TransformerConfig c, Map<String, Tensor> hf, Path source) {
        Map<String, int[]> expected = expectedShapes(family, c);
        check(c, hf, expected, source);
        Map<String, Tensor> tl = new LinkedHashMap<>();
        Converter cv = new Converter(c, hf, family == HfFamily.GEMMA || family == HfFamily.GEMMA2);
        if (family.layout() == HfFamily.Layout.NEOX) neox(cv, c, tl);
        else llama(cv, family, c, tl);
        try {
            return TransformerWeights.of(c, tl);
        } catch (IllegalArgumentException ex) {
            throw new ModelLoadException(source + ": " + ex.getMessage(), ex);
        }
    }

    private static void neox(Converter cv, TransformerConfig c, Map<String, Tensor> tl) {
        int E = c.dModel(), H = c.nHeads(), d = c.dHead();
        tl.put(W_E, cv.take("gpt_neox.embed_in.weight"));
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "gpt_neox.layers." + l + ".";
            tl.put(ln1W(l), cv.take(p + "input_layernorm.weight"));
            tl.put(ln1B(l), cv.take(p + "input_layernorm.bias"));
            float[] qkv = cv.take(p + "attention.query_key_value.weight").data();    // [H·3d, E], head h owns rows h·3d…
            String[] names = {wQ(l), wK(l), wV(l)};
            for (int ch = 0; ch < 3; ch++) tl.put(names[ch], headsFromRows(qkv, H, 3 * d, ch * d, d, E));
            if (c.architecture().biases().qkv()) {
                float[] b = cv.take(p + "attention.query_key_value.bias").data();
                String[] bNames = {bQ(l), bK(l), bV(l)};
                for (int ch = 0; ch < 3; ch++) {
                    float[] out = new float[H * d];
                    for (int h = 0; h < H; h++) System.arraycopy(b, h * 3 * d + ch * d, out, h * d, d);
                    tl.put(bNames[ch], new Tensor(new int[] {H, d}, out));
                }
            }
            tl.put(wO(l), headsFromColumns(cv.take(p + "attention.dense.weight").data(), E, H, d));
            if (c.architecture().biases().attnOut()) tl.put(bO(l), cv.take(p + "attention.dense.bias"));
            tl.put(ln2W(l), cv.take(p + "post_attention_layernorm.weight"));
            tl.put(ln2B(l), cv.take(p + "post_attention_layernorm.bias"));
            tl.put(wIn(l), cv.transposed(p + "mlp.dense_h_to_4h.weight"));
            tl.put(bIn(l), cv.take(p + "mlp.dense_h_to_4h.bias"));
            tl.put(wOut(l), cv.transposed(p + "mlp.dense_4h_to_h.weight"));
            tl.put(bOut(l), cv.take(p + "mlp.dense_4h_to_h.bias"));
        }
        tl.put(LN_FINAL_W, cv.take("gpt_neox.final_layer_norm.weight"));
        tl.put(LN_FINAL_B, cv.take("gpt_neox.final_layer_norm.bias"));
        if (!c.architecture().tiedUnembedding()) tl.put(W_U, cv.transposed("embed_out.weight"));
    }

    private static void llama(Converter cv, HfFamily family, TransformerConfig c, Map<String, Tensor> tl) {
        int E = c.dModel(), H = c.nHeads(), G = c.nKeyValueHeads(), d = c.dHead();
        boolean gemma2 = family == HfFamily.GEMMA2;
        tl.put(W_E, cv.take("model.embed_tokens.weight"));
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "model.layers." + l + ".";
            tl.put(ln1W(l), cv.gain(p + "input_layernorm.weight"));
            tl.put(wQ(l), headsFromRows(cv.take(p + "self_attn.q_proj.weight").data(), H, d, 0, d, E));
            tl.put(wK(l), headsFromRows(cv.take(p + "self_attn.k_proj.weight").data(), G, d, 0, d, E));
            tl.put(wV(l), headsFromRows(cv.take(p + "self_attn.v_proj.weight").data(), G, d, 0, d, E));
            if (c.architecture().biases().qkv()) {
                tl.put(bQ(l), cv.reshaped(p + "self_attn.q_proj.bias", H, d));
                tl.put(bK(l), cv.reshaped(p + "self_attn.k_proj.bias", G, d));
                tl.put(bV(l), cv.reshaped(p + "self_attn.v_proj.bias", G, d));
            }
            tl.put(wO(l), headsFromColumns(cv.take(p + "self_attn.o_proj.weight").data(), E, H, d));
            if (c.architecture().biases().attnOut()) tl.put(bO(l), cv.take(p + "self_attn.o_proj.bias"));
            if (gemma2) {
                tl.put(ln1PostW(l), cv.gain(p + "post_attention_layernorm.weight"));
                tl.put(ln2W(l), cv.gain(p + "pre_feedforward_layernorm.weight"));
                tl.put(ln2PostW(l), cv.gain(p + "post_feedforward_layernorm.weight"));
            } else {
                tl.put(ln2W(l), cv.gain(p + "post_attention_layernorm.weight"));
            }
            tl.put(wGate(l), cv.transposed(p + "mlp.gate_proj.weight"));
            tl.put(wIn(l), cv.transposed(p + "mlp.up_proj.weight"));
            tl.put(wOut(l), cv.transposed(p + "mlp.down_proj.weight"));
        }
        tl.put(LN_FINAL_W, cv.gain("model.norm.weight"));
        if (!c.architecture().tiedUnembedding()) tl.put(W_U, cv.transposed("lm_head.weight"));
    }

    /** The HF tensors a config requires, with their shapes. */
    public static Map<String, int[]> expectedShapes(HfFamily family, TransformerConfig c) {
        int E = c.dModel(), H = c.nHeads(), G = c.nKeyValueHeads(), d = c.dHead(), F = c.dMlp(), V = c.dVocab();
        var biases = c.architecture().biases();
        Map<String, int[]> m = new LinkedHashMap<>();
        if (family.layout() == HfFamily.Layout.NEOX) {
            m.put("gpt_neox.embed_in.weight", new int[] {V, E});
            for (int l = 0; l < c.nLayers(); l++) {
                String p = "gpt_neox.layers." + l + ".";
                for (String norm : List.of("input_layernorm", "post_attention_layernorm")) {
                    m.put(p + norm + ".weight", new int[] {E});
                    m.put(p + norm + ".bias", new int[] {E});
                }
                m.put(p + "attention.query_key_value.weight", new int[] {3 * H * d, E});
                if (biases.qkv()) m.put(p + "attention.query_key_value.bias", new int[] {3 * H * d});
                m.put(p + "attention.dense.weight", new int[] {E, H * d});
                if (biases.attnOut()) m.put(p + "attention.dense.bias", new int[] {E});
                m.put(p + "mlp.dense_h_to_4h.weight", new int[] {F, E});
                m.put(p + "mlp.dense_h_to_4h.bias", new int[] {F});
                m.put(p + "mlp.dense_4h_to_h.weight", new int[] {E, F});
                m.put(p + "mlp.dense_4h_to_h.bias", new int[] {E});
            }
            m.put("gpt_neox.final_layer_norm.weight", new int[] {E});
            m.put("gpt_neox.final_layer_norm.bias", new int[] {E});
            if (!c.architecture().tiedUnembedding()) m.put("embed_out.weight", new int[] {V, E});
            return m;
        }
        m.put("model.embed_tokens.weight", new int[] {V, E});
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "model.layers." + l + ".";
            List<String> norms = family == HfFamily.GEMMA2
                    ? List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm")
                    : List.of("input_layernorm", "post_attention_layernorm");
            for (String norm : norms) m.put(p + norm + ".weight", new int[] {E});
            m.put(p + "self_attn.q_proj.weight", new int[] {H * d, E});
            m.put(p + "self_attn.k_proj.weight", new int[] {G * d, E});
            m.put(p + "self_attn.v_proj.weight", new int[] {G * d, E});
            if (biases.qkv()) {
                m.put(p + "self_attn.q_proj.bias", new int[] {H * d});
                m.put(p + "self_attn.k_proj.bias", new int[] {G * d});
                m.put(p + "self_attn.v_proj.bias", new int[] {G * d});
            }
            m.put(p + "self_attn.o_proj.weight", new int[] {E, H * d});
            if (biases.attnOut()) m.put(p + "self_attn.o_proj.bias", new int[] {E});
            m.put(p + "mlp.gate_proj.weight", new int[] {F, E});
            m.put(p + "mlp.up_proj.weight", new int[] {F, E});
            m.put(p + "mlp.down_proj.weight", new int[] {E, F});
        }
        m.put("model.norm.weight", new int[] {E});
        if (!c.architecture().tiedUnembedding()) m.put("lm_head.weight", new int[] {V, E});
        return m;
    }

    private static void check(TransformerConfig c, Map<String, Tensor> hf, Map<String, int[]> expected, Path source) {
        List<String> problems = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Tensor t = hf.get(e.getKey());
            if (t == null) {
                String why = e.getKey().equals("lm_head.weight") || e.getKey().equals("embed_out.weight")
                        ? " (config.json sets tie_word_embeddings false, so the embedding cannot stand in for it)" : "";
                problems.add("missing tensor " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")" + why);
            } else if (!t.hasShape(e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + t.shapeString() + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        TreeSet<String> unexpected = new TreeSet<>(hf.keySet());
        unexpected.removeAll(expected.keySet());
        for (String u : unexpected) problems.add("unexpected tensor " + u);
        if (!problems.isEmpty()) {
            throw new ModelLoadException(source + " does not match its config.json (" + c.nLayers() + " layers, hidden " + c.dModel()
                    + ", " + c.nHeads() + " heads of " + c.dHead() + ", " + c.nKeyValueHeads() + " key/value heads, intermediate "
                    + c.dMlp() + ", vocab " + c.dVocab() + "): " + String.join("; ", problems));
        }
    }

    /**
     * Per-head [in, d] blocks from the rows of an [out, in] matrix: head h's column j is row {@code h·stride + offset + j}.
     * Returns [heads, in, d].
     */
    static Tensor headsFromRows(float[] w, int heads, int stride, int offset, int d, int in) {
        float[] out = new float[heads * in * d];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < d; j++) {
                int row = (h * stride + offset + j) * in;
                for (int i = 0; i < in; i++) out[(h * in + i) * d + j] = w[row + i];
            }
        }
        return new Tensor(new int[] {heads, in, d}, out);
    }

    /** W_O [H, d, E] from an [E, H·d] output projection: W_O[h][j][i] = w[i][h·d + j]. */
    static Tensor headsFromColumns(float[] w, int E, int H, int d) {
        float[] out = new float[H * d * E];
        for (int i = 0; i < E; i++) {
            for (int hj = 0; hj < H * d; hj++) out[hj * E + i] = w[i * H * d + hj];
        }
        return new Tensor(new int[] {H, d, E}, out);
    }

    /** Takes HF tensors out of the map (so each is garbage once converted). */
    private record Converter(TransformerConfig c, Map<String, Tensor> hf, boolean onePlusGain) {
        Tensor take(String name) {
            Tensor t = hf.remove(name);
            if (t == null) throw new IllegalStateException("tensor " + name + " was checked but is gone");
            return t;
        }

        Tensor transposed(String name) {
            return Gpt2CheckpointLoader.transpose(take(name));
        }

        Tensor reshaped(String name, int... shape) {
            return new Tensor(shape, take(name).data());
        }

        /** A norm's gain: Gemma's stored offset w becomes 1 + w (float32, as transformers computes it). */
        Tensor gain(String name) {
            Tensor t = take(name);
            if (!onePlusGain) return t;
            float[] g = t.data().clone();
            for (int i = 0; i < g.length; i++) g[i] = 1.0f + g[i];
            return new Tensor(t.shape(), g);
        }
    }
}
