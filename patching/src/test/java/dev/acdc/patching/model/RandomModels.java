package dev.acdc.patching.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Deterministic random weights for tests. */
public final class RandomModels {
    private RandomModels() {}

    public static TransformerWeights random(TransformerConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : TransformerWeights.expectedShapes(c).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            float[] d = t.data();
            boolean gain = e.getKey().endsWith(".w") && e.getValue().length == 1;
            for (int i = 0; i < d.length; i++) d[i] = gain ? (float) (1 + 0.1 * r.nextGaussian()) : (float) (0.3 * r.nextGaussian());
            m.put(e.getKey(), t);
        }
        return TransformerWeights.of(c, m);
    }

    public static TransformerConfig tinyGpt2() {
        return TransformerConfig.gpt2Style("tiny-gpt2", 2, 8, 2, 16, 11, 6, 1e-5);
    }

    public static TransformerConfig tinyTracrStyle() {
        return new TransformerConfig("tiny-tracr", 2, 7, 2, 3, 5, 6, 4, 5,
                TransformerConfig.Normalization.NONE, 0, TransformerConfig.Activation.RELU, false, 1.0, true);
    }

    public static TransformerConfig tinyAttnOnly() {
        return new TransformerConfig("tiny-attn-only", 2, 8, 4, 2, 0, 9, 9, 6,
                TransformerConfig.Normalization.LAYERNORM, 1e-5, TransformerConfig.Activation.GELU_NEW, true, 0.5, false);
    }
}
