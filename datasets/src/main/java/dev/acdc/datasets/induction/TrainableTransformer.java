package dev.acdc.datasets.induction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.model.OwnedScalar;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * The parameters of an attention-only, pre-LayerNorm, causal transformer as NDArrays that record gradients, and
 * its forward pass written with differentiable DJL operations.
 *
 * <p>The runtime's {@link dev.acdc.patching.model.HookedTransformer} cannot train: its weights live in a capped
 * manager and it never asks for gradients. This class computes the same function (a test checks the logits
 * agree) so that the trained weights, exported with {@link #weights()}, mean the same thing to the runtime.
 *
 * <p>Memory: call {@link #logits} inside an {@link ai.djl.ndarray.NDScope}; every intermediate is closed with it.
 */
final class TrainableTransformer implements AutoCloseable {
    private final TransformerConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final NDArray causalMask;   // [1, 1, P, P]: 0 where a query may read a key, a large negative number elsewhere

    /**
     * Fresh parameters: every weight matrix drawn from N(0, initStd²) with {@code random} (in the canonical order of
     * {@link TransformerWeights#expectedShapes}), biases zero, LayerNorm scales one.
     */
    TrainableTransformer(TransformerConfig config, Random random, double initStd, NDManager parent) {
        if (!config.attentionOnly() || !config.layerNorm() || !config.causal() || config.separateEmbeddingNodes()) {
            throw new IllegalArgumentException("TrainableTransformer trains causal, attention-only LayerNorm models; config '"
                    + config.name() + "' is not one");
        }
        this.config = config;
        this.manager = parent.newSubManager();
        for (var e : TransformerWeights.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            int n = 1;
            for (int d : shape) n *= d;
            float[] values = new float[n];
            if (name.endsWith(".w")) {
                java.util.Arrays.fill(values, 1f);                              // LayerNorm scale
            } else if (isMatrix(name)) {
                for (int i = 0; i < n; i++) values[i] = (float) (random.nextGaussian() * initStd);
            }                                                                   // biases and LayerNorm shifts: 0
            NDArray p = manager.create(values, new Shape(toLong(shape)));
            p.setRequiresGradient(true);
            parameters.put(name, p);
        }
        int P = config.nCtx();
        float[] mask = new float[P * P];
        for (int i = 0; i < P; i++) for (int j = i + 1; j < P; j++) mask[i * P + j] = -1e9f;
        causalMask = manager.create(mask, new Shape(1, 1, P, P));
    }

    private static boolean isMatrix(String name) {
        return name.equals(W_E) || name.equals(W_POS) || name.equals(W_U) || name.matches("blocks\\.\\d+\\.attn\\.W_[QKVO]");
    }

    private static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) s[i] = shape[i];
        return s;
    }

    Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Logits [B, P, V] of a batch of token rows of length ≤ n_ctx. */
    NDArray logits(NDManager scope, int[][] tokens) {
        TransformerConfig c = config;
        int B = tokens.length, P = tokens[0].length, D = c.dModel(), H = c.nHeads(), d = c.dHead();
        int[] flat = new int[B * P];
        for (int b = 0; b < B; b++) System.arraycopy(tokens[b], 0, flat, b * P, P);
        // one-hot × W_E rather than a gather: a matrix product whose gradient every engine computes
        NDArray oneHot = scope.create(flat).oneHot(c.dVocab()).toType(DataType.FLOAT32, false);    // [B·P, V]
        NDArray resid = oneHot.matMul(p(W_E)).reshape(B, P, D)
                .add(p(W_POS).get("0:" + P).reshape(1, P, D));                                     // [B, P, D]
        NDArray mask = causalMask.get(":, :, 0:" + P + ", 0:" + P);
        for (int l = 0; l < c.nLayers(); l++) {
            NDArray x = layerNorm(resid, p(ln1W(l)), p(ln1B(l))).reshape(B * P, D);
            NDArray q = project(x, p(wQ(l)), p(bQ(l)), B, P);                                       // [B, H, P, d]
            NDArray k = project(x, p(wK(l)), p(bK(l)), B, P);
            NDArray v = project(x, p(wV(l)), p(bV(l)), B, P);
            NDArray qk = q.matMul(k.transpose(0, 1, 3, 2));                                         // [B, H, P, P]
            NDArray pattern = qk.mul(OwnedScalar.of(qk, c.attentionScale())).add(mask).softmax(-1);
            NDArray z = pattern.matMul(v).transpose(0, 2, 1, 3).reshape(B * P, (long) H * d);       // [B·P, H·d]
            NDArray attnOut = z.matMul(p(wO(l)).reshape((long) H * d, D)).add(p(bO(l)));            // [B·P, D]
            resid = resid.add(attnOut.reshape(B, P, D));
        }
        NDArray x = layerNorm(resid, p(LN_FINAL_W), p(LN_FINAL_B));
        return x.reshape(B * P, D).matMul(p(W_U)).add(p(B_U)).reshape(B, P, c.dVocabOut());
    }

    /** x [B·P, D] through one of W_Q, W_K, W_V [H, D, d] and its bias [H, d]: [B, H, P, d]. */
    private NDArray project(NDArray x, NDArray w, NDArray bias, int B, int P) {
        int D = config.dModel(), H = config.nHeads(), d = config.dHead();
        NDArray wFlat = w.transpose(1, 0, 2).reshape(D, (long) H * d);                             // column block h = head h
        return x.matMul(wFlat).add(bias.reshape((long) H * d)).reshape(B, P, H, d).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray w, NDArray b) {
        // biased variance, eps inside the square root, as torch.nn.LayerNorm and the runtime
        NDArray centred = x.sub(x.mean(new int[] {-1}, true));
        NDArray variance = centred.square().mean(new int[] {-1}, true);
        return centred.div(variance.add((float) config.layerNormEps()).sqrt()).mul(w).add(b);
    }

    private NDArray p(String name) {
        return parameters.get(name);
    }

    /** A copy of the current parameters as runtime weights. */
    TransformerWeights weights() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : parameters.entrySet()) {
            long[] s = e.getValue().getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) shape[i] = (int) s[i];
            tensors.put(e.getKey(), new Tensor(shape, e.getValue().toFloatArray()));
        }
        return TransformerWeights.of(config, tensors);
    }

    @Override
    public void close() {
        manager.close();
    }
}
