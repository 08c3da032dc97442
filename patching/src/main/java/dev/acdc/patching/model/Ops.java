package dev.acdc.patching.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The elementwise and normalization operations of the forward pass. Each takes the activation as its left
 * operand, so that results are attached to the activation's manager (the pass's scope), never to the weights'.
 */
final class Ops {
    private Ops() {}

    /** A norm over the last axis: LayerNorm (w and b) or RMSNorm (w; b is null); {@code x} itself without one. */
    static NDArray norm(TransformerConfig c, NDArray x, NDArray w, NDArray b) {
        return switch (c.normalization()) {
            case NONE -> x;
            case LAYERNORM -> layerNorm(x, w, b, (float) c.layerNormEps());
            case RMSNORM -> rmsNorm(x, w, (float) c.layerNormEps());
        };
    }

    /** Biased variance, eps inside the square root, as torch.nn.LayerNorm: one fused libtorch call. */
    static NDArray layerNorm(NDArray x, NDArray w, NDArray b, float eps) {
        Shape s = x.getShape();
        return x.getNDArrayInternal().layerNorm(x, new Shape(s.get(s.dimension() - 1)), w, b, eps).singletonOrThrow();
    }

    /**
     * {@code x / sqrt(mean(x²) + eps) · w}, as transformers' LlamaRMSNorm computes it in float32 (the square's mean over
     * the last axis, eps added inside the root, the gain applied last). Gemma's {@code (1 + w)} is folded into w by
     * the loader.
     */
    static NDArray rmsNorm(NDArray x, NDArray w, float eps) {
        int last = x.getShape().dimension() - 1;
        NDArray meanSquare = x.mul(x).mean(new int[] {last}, true);   // [..., 1]
        return x.div(meanSquare.add(eps).sqrt()).mul(w);
    }

    static NDArray activation(TransformerConfig.Activation a, NDArray x) {
        return switch (a) {
            case RELU -> x.maximum(0f);
            case GELU_NEW -> geluNew(x);
            case GELU -> x.getNDArrayInternal().gelu();      // torch.nn.functional.gelu, approximate='none' (erf)
            case SILU -> x.mul(x.getNDArrayInternal().sigmoid());
        };
    }

    /** {@code c·tanh(x/c)}, as transformers' Gemma 2 soft-caps attention scores and logits. */
    static NDArray softCap(NDArray x, float cap) {
        return x.div(cap).tanh().mul(cap);
    }

    /**
     * 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), Hugging Face's NewGELUActivation, with x³ as x·x·x: torch's
     * pow(x, 3) takes 4× as long on [1500, 3072] and differs from it by at most an ulp of x³. Outside a gradient
     * collector the chain runs in place on two fresh buffers, the same operations in the same order: one
     * allocation and its page faults per call made the out-of-place chain cost 4× as much.
     */
    static NDArray geluNew(NDArray x) {
        float c = (float) Math.sqrt(2.0 / Math.PI);
        // grad mode, not x.hasGradient(): DJL reports requires_grad false for non-leaf results that autograd tracks
        if (JniUtils.isGradMode()) {
            return x.mul(x).mul(x).mul(0.044715f).add(x).mul(c).tanh().add(1f).mul(x).mul(0.5f);
        }
        NDArray inner = x.mul(x);
        inner.muli(x).muli(0.044715f).addi(x).muli(c);
        NDArray y = inner.tanh();
        inner.close();
        return y.addi(1f).muli(x).muli(0.5f);
    }
}
