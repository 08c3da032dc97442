package dev.acdc.patching.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The architectural choices that tell transformer families apart, beyond their sizes. One block implementation
 * ({@link HookedTransformer}) reads them; no family has its own copy of the forward pass.
 *
 * <pre>
 * family    positions               kv heads  MLP                 residual    post-norms  embedding  soft-caps        window       biases
 * GPT-2     learned                 = heads   standard, gelu_new  sequential  no          ×1         none             none         all
 * GPT-NeoX  rotary on rotary_pct    = heads   standard, gelu      parallel    no          ×1         none             none         all but b_U
 * Llama     rotary (llama3 scaling) grouped   gated, silu         sequential  no          ×1         none             none         none
 * Qwen2     rotary                  grouped   gated, silu         sequential  no          ×1         none             none         q, k, v
 * Gemma     rotary                  grouped   gated, tanh GELU    sequential  no          ×√d_model  none             none         none
 * Gemma 2   rotary                  grouped   gated, tanh GELU    sequential  yes         ×√d_model  scores, logits   even layers  none
 * </pre>
 * The norm kind (LayerNorm or RMSNorm), its epsilon, the activation and the attention scale stay in
 * {@link TransformerConfig}, where GPT-2-style configs already had them. Gemma's {@code (1 + w)} RMSNorm gain is
 * folded into the stored gain when a checkpoint is loaded (as TransformerLens does), so the runtime has one RMSNorm.
 *
 * @param positions        learned table or rotary embedding
 * @param keyValueHeads    key/value heads per layer; query head h reads key/value head {@code h / (nHeads / keyValueHeads)}
 *                         (grouped-query attention when fewer than the query heads)
 * @param mlp              the MLP's form
 * @param residual         how attention and MLP join the residual stream
 * @param postNorms        whether attention and MLP outputs are normalized before they are added (Gemma 2's
 *                         {@code post_attention_layernorm}/{@code post_feedforward_layernorm}, TransformerLens's
 *                         {@code ln1_post}/{@code ln2_post})
 * @param embeddingScale   factor on token embeddings, applied in float32 ({@code hook_embed} is after it); 1 for none
 * @param attentionSoftCap c of {@code c·tanh(s/c)} on scaled attention scores before the mask; 0 for none
 * @param logitSoftCap     c of {@code c·tanh(l/c)} on the logits; 0 for none
 * @param slidingWindow    which layers see only the last few keys
 * @param biases           which projections carry a bias (the others have none in the weights)
 * @param tiedUnembedding  whether the unembedding is {@code embed.W_E}ᵀ (no {@code unembed.W_U} tensor)
 */
public record Architecture(
        PositionalEncoding positions,
        int keyValueHeads,
        MlpKind mlp,
        ResidualLayout residual,
        boolean postNorms,
        double embeddingScale,
        double attentionSoftCap,
        double logitSoftCap,
        SlidingWindow slidingWindow,
        Biases biases,
        boolean tiedUnembedding) {

    /** The MLP's form. */
    public enum MlpKind {
        /** {@code W_out · act(W_in · x + b_in) + b_out}. */
        STANDARD,
        /** {@code W_out · (act(W_gate · x) ⊙ (W_in · x + b_in)) + b_out} (SwiGLU, GeGLU; HF gate_proj, up_proj, down_proj). */
        GATED
    }

    /** How a block's attention and MLP join the residual stream. */
    public enum ResidualLayout {
        /** {@code resid_mid = resid_pre + attn(resid_pre)}, {@code resid_post = resid_mid + mlp(resid_mid)}. */
        SEQUENTIAL,
        /** {@code resid_post = resid_pre + attn(resid_pre) + mlp(resid_pre)} (GPT-NeoX, GPT-J): no resid_mid. */
        PARALLEL
    }

    /**
     * Which projections have a bias.
     *
     * @param qkv     {@code b_Q}, {@code b_K}, {@code b_V}
     * @param attnOut {@code b_O}
     * @param mlp     {@code b_in}, {@code b_out}
     * @param unembed {@code b_U}
     */
    public record Biases(boolean qkv, boolean attnOut, boolean mlp, boolean unembed) {
        public static final Biases ALL = new Biases(true, true, true, true);
        public static final Biases NONE = new Biases(false, false, false, false);
    }

    /**
     * Local attention: in the layers it applies to, query i reads key j only when {@code i − size < j ≤ i}
     * (the last {@code size} positions, itself included), as transformers' Gemma 2 masks {@code j ≤ i − size}.
     *
     * @param size   window length; 0 with {@link WindowLayers#NONE}
     * @param layers which layers are windowed
     */
    public record SlidingWindow(int size, WindowLayers layers) {
        public static final SlidingWindow NONE = new SlidingWindow(0, WindowLayers.NONE);

        public SlidingWindow {
            Objects.requireNonNull(layers, "layers");
            if (layers == WindowLayers.NONE && size != 0) throw new IllegalArgumentException("a window on no layer must have size 0, found " + size);
            if (layers != WindowLayers.NONE && size < 1) throw new IllegalArgumentException("sliding window size must be ≥ 1, found " + size);
        }

        public boolean appliesTo(int layer) {
            return switch (layers) {
                case NONE -> false;
                case ALL -> true;
                case EVEN -> layer % 2 == 0;
            };
        }
    }

    /** The layers a sliding window applies to. */
    public enum WindowLayers {
        NONE,
        ALL,
        /** Layers 0, 2, 4, … (transformers 4.47's Gemma 2: {@code is_sliding = not bool(layer_idx % 2)}). */
        EVEN
    }

    public Architecture {
        List<String> problems = new ArrayList<>();
        if (positions == null) problems.add("positions must be set");
        if (keyValueHeads < 1) problems.add("keyValueHeads must be ≥ 1, found " + keyValueHeads);
        if (mlp == null) problems.add("mlp must be set");
        if (residual == null) problems.add("residual must be set");
        if (!(embeddingScale > 0) || Double.isInfinite(embeddingScale)) problems.add("embeddingScale must be a positive finite number, found " + embeddingScale);
        if (!(attentionSoftCap >= 0) || Double.isInfinite(attentionSoftCap)) problems.add("attentionSoftCap must be ≥ 0 (0 = none), found " + attentionSoftCap);
        if (!(logitSoftCap >= 0) || Double.isInfinite(logitSoftCap)) problems.add("logitSoftCap must be ≥ 0 (0 = none), found " + logitSoftCap);
        if (slidingWindow == null) problems.add("slidingWindow must be set");
        if (biases == null) problems.add("biases must be set");
        if (!problems.isEmpty()) throw new IllegalArgumentException("invalid architecture: " + String.join("; ", problems));
    }

    /**
     * The architecture every config had before families: learned positions, one key/value head per query head, a
     * standard MLP, sequential residual, every bias, a separate unembedding, nothing else.
     */
    public static Architecture gpt2Style(int nHeads) {
        return new Architecture(new PositionalEncoding.Learned(), nHeads, MlpKind.STANDARD, ResidualLayout.SEQUENTIAL, false, 1.0,
                0, 0, SlidingWindow.NONE, Biases.ALL, false);
    }

    public boolean rotary() {
        return positions instanceof PositionalEncoding.Rotary;
    }

    public boolean learnedPositions() {
        return positions instanceof PositionalEncoding.Learned;
    }

    public boolean gatedMlp() {
        return mlp == MlpKind.GATED;
    }

    public boolean parallelResidual() {
        return residual == ResidualLayout.PARALLEL;
    }
}
