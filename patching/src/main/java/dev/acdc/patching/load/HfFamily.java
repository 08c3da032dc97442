package dev.acdc.patching.load;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Hugging Face decoder families this project reads besides GPT-2, by their {@code model_type}, and the tensor
 * layout each uses. The runtime has no per-family code; a family only decides how {@link HfConfigs} reads its
 * config.json and how {@link HfWeightMapping} renames its tensors.
 */
public enum HfFamily {
    /** GPT-NeoX (Pythia): {@code gpt_neox.layers.L.attention.query_key_value}, partial rotary, parallel residual. */
    GPT_NEOX("gpt_neox", Layout.NEOX),
    /** Llama 2/3: {@code model.layers.L.self_attn.q_proj}, RMSNorm, RoPE, grouped-query attention, SwiGLU. */
    LLAMA("llama", Layout.LLAMA),
    /** Qwen2 / Qwen2.5: the Llama block with q/k/v biases. */
    QWEN2("qwen2", Layout.LLAMA),
    /** Gemma: scaled embedding, (1 + w) RMSNorm, tanh-GELU gate, head_dim of its own. */
    GEMMA("gemma", Layout.LLAMA),
    /** Gemma 2: Gemma with post-norms, soft-caps, a sliding window on even layers and its own attention scale. */
    GEMMA2("gemma2", Layout.LLAMA);

    /** How the family names its tensors. */
    public enum Layout {
        /** {@code gpt_neox.embed_in}, fused {@code query_key_value} interleaved per head, {@code embed_out}. */
        NEOX,
        /** {@code model.embed_tokens}, {@code self_attn.q_proj/k_proj/v_proj/o_proj}, {@code mlp.gate/up/down_proj}, {@code lm_head}. */
        LLAMA
    }

    private final String modelType;
    private final Layout layout;

    HfFamily(String modelType, Layout layout) {
        this.modelType = modelType;
        this.layout = layout;
    }

    /** The {@code model_type} of the family's config.json. */
    public String modelType() {
        return modelType;
    }

    public Layout layout() {
        return layout;
    }

    public static Optional<HfFamily> byModelType(String modelType) {
        return Arrays.stream(values()).filter(f -> f.modelType.equals(modelType)).findFirst();
    }

    /** Every supported {@code model_type}, GPT-2's included, for error messages. */
    public static String supportedModelTypes() {
        StringBuilder s = new StringBuilder("gpt2");
        for (HfFamily f : values()) s.append(", ").append(f.modelType);
        return s.toString();
    }
}
