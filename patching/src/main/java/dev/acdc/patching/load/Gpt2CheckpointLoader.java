package dev.acdc.patching.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * Loads a Hugging Face GPT-2 directory ({@code config.json} + {@code model.safetensors}) into
 * TransformerLens-named weights.
 *
 * <p>Dimension letters: E = n_embd (d_model), H = n_head, d = E/H (d_head), M = d_mlp, V = vocab,
 * P = n_positions. The mapping (see {@code shared/fixtures/gpt2-tiny/README.md}):
 * <pre>
 * embed.W_E [V,E]          = wte.weight
 * pos_embed.W_pos [P,E]    = wpe.weight
 * blocks.L.ln1.w|b         = h.L.ln_1.weight|bias   (ln2 from ln_2, ln_final from ln_f)
 * attn.W_Q[h] [E,d]        = c_attn.weight[:,       h·d : (h+1)·d]   (Conv1D weights are [in, out])
 * attn.W_K[h]              = c_attn.weight[:,   E + h·d : E + (h+1)·d]
 * attn.W_V[h]              = c_attn.weight[:,  2E + h·d : 2E + (h+1)·d]
 * attn.b_Q|b_K|b_V[h] [d]  = the same slices of c_attn.bias
 * attn.W_O[h] [d,E]        = attn.c_proj.weight[h·d : (h+1)·d, :]   (rows; so W_O is c_proj reshaped)
 * attn.b_O                 = attn.c_proj.bias
 * mlp.W_in [E,M], b_in     = mlp.c_fc.weight, bias;  mlp.W_out [M,E], b_out = mlp.c_proj.weight, bias
 * unembed.W_U [E,V]        = wte.weightᵀ, or lm_head.weightᵀ when the file has it (nn.Linear, [V,E])
 * unembed.b_U [V]          = zeros
 * </pre>
 * Names may carry the {@code transformer.} prefix (as {@code GPT2LMHeadModel.save_pretrained} writes
 * them) or not (as the official hub file has them). The causal-mask buffers {@code h.L.attn.bias}
 * and {@code h.L.attn.masked_bias} are skipped by name before any dtype check.
 */
public final class Gpt2CheckpointLoader {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    private static final String PREFIX = "transformer.";
    private static final String LM_HEAD = "lm_head.weight";
    private static final Pattern BUFFER = Pattern.compile("^(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)$");

    /** Skips GPT-2's non-parameter attention buffers by name. */
    public static final Predicate<String> SKIP_BUFFERS = name -> BUFFER.matcher(name).matches();

    private Gpt2CheckpointLoader() {}

    /** Loads {@code dir/config.json} and {@code dir/model.safetensors}. */
    public static LoadedModel load(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelLoadException("missing model directory: " + dir);
        TransformerConfig config = readConfig(dir.resolve(CONFIG_FILE), ModelNames.displayName(dir));
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.exists(weightsFile)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (found pytorch_model.bin; only safetensors checkpoints are read: convert it, e.g. with transformers' save_pretrained(safe_serialization=True))"
                    : "";
            throw new ModelLoadException("missing file: " + weightsFile + hint);
        }
        Map<String, Tensor> hf = SafetensorsReader.read(weightsFile, SKIP_BUFFERS);
        boolean tied = tieWordEmbeddings(dir.resolve(CONFIG_FILE));
        return new LoadedModel(dir, LoadedModel.Format.HF_GPT2, config, convert(config, hf, weightsFile, tied));
    }

    /**
     * Reads a Hugging Face {@code GPT2Config} JSON into a GPT-2 style config (pre-LN, gelu_new,
     * causal, 1/sqrt(d_head) scale, one embedding node).
     */
    public static TransformerConfig readConfig(Path configFile, String name) {
        JsonObject o = ConfigJson.readObject(configFile);
        String src = configFile.toString();
        String modelType = ConfigJson.stringOrNull(o, "model_type");
        if (modelType != null && !modelType.equals("gpt2")) {
            throw new ModelLoadException(src + ": model_type is \"" + modelType + "\", expected \"gpt2\" (only GPT-2 checkpoints are read)");
        }
        List<String> problems = new ArrayList<>();
        int nLayer = positiveInt(o, "n_layer", problems);
        int nHead = positiveInt(o, "n_head", problems);
        int nEmbd = positiveInt(o, "n_embd", problems);
        int vocab = positiveInt(o, "vocab_size", problems);
        int nPositions = o.has("n_positions") ? positiveInt(o, "n_positions", problems) : positiveInt(o, "n_ctx", problems);
        int nInner = isNull(o, "n_inner") ? 4 * nEmbd : positiveInt(o, "n_inner", problems);
        double eps = isNull(o, "layer_norm_epsilon") ? 1e-5 : o.get("layer_norm_epsilon").getAsDouble();
        String act = isNull(o, "activation_function") ? "gelu_new" : o.get("activation_function").getAsString();
        if (!act.equals("gelu_new")) {
            problems.add("activation_function is \"" + act + "\", expected \"gelu_new\" (the only GPT-2 activation supported)");
        }
        if (!isNull(o, "scale_attn_weights") && !o.get("scale_attn_weights").getAsBoolean()) {
            problems.add("scale_attn_weights is false, expected true (scores scaled by 1/sqrt(d_head))");
        }
        if (!isNull(o, "scale_attn_by_inverse_layer_idx") && o.get("scale_attn_by_inverse_layer_idx").getAsBoolean()) {
            problems.add("scale_attn_by_inverse_layer_idx is true, expected false (not supported)");
        }
        if (problems.isEmpty() && nEmbd % nHead != 0) {
            problems.add("n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        if (!problems.isEmpty()) throw new ModelLoadException(src + ": " + String.join("; ", problems));
        return TransformerConfig.gpt2Style(name, nLayer, nEmbd, nHead, nInner, vocab, nPositions, eps);
    }

    private static boolean tieWordEmbeddings(Path configFile) {
        JsonObject o = ConfigJson.readObject(configFile);
        return isNull(o, "tie_word_embeddings") || o.get("tie_word_embeddings").getAsBoolean();
    }

    /**
     * Maps HF GPT-2 tensors to TransformerLens weights, checking every name and shape against the
     * config first and reporting all problems at once.
     *
     * @param hf     tensors by HF name (with or without {@code transformer.})
     * @param source the file named in error messages
     * @param tied   whether {@code W_U} may come from {@code wte} when {@code lm_head.weight} is absent
     */
    public static TransformerWeights convert(TransformerConfig c, Map<String, Tensor> hf, Path source, boolean tied) {
        Map<String, Tensor> t = stripPrefix(hf, source);
        checkNamesAndShapes(c, t, source, tied);
        int E = c.dModel(), H = c.nHeads(), d = c.dHead();
        Map<String, Tensor> tl = new LinkedHashMap<>();
        Tensor wte = t.remove("wte.weight");
        tl.put(W_E, wte);
        tl.put(W_POS, t.remove("wpe.weight"));
        for (int l = 0; l < c.nLayers(); l++) {
            String h = "h." + l + ".";
            tl.put(ln1W(l), t.remove(h + "ln_1.weight"));
            tl.put(ln1B(l), t.remove(h + "ln_1.bias"));
            float[] qkv = t.remove(h + "attn.c_attn.weight").data(); // [E, 3E]
            float[] qkvBias = t.remove(h + "attn.c_attn.bias").data(); // [3E]
            tl.put(wQ(l), splitHeads(qkv, E, H, d, 0));
            tl.put(wK(l), splitHeads(qkv, E, H, d, E));
            tl.put(wV(l), splitHeads(qkv, E, H, d, 2 * E));
            tl.put(bQ(l), new Tensor(new int[] {H, d}, Arrays.copyOfRange(qkvBias, 0, E)));
            tl.put(bK(l), new Tensor(new int[] {H, d}, Arrays.copyOfRange(qkvBias, E, 2 * E)));
            tl.put(bV(l), new Tensor(new int[] {H, d}, Arrays.copyOfRange(qkvBias, 2 * E, 3 * E)));
            // c_proj [E, E]: row h·d + k is W_O[h][k], so [H, d, E] is the same row-major data.
            tl.put(wO(l), new Tensor(new int[] {H, d, E}, t.remove(h + "attn.c_proj.weight").data()));
            tl.put(bO(l), t.remove(h + "attn.c_proj.bias"));
            tl.put(ln2W(l), t.remove(h + "ln_2.weight"));
            tl.put(ln2B(l), t.remove(h + "ln_2.bias"));
            tl.put(wIn(l), t.remove(h + "mlp.c_fc.weight"));
            tl.put(bIn(l), t.remove(h + "mlp.c_fc.bias"));
            tl.put(wOut(l), t.remove(h + "mlp.c_proj.weight"));
            tl.put(bOut(l), t.remove(h + "mlp.c_proj.bias"));
        }
        tl.put(LN_FINAL_W, t.remove("ln_f.weight"));
        tl.put(LN_FINAL_B, t.remove("ln_f.bias"));
        Tensor lmHead = t.remove(LM_HEAD);
        tl.put(W_U, transpose(lmHead != null ? lmHead : wte)); // [V, E] → [E, V]
        tl.put(B_U, Tensor.zeros(c.dVocabOut()));
        return TransformerWeights.of(c, tl);
    }

    /** The HF tensors a config requires, with their shapes (lm_head.weight is optional). */
    public static Map<String, int[]> expectedShapes(TransformerConfig c) {
        int E = c.dModel(), M = c.dMlp();
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("wte.weight", new int[] {c.dVocab(), E});
        m.put("wpe.weight", new int[] {c.nCtx(), E});
        for (int l = 0; l < c.nLayers(); l++) {
            String h = "h." + l + ".";
            m.put(h + "ln_1.weight", new int[] {E});
            m.put(h + "ln_1.bias", new int[] {E});
            m.put(h + "attn.c_attn.weight", new int[] {E, 3 * E});
            m.put(h + "attn.c_attn.bias", new int[] {3 * E});
            m.put(h + "attn.c_proj.weight", new int[] {E, E});
            m.put(h + "attn.c_proj.bias", new int[] {E});
            m.put(h + "ln_2.weight", new int[] {E});
            m.put(h + "ln_2.bias", new int[] {E});
            m.put(h + "mlp.c_fc.weight", new int[] {E, M});
            m.put(h + "mlp.c_fc.bias", new int[] {M});
            m.put(h + "mlp.c_proj.weight", new int[] {M, E});
            m.put(h + "mlp.c_proj.bias", new int[] {E});
        }
        m.put("ln_f.weight", new int[] {E});
        m.put("ln_f.bias", new int[] {E});
        return m;
    }

    private static Map<String, Tensor> stripPrefix(Map<String, Tensor> hf, Path source) {
        Map<String, Tensor> out = new HashMap<>();
        for (var e : hf.entrySet()) {
            String k = e.getKey().startsWith(PREFIX) ? e.getKey().substring(PREFIX.length()) : e.getKey();
            if (out.put(k, e.getValue()) != null) {
                throw new ModelLoadException(source + " holds tensor " + k + " both with and without the '" + PREFIX
                        + "' prefix; expected one naming");
            }
        }
        return out;
    }

    private static void checkNamesAndShapes(TransformerConfig c, Map<String, Tensor> t, Path source, boolean tied) {
        List<String> problems = new ArrayList<>();
        Map<String, int[]> expected = expectedShapes(c);
        String dims = "(n_layer=" + c.nLayers() + ", n_embd=" + c.dModel() + ", d_mlp=" + c.dMlp() + ", vocab_size=" + c.dVocab()
                + ", n_positions=" + c.nCtx() + ")";
        for (var e : expected.entrySet()) {
            Tensor x = t.get(e.getKey());
            if (x == null) {
                problems.add("missing tensor " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!x.hasShape(e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + x.shapeString() + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        Tensor lmHead = t.get(LM_HEAD);
        if (lmHead != null && !lmHead.hasShape(c.dVocab(), c.dModel())) {
            problems.add("tensor " + LM_HEAD + " has shape " + lmHead.shapeString() + ", expected [" + c.dVocab() + ", " + c.dModel() + "]");
        }
        if (lmHead == null && !tied) {
            problems.add("missing tensor " + LM_HEAD + " (config.json sets tie_word_embeddings false, so wte cannot stand in for it)");
        }
        TreeSet<String> unexpected = new TreeSet<>(t.keySet());
        unexpected.removeAll(expected.keySet());
        unexpected.remove(LM_HEAD);
        for (String u : unexpected) problems.add("unexpected tensor " + u + " (not part of a " + c.nLayers() + "-layer GPT-2)");
        if (!problems.isEmpty()) {
            throw new ModelLoadException(source + " does not match its config.json " + dims + ": " + String.join("; ", problems));
        }
    }

    /** Columns [offset + h·d, offset + (h+1)·d) of an [E, 3E] matrix, per head → [H, E, d]. */
    private static Tensor splitHeads(float[] qkv, int E, int H, int d, int offset) {
        float[] out = new float[H * E * d];
        int row = 3 * E;
        for (int h = 0; h < H; h++) {
            for (int i = 0; i < E; i++) {
                System.arraycopy(qkv, i * row + offset + h * d, out, (h * E + i) * d, d);
            }
        }
        return new Tensor(new int[] {H, E, d}, out);
    }

    static Tensor transpose(Tensor m) {
        int rows = m.dim(0), cols = m.dim(1);
        float[] src = m.data(), dst = new float[src.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
        }
        return new Tensor(new int[] {cols, rows}, dst);
    }

    private static boolean isNull(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull();
    }

    private static int positiveInt(JsonObject o, String key, List<String> problems) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            problems.add("missing key \"" + key + "\" (expected a positive integer)");
            return 1;
        }
        try {
            int v = e.getAsInt();
            if (v < 1 || e.getAsDouble() != v) throw new NumberFormatException();
            return v;
        } catch (RuntimeException ex) {
            problems.add("\"" + key + "\" should be a positive integer, found " + e);
            return 1;
        }
    }
}
