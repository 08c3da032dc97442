package dev.acdc.patching.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyper-parameters of a transformer that the runtime, the graph and the compiler agree on.
 *
 * <p>Sizes and the classic choices are components of this record; the choices that tell the newer families
 * apart (rotary positions, grouped-query attention, gated MLPs, parallel residual, post-norms, soft-caps,
 * sliding windows, biases, tied unembedding) are one {@link Architecture}. Covered: GPT-2 style (pre-LayerNorm,
 * gelu_new, causal, learned positions), Tracr style (no normalization, ReLU MLP, non-causal, BOS at position 0,
 * token and position embeddings as two graph nodes), attention-only models, and the Hugging Face families
 * GPT-NeoX (Pythia), Llama, Qwen2, Gemma and Gemma 2 ({@code dev.acdc.patching.load.HfConfigs} builds theirs).
 *
 * @param name                    a label for reports (e.g. {@code gpt2-small}, {@code tracr:reverse})
 * @param nLayers                 number of blocks
 * @param dModel                  residual stream width
 * @param nHeads                  attention heads per layer (the same in every layer)
 * @param dHead                   width of one head's query, key and value
 * @param dHead                   (Gemma: {@code head_dim}, which need not be dModel / nHeads)
 * @param dMlp                    MLP hidden width; 0 for attention-only models
 * @param dVocab                  input vocabulary size (rows of {@code embed.W_E})
 * @param dVocabOut               output width (columns of {@code unembed.W_U}); 1 for a numerical tracr output
 * @param nCtx                    maximum sequence length (rows of {@code pos_embed.W_pos} with learned positions)
 * @param normalization           the norm of blocks and the final stream, if any
 * @param layerNormEps            epsilon inside the square root of the norm (LayerNorm or RMSNorm)
 * @param activation              MLP nonlinearity
 * @param causal                  whether a query may only attend to keys at or before its position
 * @param attentionScale          factor applied to q·k scores (GPT-2: 1/sqrt(dHead))
 * @param separateEmbeddingNodes  whether the graph has {@code tok_embed} and {@code pos_embed} as two senders
 *                                (tracr) instead of one {@code embed} node (GPT-2)
 * @param architecture            the family's architectural choices
 */
public record TransformerConfig(
        String name,
        int nLayers,
        int dModel,
        int nHeads,
        int dHead,
        int dMlp,
        int dVocab,
        int dVocabOut,
        int nCtx,
        Normalization normalization,
        double layerNormEps,
        Activation activation,
        boolean causal,
        double attentionScale,
        boolean separateEmbeddingNodes,
        Architecture architecture) {

    /** The norm before attention, before the MLP and at the end (pre-norm blocks). */
    public enum Normalization {
        NONE,
        /** {@code (x − mean) / sqrt(var + eps) · w + b}, biased variance (torch.nn.LayerNorm). */
        LAYERNORM,
        /** {@code x / sqrt(mean(x²) + eps) · w}: no centring, no bias (Llama, Qwen2, Gemma). */
        RMSNORM
    }

    /** MLP nonlinearity. */
    public enum Activation {
        RELU,
        /**
         * The tanh approximation {@code 0.5x(1+tanh(sqrt(2/π)(x+0.044715x³)))}: GPT-2's gelu_new, and Gemma's
         * {@code gelu_pytorch_tanh} (the same function).
         */
        GELU_NEW,
        /** The exact GELU {@code 0.5x(1+erf(x/√2))} (GPT-NeoX's {@code hidden_act: "gelu"}). */
        GELU,
        /** {@code x·sigmoid(x)} (Llama, Qwen2: {@code hidden_act: "silu"}). */
        SILU
    }

    /** A config with {@link Architecture#gpt2Style} choices: every config from before the families. */
    public TransformerConfig(String name, int nLayers, int dModel, int nHeads, int dHead, int dMlp, int dVocab, int dVocabOut,
                             int nCtx, Normalization normalization, double layerNormEps, Activation activation, boolean causal,
                             double attentionScale, boolean separateEmbeddingNodes) {
        this(name, nLayers, dModel, nHeads, dHead, dMlp, dVocab, dVocabOut, nCtx, normalization, layerNormEps, activation, causal,
                attentionScale, separateEmbeddingNodes, Architecture.gpt2Style(nHeads));
    }

    public TransformerConfig {
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) problems.add("name must be non-empty");
        if (nLayers < 1) problems.add("nLayers must be ≥ 1, found " + nLayers);
        if (dModel < 1) problems.add("dModel must be ≥ 1, found " + dModel);
        if (nHeads < 1) problems.add("nHeads must be ≥ 1, found " + nHeads);
        if (dHead < 1) problems.add("dHead must be ≥ 1, found " + dHead);
        if (dMlp < 0) problems.add("dMlp must be ≥ 0 (0 = attention-only), found " + dMlp);
        if (dVocab < 1) problems.add("dVocab must be ≥ 1, found " + dVocab);
        if (dVocabOut < 1) problems.add("dVocabOut must be ≥ 1, found " + dVocabOut);
        if (nCtx < 1) problems.add("nCtx must be ≥ 1, found " + nCtx);
        if (normalization == null) problems.add("normalization must be set");
        if (activation == null) problems.add("activation must be set");
        if (normalization != null && normalization != Normalization.NONE && !(layerNormEps > 0)) {
            problems.add("layerNormEps must be > 0 with " + normalization + ", found " + layerNormEps);
        }
        if (architecture == null) {
            problems.add("architecture must be set");
        } else {
            int kv = architecture.keyValueHeads();
            if (nHeads >= 1 && (kv > nHeads || nHeads % kv != 0)) {
                problems.add("key/value heads (" + kv + ") must divide the query heads (" + nHeads + ")");
            }
            if (architecture.positions() instanceof PositionalEncoding.Rotary r && r.dims() > dHead) {
                problems.add("rotary dims " + r.dims() + " exceed d_head " + dHead);
            }
            if (architecture.tiedUnembedding() && dVocabOut != dVocab) {
                problems.add("a tied unembedding needs dVocabOut = dVocab, found " + dVocabOut + " and " + dVocab);
            }
            if (architecture.postNorms() && normalization == Normalization.NONE) {
                problems.add("post-norms need a normalization");
            }
        }
        if (!(attentionScale > 0) || Double.isInfinite(attentionScale)) {
            problems.add("attentionScale must be a positive finite number, found " + attentionScale);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid transformer config '" + name + "': " + String.join("; ", problems));
        }
    }

    /** True when the blocks have no MLP. */
    public boolean attentionOnly() {
        return dMlp == 0;
    }

    /** True for LayerNorm specifically (gain and bias); see {@link #normalized()} for any norm. */
    public boolean layerNorm() {
        return normalization == Normalization.LAYERNORM;
    }

    /** True when blocks and the final stream are normalized (LayerNorm or RMSNorm). */
    public boolean normalized() {
        return normalization != Normalization.NONE;
    }

    /**
     * Whether the architecture is the one every config had before the Hugging Face families ({@link Architecture#gpt2Style}):
     * what the edge graph and the patching engine cover until they learn the families' receivers.
     */
    public boolean gpt2StyleArchitecture() {
        return architecture.equals(Architecture.gpt2Style(nHeads));
    }

    /** Key/value heads per layer (the query heads unless attention is grouped). */
    public int nKeyValueHeads() {
        return architecture.keyValueHeads();
    }

    /**
     * Every weight and bias tensor's elements ({@link TransformerWeights#expectedShapes}): a tied unembedding is
     * counted once, as the checkpoint stores it.
     */
    public long parameterCount() {
        long n = 0;
        for (int[] shape : TransformerWeights.expectedShapes(this).values()) {
            long size = 1;
            for (int d : shape) size *= d;
            n += size;
        }
        return n;
    }

    /** A GPT-2 style config (pre-LN, gelu_new, causal, 1/sqrt(dHead) scale, one embedding node). */
    public static TransformerConfig gpt2Style(String name, int nLayers, int dModel, int nHeads, int dMlp,
                                              int dVocab, int nCtx, double eps) {
        int dHead = dModel / nHeads;
        if (dHead * nHeads != dModel) {
            throw new IllegalArgumentException("d_model " + dModel + " is not divisible by n_heads " + nHeads);
        }
        return new TransformerConfig(name, nLayers, dModel, nHeads, dHead, dMlp, dVocab, dVocab, nCtx,
                Normalization.LAYERNORM, eps, Activation.GELU_NEW, true, 1.0 / Math.sqrt(dHead), false);
    }

    public TransformerConfig withName(String newName) {
        return new TransformerConfig(newName, nLayers, dModel, nHeads, dHead, dMlp, dVocab, dVocabOut, nCtx,
                normalization, layerNormEps, activation, causal, attentionScale, separateEmbeddingNodes, architecture);
    }
}
