package dev.acdc.patching.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * One block's weights on the device, in the layouts the forward pass multiplies with. A bias, norm or gate the
 * architecture does not have is null.
 *
 * <p>Dimension letters: D d_model, H query heads, G key/value heads, d d_head, M d_mlp.
 */
final class LayerParams {
    final NDArray ln1W, ln1B, ln2W, ln2B;            // [D]
    final NDArray ln1PostW, ln1PostB, ln2PostW, ln2PostB;
    final NDArray[] w = new NDArray[3];              // W_Q [H, D, d], W_K and W_V [G, D, d]: the split-input path
    final NDArray[] b = new NDArray[3];              // b_Q [H, 1, d], b_K and b_V [G, 1, d] (broadcast over B·P)
    final NDArray wQkvT;                             // [(H + 2G)·d, D]: the fused projection, linear's layout
    final NDArray bQkv;                              // [(H + 2G)·d]
    final NDArray wO;                                // [H, d, D]
    final NDArray[] wOHead;                          // per head a view of W_O[h]: [d, D]
    final NDArray wOT;                               // [D, H·d]
    final NDArray bO;                                // [D]
    final NDArray wInT, bIn;                         // [M, D], [M]; a gated MLP: [2M, D] (gate rows, then W_in rows), [2M]
    final NDArray wOutT, bOut;                       // [D, M], [D]

    LayerParams(TransformerWeights weights, int l, NDManager manager) {
        TransformerConfig c = weights.config();
        Architecture a = c.architecture();
        Loader load = new Loader(weights, manager);
        ln1W = load.optional(ln1W(l));
        ln1B = load.optional(ln1B(l));
        ln1PostW = load.optional(ln1PostW(l));
        ln1PostB = load.optional(ln1PostB(l));
        String[] wNames = {wQ(l), wK(l), wV(l)};
        String[] bNames = {bQ(l), bK(l), bV(l)};
        int[] heads = {c.nHeads(), c.nKeyValueHeads(), c.nKeyValueHeads()};
        NDArray[] flatB = new NDArray[3];
        for (int i = 0; i < 3; i++) {
            w[i] = load.plain(wNames[i]);
            if (a.biases().qkv()) {
                b[i] = load.plain(bNames[i]).reshape(heads[i], 1, c.dHead());
                flatB[i] = b[i].reshape((long) heads[i] * c.dHead());
            }
        }
        wQkvT = load.fusedQkvTransposed(wNames, heads, c.dModel(), c.dHead());
        bQkv = a.biases().qkv() ? NDArrays.concat(new NDList(flatB), 0) : null;
        wO = load.plain(wO(l));
        wOHead = new NDArray[c.nHeads()];
        for (int h = 0; h < c.nHeads(); h++) wOHead[h] = wO.get(h);
        wOT = load.transposed(wO(l));
        bO = load.optional(bO(l));
        if (c.attentionOnly()) {
            ln2W = ln2B = ln2PostW = ln2PostB = wInT = bIn = wOutT = bOut = null;
            return;
        }
        ln2W = load.optional(ln2W(l));
        ln2B = load.optional(ln2B(l));
        ln2PostW = load.optional(ln2PostW(l));
        ln2PostB = load.optional(ln2PostB(l));
        NDArray bInOnly = load.optional(bIn(l));
        if (a.gatedMlp()) {
            // gate and up projection in one addmm: [2M, D], the gate's rows first
            wInT = load.transposed(wGate(l), wIn(l));
            bIn = bInOnly == null ? null : NDArrays.concat(new NDList(manager.zeros(new Shape(c.dMlp())), bInOnly), 0);
        } else {
            wInT = load.transposed(wIn(l));
            bIn = bInOnly;
        }
        wOutT = load.transposed(wOut(l));
        bOut = load.optional(bOut(l));
    }

    /** Copies Java tensors into the weights' manager, in the layouts above. */
    record Loader(TransformerWeights weights, NDManager manager) {
        NDArray plain(String name) {
            Tensor t = weights.get(name);
            long[] shape = new long[t.rank()];
            for (int i = 0; i < shape.length; i++) shape[i] = t.dim(i);
            return manager.create(t.data(), new Shape(shape));
        }

        NDArray optional(String name) {
            return weights.has(name) ? plain(name) : null;
        }

        /**
         * A weight W [in…, out] as the [out, in] matrix torch's {@code linear} takes (it computes x·Wᵀ + b in one
         * addmm, bias fused). Leading input axes are flattened: W_O [H, d, D] becomes [D, H·d].
         */
        NDArray transposed(String name) {
            return transposed(new String[] {name});
        }

        /** Several weights [in, out_k] with one input width, transposed and stacked: [Σ out_k, in], built on the Java side. */
        NDArray transposed(String... names) {
            int in = -1, rows = 0;
            for (String n : names) {
                Tensor t = weights.get(n);
                int out = t.dim(t.rank() - 1);
                in = t.data().length / out;
                rows += out;
            }
            float[] dst = new float[rows * in];
            int row0 = 0;
            for (String n : names) {
                Tensor t = weights.get(n);
                int out = t.dim(t.rank() - 1);
                float[] src = t.data();
                for (int i = 0; i < in; i++) {
                    for (int o = 0; o < out; o++) dst[(row0 + o) * in + i] = src[i * out + o];
                }
                row0 += out;
            }
            return manager.create(dst, new Shape(rows, in));
        }

        /**
         * W_Q [H, D, d], W_K and W_V [G, D, d] as one [(H + 2G)·d, D] matrix: channel c's head h, column j is row
         * {@code offset_c + h·d + j}, with offsets 0, H·d, (H + G)·d.
         */
        NDArray fusedQkvTransposed(String[] names, int[] heads, int D, int d) {
            int rows = (heads[0] + heads[1] + heads[2]) * d;
            float[] dst = new float[rows * D];
            int offset = 0;
            for (int c = 0; c < 3; c++) {
                float[] src = weights.get(names[c]).data();
                for (int h = 0; h < heads[c]; h++) {
                    for (int i = 0; i < D; i++) {
                        for (int j = 0; j < d; j++) dst[(offset + h * d + j) * D + i] = src[(h * D + i) * d + j];
                    }
                }
                offset += heads[c] * d;
            }
            return manager.create(dst, new Shape(rows, D));
        }
    }
}
