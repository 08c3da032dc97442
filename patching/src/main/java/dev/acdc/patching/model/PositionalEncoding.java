package dev.acdc.patching.model;

import java.util.Objects;

/**
 * How positions enter the model: a learned table added to the residual stream (GPT-2, tracr), or a rotation
 * of each head's queries and keys (RoPE: GPT-NeoX, Llama, Qwen2, Gemma). Rotary embeddings act inside the
 * head, after {@code hook_q}/{@code hook_k}, so the residual stream carries no position vector.
 */
public sealed interface PositionalEncoding permits PositionalEncoding.Learned, PositionalEncoding.Rotary {

    /** A learned [n_ctx, d_model] table {@code pos_embed.W_pos}, added to the token embedding ({@code hook_pos_embed}). */
    record Learned() implements PositionalEncoding {}

    /**
     * Rotary position embedding of the first {@code dims} dimensions of every query and key head; the others pass
     * through unchanged (GPT-NeoX's partial rotary: {@code rotary_pct · d_head}).
     *
     * @param dims    rotated dimensions per head, even, at most d_head
     * @param base    θ of {@code inv_freq[j] = 1 / θ^(2j/dims)} ({@code rope_theta}, {@code rotary_emb_base})
     * @param pairing which dimensions rotate together
     * @param scaling a rescaling of the frequencies for long contexts
     */
    record Rotary(int dims, double base, Pairing pairing, RopeScaling scaling) implements PositionalEncoding {
        public Rotary {
            Objects.requireNonNull(pairing, "pairing");
            Objects.requireNonNull(scaling, "scaling");
            if (dims < 2 || dims % 2 != 0) throw new IllegalArgumentException("rotary dims must be even and ≥ 2, found " + dims);
            if (!(base > 1) || Double.isInfinite(base)) throw new IllegalArgumentException("rotary base must be a finite number > 1, found " + base);
        }

        /** Hugging Face's pairing without rescaling: the convention of every family this project reads. */
        public static Rotary halves(int dims, double base) {
            return new Rotary(dims, base, Pairing.HALVES, RopeScaling.None.INSTANCE);
        }
    }

    /** Which two dimensions of a rotated block form one rotating pair. */
    enum Pairing {
        /**
         * Dimension i with i + dims/2 (Hugging Face's {@code rotate_half}, GPT-NeoX): the convention of every HF
         * checkpoint read here (Meta's Llama weights are permuted into it by HF's conversion script).
         */
        HALVES,
        /** Dimension 2i with 2i + 1 (GPT-J, Meta's original Llama code). */
        ADJACENT
    }
}
