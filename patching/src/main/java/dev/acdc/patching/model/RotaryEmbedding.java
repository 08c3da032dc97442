package dev.acdc.patching.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.model.PositionalEncoding.Pairing;
import dev.acdc.patching.model.PositionalEncoding.Rotary;

/**
 * Rotary position embedding of queries and keys, as transformers 4.47 computes it: for position p and frequency
 * j, θ = p·inv_freq[j]; a pair (x_a, x_b) becomes (x_a·cos θ − x_b·sin θ, x_b·cos θ + x_a·sin θ). Dimensions at
 * and beyond {@code dims} pass through (partial rotary).
 *
 * <p>The tables are computed once, in float32 arithmetic as transformers does ({@code inv_freq} from a float32
 * exponent, θ as a float32 product, then cos and sin): the same values to the last bit or one ulp.
 *
 * <p>Pairing {@link Pairing#HALVES}: frequency j rotates dimensions j and j + dims/2 ({@code rotate_half}), so the
 * tables are [freqs, freqs]. {@link Pairing#ADJACENT}: frequency j rotates 2j and 2j + 1, tables [f0, f0, f1, f1, …].
 */
final class RotaryEmbedding {
    private final Rotary rotary;
    private final NDArray cos;   // [n_ctx, dims]
    private final NDArray sin;   // [n_ctx, dims]

    RotaryEmbedding(Rotary rotary, int nCtx, NDManager manager) {
        this.rotary = rotary;
        int r = rotary.dims();
        float[] inv = inverseFrequencies(rotary);
        float[] c = new float[nCtx * r], s = new float[nCtx * r];
        for (int p = 0; p < nCtx; p++) {
            for (int j = 0; j < r / 2; j++) {
                float theta = (float) p * inv[j];                 // float32 product, as inv_freq @ position_ids
                float cj = (float) Math.cos(theta), sj = (float) Math.sin(theta);
                int[] at = rotary.pairing() == Pairing.HALVES ? new int[] {j, j + r / 2} : new int[] {2 * j, 2 * j + 1};
                for (int k : at) {
                    c[p * r + k] = cj;
                    s[p * r + k] = sj;
                }
            }
        }
        cos = manager.create(c, new Shape(nCtx, r));
        sin = manager.create(s, new Shape(nCtx, r));
    }

    /**
     * {@code inv_freq[j] = 1 / base^(2j/dims)} for j < dims/2, each step in float32 as transformers'
     * {@code _compute_default_rope_parameters}, then rescaled as {@code _compute_llama3_parameters} does when the
     * scaling is {@link RopeScaling.Llama3}.
     */
    static float[] inverseFrequencies(Rotary rotary) {
        int r = rotary.dims();
        float[] inv = new float[r / 2];
        for (int j = 0; j < inv.length; j++) {
            float exponent = (float) (2 * j) / (float) r;
            inv[j] = 1.0f / (float) Math.pow((float) rotary.base(), exponent);
        }
        if (rotary.scaling() instanceof RopeScaling.Llama3 l3) {
            float factor = (float) l3.factor(), low = (float) l3.lowFreqFactor(), high = (float) l3.highFreqFactor();
            float oldContext = l3.originalContext();
            float lowFreqWavelen = (float) (l3.originalContext() / l3.lowFreqFactor());
            float highFreqWavelen = (float) (l3.originalContext() / l3.highFreqFactor());
            for (int j = 0; j < inv.length; j++) {
                float wavelen = (float) (2 * Math.PI) / inv[j];
                float scaled = wavelen > lowFreqWavelen ? inv[j] / factor : inv[j];
                boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
                if (medium) {
                    float smooth = (oldContext / wavelen - low) / (high - low);
                    scaled = (1 - smooth) * scaled / factor + smooth * scaled;
                }
                inv[j] = scaled;
            }
        }
        return inv;
    }

    /**
     * Rotates x [B, P, n, d] (n query or key/value heads) at positions 0..P−1; the result lives in x's manager.
     * Positions count from 0 in every row, which is right for unpadded rows and right-padded ones.
     */
    NDArray apply(NDArray x) {
        Shape s = x.getShape();
        long P = s.get(1), d = s.get(3);
        int r = rotary.dims();
        NDManager scope = x.getManager();
        NDArray c = cos.get(scope, new NDIndex("0:" + P)).reshape(1, P, 1, r);   // [1, P, 1, r]
        NDArray sn = sin.get(scope, new NDIndex("0:" + P)).reshape(1, P, 1, r);
        NDArray rot = r == d ? x : x.get(new NDIndex("..., 0:" + r));            // [B, P, n, r]
        NDArray turned;                                                            // each pair (a, b) as (−b, a)
        if (rotary.pairing() == Pairing.HALVES) {
            NDArray first = rot.get(new NDIndex("..., 0:" + r / 2)), second = rot.get(new NDIndex("..., " + r / 2 + ":" + r));
            turned = NDArrays.concat(new NDList(second.neg(), first), 3);
        } else {
            NDArray pairs = rot.reshape(s.get(0), P, s.get(2), r / 2, 2);          // [B, P, n, r/2, 2]
            NDArray even = pairs.get(new NDIndex("..., 0")), odd = pairs.get(new NDIndex("..., 1"));
            turned = NDArrays.stack(new NDList(odd.neg(), even), 4).reshape(s.get(0), P, s.get(2), r);
        }
        NDArray out = rot.mul(c).add(turned.mul(sn));
        return r == d ? out : NDArrays.concat(new NDList(out, x.get(new NDIndex("..., " + r + ":"))), 3);
    }
}
