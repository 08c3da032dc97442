package dev.acdc.patching.graph;

import dev.acdc.patching.model.TransformerConfig;

/** Configs the graph tests share (shapes only matter to the graph). */
final class GraphConfigs {
    private GraphConfigs() {}

    static TransformerConfig gpt2Small() {
        return TransformerConfig.gpt2Style("gpt2-small", 12, 768, 12, 3072, 50257, 1024, 1e-5);
    }

    /** GPT-2's structure at a size where JGraphT walks stay cheap: 3 layers, 4 heads, MLPs. */
    static TransformerConfig smallGpt2Style() {
        return TransformerConfig.gpt2Style("small", 3, 16, 4, 32, 10, 8, 1e-5);
    }

    static TransformerConfig attnOnly(int layers) {
        return new TransformerConfig("attn-only-" + layers + "l", layers, 512, 8, 64, 0, 48262, 48262, 2048,
                TransformerConfig.Normalization.LAYERNORM, 1e-5, TransformerConfig.Activation.GELU_NEW,
                true, 1.0 / 8, false);
    }

    /** A tracr-shaped model: no LayerNorm, ReLU MLPs, token and position embeddings as two nodes. */
    static TransformerConfig tracr(int layers, int heads, boolean mlp) {
        return new TransformerConfig("tracr:test", layers, 20, heads, 4, mlp ? 8 : 0, 6, 5, 6,
                TransformerConfig.Normalization.NONE, 0, TransformerConfig.Activation.RELU,
                false, 1.0, true);
    }
}
