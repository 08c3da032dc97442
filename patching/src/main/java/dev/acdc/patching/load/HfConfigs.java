package dev.acdc.patching.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.Architecture.Biases;
import dev.acdc.patching.model.Architecture.MlpKind;
import dev.acdc.patching.model.Architecture.ResidualLayout;
import dev.acdc.patching.model.Architecture.SlidingWindow;
import dev.acdc.patching.model.Architecture.WindowLayers;
import dev.acdc.patching.model.PositionalEncoding;
import dev.acdc.patching.model.RopeScaling;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerConfig.Activation;
import dev.acdc.patching.model.TransformerConfig.Normalization;

import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face {@code config.json} of a {@link HfFamily} as a {@link TransformerConfig}, read as transformers 4.47
 * reads it: a key that is absent takes the default of the family's config class (save_pretrained leaves out keys
 * equal to those defaults, e.g. Gemma's {@code tie_word_embeddings: true}); sizes are always required.
 *
 * <p>Per family (transformers 4.47, {@code configuration_*.py} and {@code modeling_*.py}):
 * <ul>
 *   <li>gpt_neox: LayerNorm ({@code layer_norm_eps}, default 1e-5), rotary on {@code int(d_head · rotary_pct)} dims
 *       (default 0.25) with base {@code rotary_emb_base} (default 10000), parallel residual unless
 *       {@code use_parallel_residual} is false, {@code hidden_act} (default exact GELU), biases on every projection
 *       but the unembedding ({@code attention_bias}, default true, for query_key_value and dense), untied by default.</li>
 *   <li>llama: RMSNorm ({@code rms_norm_eps}, 1e-6), rotary over {@code head_dim} (default hidden/heads) with
 *       {@code rope_theta} (10000) and {@code rope_scaling} (none or llama3), {@code num_key_value_heads} (default
 *       the heads), SwiGLU ({@code hidden_act}, silu), {@code attention_bias} on q/k/v/o (false), untied by default.</li>
 *   <li>qwen2: the Llama block; q/k/v always biased, o_proj never; head_dim = hidden/heads; untied by default.</li>
 *   <li>gemma: {@code head_dim} (default 256), the tanh GELU of {@code hidden_activation} whatever {@code hidden_act}
 *       says, embeddings × sqrt(hidden_size), (1 + w) RMSNorm (folded by the weight mapping), tied by default.</li>
 *   <li>gemma2: gemma plus scores × {@code query_pre_attn_scalar}^−½ (256), {@code attn_logit_softcapping} (50) and
 *       {@code final_logit_softcapping} (30, null for none), a {@code sliding_window} (4096) on even layers,
 *       post-attention and post-feedforward norms.</li>
 * </ul>
 * Settings that would change the forward pass and are not implemented (other rope scalings, Qwen2's
 * {@code use_sliding_window}, Llama's {@code mlp_bias}, a per-layer pattern other than all or even layers) are
 * refused by name rather than ignored.
 */
public final class HfConfigs {
    private HfConfigs() {}

    /**
     * @param source names the file in error messages
     * @param name   the config's name for reports
     * @throws ModelLoadException naming every missing, ill-typed or unsupported key at once
     */
    public static TransformerConfig read(HfFamily family, JsonObject o, String source, String name) {
        Keys k = new Keys(o);
        TransformerConfig c = switch (family) {
            case GPT_NEOX -> gptNeoX(k, name);
            case LLAMA, QWEN2, GEMMA, GEMMA2 -> llamaLike(family, k, name);
        };
        if (!k.problems.isEmpty()) throw new ModelLoadException(source + ": " + String.join("; ", k.problems));
        return c;
    }

    private static TransformerConfig gptNeoX(Keys k, String name) {
        int layers = k.positive("num_hidden_layers"), hidden = k.positive("hidden_size"), heads = k.positive("num_attention_heads");
        int mlp = k.positive("intermediate_size"), vocab = k.positive("vocab_size"), ctx = k.positive("max_position_embeddings");
        double pct = k.number("rotary_pct", 0.25), base = k.number("rotary_emb_base", 10000);
        // transformers 4.47 also writes rope_theta and partial_rotary_factor as aliases; real Pythia files have only
        // the two above, so those win, and a file whose aliases disagree with them is refused as ambiguous
        k.mustAgree("rope_theta", base, "rotary_emb_base");
        k.mustAgree("partial_rotary_factor", pct, "rotary_pct");
        k.noRopeScaling();
        Activation act = k.activation("hidden_act", "gelu");
        boolean parallel = k.bool("use_parallel_residual", true), attnBias = k.bool("attention_bias", true);
        boolean tied = k.bool("tie_word_embeddings", false);
        double eps = k.number("layer_norm_eps", 1e-5);
        if (!k.problems.isEmpty() || hidden % heads != 0) {
            if (k.problems.isEmpty()) k.problems.add("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
            return null;
        }
        int dHead = hidden / heads, rotaryDims = (int) (dHead * pct);
        if (rotaryDims < 2 || rotaryDims % 2 != 0) {
            k.problems.add("rotary_pct " + pct + " gives " + rotaryDims + " rotary dims of a " + dHead + "-dim head; expected an even number ≥ 2");
            return null;
        }
        Architecture arch = new Architecture(PositionalEncoding.Rotary.halves(rotaryDims, base), heads, MlpKind.STANDARD,
                parallel ? ResidualLayout.PARALLEL : ResidualLayout.SEQUENTIAL, false, 1.0, 0, 0, SlidingWindow.NONE,
                new Biases(attnBias, attnBias, true, false), tied);
        return build(name, layers, hidden, heads, dHead, mlp, vocab, ctx, Normalization.LAYERNORM, eps, act, 1 / Math.sqrt(dHead), arch, k);
    }

    private static TransformerConfig llamaLike(HfFamily family, Keys k, String name) {
        boolean gemma = family == HfFamily.GEMMA || family == HfFamily.GEMMA2;
        int layers = k.positive("num_hidden_layers"), hidden = k.positive("hidden_size"), heads = k.positive("num_attention_heads");
        int mlp = k.positive("intermediate_size"), vocab = k.positive("vocab_size"), ctx = k.positive("max_position_embeddings");
        int kvHeads = k.positiveOr("num_key_value_heads", heads);
        int dHead = gemma ? k.positiveOr("head_dim", 256)
                : family == HfFamily.LLAMA ? k.positiveOr("head_dim", heads > 0 ? hidden / heads : 1) : (heads > 0 ? hidden / heads : 1);
        if (family == HfFamily.QWEN2 && heads > 0 && hidden % heads != 0) {
            k.problems.add("hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        double eps = k.number("rms_norm_eps", 1e-6);
        double theta = k.ropeTheta(10000);
        RopeScaling scaling = family == HfFamily.LLAMA ? k.llamaRopeScaling() : k.noRopeScaling();
        // Gemma's MLP reads hidden_activation (default tanh GELU) and ignores hidden_act, which the first published
        // gemma configs set to "gelu" (the exact GELU would be wrong by ~1e-3)
        Activation act = gemma ? k.activation("hidden_activation", "gelu_pytorch_tanh") : k.activation("hidden_act", "silu");
        boolean tied = k.bool("tie_word_embeddings", gemma);
        Biases biases;
        if (family == HfFamily.QWEN2) {
            biases = new Biases(true, false, false, false);
            if (k.bool("use_sliding_window", false)) k.problems.add("use_sliding_window is true; Qwen2's sliding window is not supported");
        } else {
            boolean attnBias = k.bool("attention_bias", false);
            biases = new Biases(attnBias, attnBias, false, false);
            if (family == HfFamily.LLAMA && k.bool("mlp_bias", false)) k.problems.add("mlp_bias is true; biased Llama MLPs are not supported");
        }
        double scale = 1 / Math.sqrt(dHead), attnCap = 0, logitCap = 0;
        SlidingWindow window = SlidingWindow.NONE;
        if (family == HfFamily.GEMMA2) {
            scale = 1 / Math.sqrt(k.number("query_pre_attn_scalar", 256));
            attnCap = k.nullableNumber("attn_logit_softcapping", 50.0);
            logitCap = k.nullableNumber("final_logit_softcapping", 30.0);
            window = k.gemma2Window(k.positiveOr("sliding_window", 4096), layers);
        }
        if (!k.problems.isEmpty()) return null;
        if (heads % kvHeads != 0) {
            k.problems.add("num_key_value_heads " + kvHeads + " does not divide num_attention_heads " + heads);
            return null;
        }
        Architecture arch = new Architecture(new PositionalEncoding.Rotary(dHead, theta, PositionalEncoding.Pairing.HALVES, scaling),
                kvHeads, MlpKind.GATED, ResidualLayout.SEQUENTIAL, family == HfFamily.GEMMA2, gemma ? Math.sqrt(hidden) : 1.0,
                attnCap, logitCap, window, biases, tied);
        return build(name, layers, hidden, heads, dHead, mlp, vocab, ctx, Normalization.RMSNORM, eps, act, scale, arch, k);
    }

    private static TransformerConfig build(String name, int layers, int hidden, int heads, int dHead, int mlp, int vocab, int ctx,
                                           Normalization norm, double eps, Activation act, double scale, Architecture arch, Keys k) {
        try {
            return new TransformerConfig(name, layers, hidden, heads, dHead, mlp, vocab, vocab, ctx, norm, eps, act, true, scale, false, arch);
        } catch (IllegalArgumentException ex) {
            k.problems.add(ex.getMessage());
            return null;
        }
    }

    /** Typed reads of config keys with the family's defaults, collecting every problem. */
    private static final class Keys {
        final JsonObject o;
        final List<String> problems = new ArrayList<>();

        Keys(JsonObject o) {
            this.o = o;
        }

        private JsonElement get(String key) {
            JsonElement e = o.get(key);
            return e == null || e.isJsonNull() ? null : e;
        }

        int positive(String key) {
            if (get(key) == null) {
                problems.add("missing key \"" + key + "\" (expected a positive integer)");
                return 1;
            }
            return positiveOr(key, 1);
        }

        int positiveOr(String key, int dflt) {
            JsonElement e = get(key);
            if (e == null) return dflt;
            try {
                double d = e.getAsJsonPrimitive().getAsDouble();
                if (!e.getAsJsonPrimitive().isNumber() || d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) throw new NumberFormatException();
                return (int) d;
            } catch (RuntimeException ex) {
                problems.add("\"" + key + "\" should be a positive integer, found " + e);
                return dflt;
            }
        }

        double number(String key, double dflt) {
            JsonElement e = get(key);
            if (e == null) return dflt;
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                problems.add("\"" + key + "\" should be a number, found " + e);
                return dflt;
            }
            return e.getAsDouble();
        }

        /** A soft-cap: absent gives the default, JSON null gives none (0). */
        double nullableNumber(String key, double dflt) {
            if (o.has(key) && o.get(key).isJsonNull()) return 0;
            return number(key, dflt);
        }

        boolean bool(String key, boolean dflt) {
            JsonElement e = get(key);
            if (e == null) return dflt;
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                problems.add("\"" + key + "\" should be true or false, found " + e);
                return dflt;
            }
            return e.getAsBoolean();
        }

        Activation activation(String key, String dflt) {
            JsonElement e = get(key);
            String s = e == null ? dflt : e.isJsonPrimitive() ? e.getAsString() : e.toString();
            return switch (s) {
                case "gelu" -> Activation.GELU;
                case "gelu_new", "gelu_pytorch_tanh" -> Activation.GELU_NEW;
                case "silu", "swish" -> Activation.SILU;
                case "relu" -> Activation.RELU;
                default -> {
                    problems.add("\"" + key + "\" is \"" + s + "\", expected one of gelu, gelu_new, gelu_pytorch_tanh, silu, relu");
                    yield Activation.GELU;
                }
            };
        }

        void mustAgree(String alias, double value, String key) {
            JsonElement e = get(alias);
            if (e != null && (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != value)) {
                problems.add("\"" + alias + "\" is " + e + " but \"" + key + "\" is " + value + "; expected them equal");
            }
        }

        /** {@code rope_theta}, or {@code rope_parameters.rope_theta} as newer transformers write it. */
        double ropeTheta(double dflt) {
            JsonElement p = get("rope_parameters");
            if (get("rope_theta") == null && p != null && p.isJsonObject() && p.getAsJsonObject().has("rope_theta")) {
                return p.getAsJsonObject().get("rope_theta").getAsDouble();
            }
            return number("rope_theta", dflt);
        }

        private JsonObject ropeScalingOrNull() {
            JsonElement e = get("rope_scaling");
            if (e == null) e = get("rope_parameters");
            if (e == null) return null;
            if (!e.isJsonObject()) {
                problems.add("\"rope_scaling\" should be an object or null, found " + e);
                return null;
            }
            JsonObject s = e.getAsJsonObject();
            String type = s.has("rope_type") ? s.get("rope_type").getAsString() : s.has("type") ? s.get("type").getAsString() : "default";
            return type.equals("default") ? null : s;
        }

        RopeScaling noRopeScaling() {
            JsonObject s = ropeScalingOrNull();
            if (s != null) problems.add("rope_scaling " + s + " is not supported for this family (expected null)");
            return RopeScaling.None.INSTANCE;
        }

        RopeScaling llamaRopeScaling() {
            JsonObject s = ropeScalingOrNull();
            if (s == null) return RopeScaling.None.INSTANCE;
            String type = s.has("rope_type") ? s.get("rope_type").getAsString() : s.get("type").getAsString();
            if (!type.equals("llama3")) {
                problems.add("rope_scaling type \"" + type + "\" is not supported (expected llama3 or none)");
                return RopeScaling.None.INSTANCE;
            }
            try {
                return new RopeScaling.Llama3(s.get("factor").getAsDouble(), s.get("low_freq_factor").getAsDouble(),
                        s.get("high_freq_factor").getAsDouble(), s.get("original_max_position_embeddings").getAsInt());
            } catch (RuntimeException ex) {
                problems.add("rope_scaling " + s + " should have numbers factor, low_freq_factor, high_freq_factor and"
                        + " original_max_position_embeddings (" + ex.getMessage() + ")");
                return RopeScaling.None.INSTANCE;
            }
        }

        /**
         * Gemma 2's window: on even layers (transformers 4.47), or on the layers a {@code layer_types} list names
         * {@code sliding_attention}, which must then be the even ones or all.
         */
        SlidingWindow gemma2Window(int size, int layers) {
            JsonElement types = get("layer_types");
            if (types == null) return new SlidingWindow(size, WindowLayers.EVEN);
            List<String> t = new ArrayList<>();
            types.getAsJsonArray().forEach(x -> t.add(x.getAsString()));
            boolean all = t.size() == layers && t.stream().allMatch("sliding_attention"::equals);
            boolean even = t.size() == layers;
            for (int l = 0; l < t.size() && even; l++) even = t.get(l).equals(l % 2 == 0 ? "sliding_attention" : "full_attention");
            if (all) return new SlidingWindow(size, WindowLayers.ALL);
            if (even) return new SlidingWindow(size, WindowLayers.EVEN);
            problems.add("layer_types " + t + " is not supported (expected sliding_attention on even layers, full on odd ones)");
            return new SlidingWindow(size, WindowLayers.EVEN);
        }
    }
}
