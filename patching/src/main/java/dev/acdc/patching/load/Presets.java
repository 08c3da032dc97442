package dev.acdc.patching.load;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerConfig.Activation;
import dev.acdc.patching.model.TransformerConfig.Normalization;
import dev.acdc.patching.model.TransformerWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Configs of the models the ACDC paper uses, for graph work without weights, and deterministic
 * random weights for benchmarks and tests.
 *
 * <p>Sources:
 * <ul>
 *   <li>{@code gpt2-small}: OpenAI GPT-2 small as in its Hugging Face {@code config.json} — 12 layers,
 *       12 heads, d_model 768 (d_head 64), d_mlp 3072, vocab 50257, context 1024, LayerNorm eps 1e-5,
 *       gelu_new.</li>
 *   <li>{@code attn-only-2l}, {@code attn-only-4l}: TransformerLens's {@code NeelNanda/Attn_Only_2L512W_C4_Code}
 *       and {@code NeelNanda/Attn_Only_4L512W_C4_Code} (aliases in TransformerLens
 *       {@code loading_from_pretrained.py}; their configs come from the hub's {@code config.json}, recorded in
 *       TransformerLens {@code docs/source/_static/model_properties_table.jsonl} and
 *       {@code docs/source/model_properties_table.md}): d_model 512, 8 heads of d_head 64, no MLP
 *       ({@code attn_only: true}), d_vocab 48262 ({@code NeelNanda/gpt-neox-tokenizer-digits}), n_ctx 1024,
 *       LayerNorm ({@code normalization_type: LN}, eps 1e-5), standard learned positional embeddings, causal,
 *       attn_scale 8 = sqrt(d_head). Note that n_ctx is 1024 in those files, not 2048.</li>
 * </ul>
 * The attention-only presets set {@link Activation#GELU_NEW} only because a config needs one; with no
 * MLP it is never used.
 *
 * <p>The Hugging Face family presets ({@code pythia-70m}, {@code pythia-160m}, {@code qwen2.5-0.5b},
 * {@code llama-3.2-1b}, {@code gemma-2-2b}) are config.json files in this package's resources
 * ({@code presets/NAME.json}), read by {@link HfConfigs} exactly as a downloaded checkpoint's config would be. Each
 * holds the architecture keys of the model's published config.json on the Hugging Face hub (its {@code _source} key
 * gives the address and the cross-check: TransformerLens's model table, generated from those files, or for Llama 3.2,
 * whose repository is gated, TransformerLens's hard-coded config). Their context is the published
 * {@code max_position_embeddings}, not TransformerLens's capped n_ctx.
 */
public final class Presets {
    public static final String GPT2_SMALL = "gpt2-small";
    public static final String ATTN_ONLY_2L = "attn-only-2l";
    public static final String ATTN_ONLY_4L = "attn-only-4l";
    public static final String PYTHIA_70M = "pythia-70m";
    public static final String PYTHIA_160M = "pythia-160m";
    public static final String QWEN2_5_0_5B = "qwen2.5-0.5b";
    public static final String LLAMA_3_2_1B = "llama-3.2-1b";
    public static final String GEMMA_2_2B = "gemma-2-2b";
    private static final List<String> FAMILY_PRESETS = List.of(PYTHIA_70M, PYTHIA_160M, QWEN2_5_0_5B, LLAMA_3_2_1B, GEMMA_2_2B);

    /** Standard deviation of random matrices (GPT-2's initializer_range). */
    public static final double INIT_STD = 0.02;

    private Presets() {}

    public static TransformerConfig gpt2Small() {
        return TransformerConfig.gpt2Style(GPT2_SMALL, 12, 768, 12, 3072, 50257, 1024, 1e-5);
    }

    public static TransformerConfig attnOnly2l() {
        return attnOnly(ATTN_ONLY_2L, 2);
    }

    public static TransformerConfig attnOnly4l() {
        return attnOnly(ATTN_ONLY_4L, 4);
    }

    private static TransformerConfig attnOnly(String name, int layers) {
        int dHead = 64;
        return new TransformerConfig(name, layers, 512, 8, dHead, 0, 48262, 48262, 1024, Normalization.LAYERNORM, 1e-5,
                Activation.GELU_NEW, true, 1.0 / Math.sqrt(dHead), false);
    }

    /** Every preset name, in a stable order. */
    public static List<String> names() {
        List<String> all = new java.util.ArrayList<>(List.of(GPT2_SMALL, ATTN_ONLY_2L, ATTN_ONLY_4L));
        all.addAll(FAMILY_PRESETS);
        return List.copyOf(all);
    }

    /** The preset of that name, if there is one. */
    public static Optional<TransformerConfig> byName(String name) {
        return switch (name) {
            case GPT2_SMALL -> Optional.of(gpt2Small());
            case ATTN_ONLY_2L -> Optional.of(attnOnly2l());
            case ATTN_ONLY_4L -> Optional.of(attnOnly4l());
            default -> FAMILY_PRESETS.contains(name) ? Optional.of(familyPreset(name)) : Optional.empty();
        };
    }

    /** A family preset's config.json from the resources, read as a checkpoint's config is. */
    private static TransformerConfig familyPreset(String name) {
        String resource = "presets/" + name + ".json";
        try (var in = Presets.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("preset resource " + resource + " is missing from the build");
            JsonObject o = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
            HfFamily family = HfFamily.byModelType(o.get("model_type").getAsString()).orElseThrow();
            return HfConfigs.read(family, o, resource, name);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read preset resource " + resource, ex);
        }
    }

    /**
     * Deterministic random weights: every matrix ({@code W_*}) N(0, 0.02²), norm gains 1, every bias
     * ({@code b_*}) and LayerNorm bias 0. Draws come from one {@link Random} seeded with {@code seed}, in the canonical
     * tensor order of {@link TransformerWeights#expectedShapes}, so the same (config, seed) gives the
     * same weights on every JVM.
     */
    public static TransformerWeights randomWeights(TransformerConfig config, long seed) {
        Random rng = new Random(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : TransformerWeights.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            Tensor t = Tensor.zeros(e.getValue());
            float[] d = t.data();
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            if (leaf.equals("w")) {
                Arrays.fill(d, 1f); // LayerNorm gain
            } else if (leaf.startsWith("W_")) {
                for (int i = 0; i < d.length; i++) d[i] = (float) (INIT_STD * rng.nextGaussian());
            } // biases (b, b_Q, b_in, ...) stay 0
            tensors.put(name, t);
        }
        return TransformerWeights.of(config, tensors);
    }
}
