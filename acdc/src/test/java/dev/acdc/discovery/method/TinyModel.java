package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.Random;

/** A 2-layer, 2-head GPT-2-style model with weights large enough (std 0.5) for clear gradients, and a smooth metric. */
final class TinyModel {
    private TinyModel() {}

    static final TransformerConfig CONFIG = TransformerConfig.gpt2Style("tiny-sp", 2, 8, 2, 16, 11, 6, 1e-5);

    static TransformerWeights weights(long seed) {
        TransformerWeights w = Presets.randomWeights(CONFIG, seed);
        for (String name : TransformerWeights.expectedShapes(CONFIG).keySet()) {
            if (name.substring(name.lastIndexOf('.') + 1).startsWith("W_")) {
                float[] d = w.get(name).data();
                for (int i = 0; i < d.length; i++) d[i] *= 25f;   // 0.02 -> 0.5
            }
        }
        return w;
    }

    static ModelInput tokens(long seed) {
        Random r = new Random(seed);
        int[][] t = new int[4][5];
        for (int[] row : t) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(CONFIG.dVocab());
        return ModelInput.of(t);
    }

    /**
     * F = (1/B) Σ_b Σ_{p,v} r[p,v]·logits[b,p,v] with a fixed random r: smooth, and a mean of per-example
     * terms like every task metric.
     */
    static Metric projection(long seed) {
        Random r = new Random(seed);
        float[] w = new float[5 * CONFIG.dVocab()];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        return new Metric() {
            @Override
            public String name() {
                return "projection";
            }

            @Override
            public NDArray apply(NDArray logits) {
                NDArray rr = logits.getManager().create(w, new ai.djl.ndarray.types.Shape(1, 5, CONFIG.dVocab()));
                return logits.mul(rr).sum(new int[] {1, 2}).mean();
            }
        };
    }
}
