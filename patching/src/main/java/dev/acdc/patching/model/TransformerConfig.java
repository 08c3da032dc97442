package dev.acdc.patching.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyper-parameters of a transformer that the runtime, the graph and the compiler agree on.
 *
 * <p>Three families are covered: GPT-2 style (pre-LayerNorm, gelu_new, causal, learned positions),
 * Tracr style (no normalization, ReLU MLP, non-causal, BOS at position 0, token and position
 * embeddings as two graph nodes) and attention-only models (no MLP, with or without LayerNorm).
 *
 * @param name                    a label for reports (e.g. {@code gpt2-small}, {@code tracr:reverse})
 * @param nLayers                 number of blocks
 * @param dModel                  residual stream width
 * @param nHeads                  attention heads per layer (the same in every layer)
 * @param dHead                   width of one head's query, key and value
 * @param dMlp                    MLP hidden width; 0 for attention-only models
 * @param dVocab                  input vocabulary size (rows of {@code embed.W_E})
 * @param dVocabOut               output width (columns of {@code unembed.W_U}); 1 for a numerical tracr output
 * @param nCtx                    maximum sequence length (rows of {@code pos_embed.W_pos})
 * @param normalization           whether blocks and the final stream are LayerNormed
 * @param layerNormEps            epsilon inside the square root of LayerNorm
 * @param activation              MLP nonlinearity
 * @param causal                  whether a query may only attend to keys at or before its position
 * @param attentionScale          factor applied to q·k scores (GPT-2: 1/sqrt(dHead))
 * @param separateEmbeddingNodes  whether the graph has {@code tok_embed} and {@code pos_embed} as two senders
 *                                (tracr) instead of one {@code embed} node (GPT-2)
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
        boolean separateEmbeddingNodes) {

    /** LayerNorm placement. */
    public enum Normalization { NONE, LAYERNORM }

    /** MLP nonlinearity. */
    public enum Activation {
        RELU,
        /** GPT-2's tanh approximation {@code 0.5x(1+tanh(sqrt(2/π)(x+0.044715x³)))}. */
        GELU_NEW
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
        if (normalization == Normalization.LAYERNORM && !(layerNormEps > 0)) {
            problems.add("layerNormEps must be > 0 with LayerNorm, found " + layerNormEps);
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

    public boolean layerNorm() {
        return normalization == Normalization.LAYERNORM;
    }

    /** Parameters counted as TransformerLens counts them: every weight and bias tensor. */
    public long parameterCount() {
        long n = (long) dVocab * dModel + (long) nCtx * dModel;
        long perLayer = 3L * nHeads * dModel * dHead + 3L * nHeads * dHead + (long) nHeads * dHead * dModel + dModel;
        if (!attentionOnly()) perLayer += 2L * dModel * dMlp + dMlp + dModel;
        if (layerNorm()) perLayer += 2L * dModel * (attentionOnly() ? 1 : 2);
        n += perLayer * nLayers;
        if (layerNorm()) n += 2L * dModel;
        n += (long) dModel * dVocabOut + dVocabOut;
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
                normalization, layerNormEps, activation, causal, attentionScale, separateEmbeddingNodes);
    }
}
