package dev.acdc.tracr.compiler;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;

import java.util.List;

/**
 * A pure-Java double-precision forward pass of a non-causal, LayerNorm-free ReLU transformer (residual
 * equations as in nanoGPT's Block.forward). It is the second oracle for compiled weights, independent of
 * the DJL runtime ({@code dev.acdc.patching.model.HookedTransformer}), and lets the CLI run a compiled
 * model without native libraries.
 */
public final class ReferenceForward {
    private final TransformerConfig c;
    private final TransformerWeights w;

    public ReferenceForward(TransformerWeights weights) {
        this.w = weights;
        this.c = weights.config();
        if (c.layerNorm() || c.activation() != TransformerConfig.Activation.RELU || c.causal()) {
            throw new IllegalArgumentException("reference forward handles only tracr-style configs, found " + c);
        }
    }

    /** The decoded output of a compiled model on one input (per input position, BOS excluded). */
    public static List<Object> run(CompiledModel m, List<?> input) {
        return m.decoder().decodeSequence(new ReferenceForward(m.weights()).logits(m.encoder().encode(input)), input.size());
    }

    /** Logits [positions][d_vocab_out] for one token sequence. */
    public double[][] logits(int[] tokens) {
        int P = tokens.length, D = c.dModel(), H = c.nHeads(), d = c.dHead(), M = c.dMlp();
        double[][] resid = new double[P][D];
        Tensor wE = w.get(WeightNames.W_E), wPos = w.get(WeightNames.W_POS);
        for (int p = 0; p < P; p++) for (int i = 0; i < D; i++) resid[p][i] = wE.get(tokens[p], i) + wPos.get(p, i);
        for (int l = 0; l < c.nLayers(); l++) {
            Tensor wQ = w.get(WeightNames.wQ(l)), wK = w.get(WeightNames.wK(l)), wV = w.get(WeightNames.wV(l)), wO = w.get(WeightNames.wO(l));
            Tensor bQ = w.get(WeightNames.bQ(l)), bK = w.get(WeightNames.bK(l)), bV = w.get(WeightNames.bV(l)), bO = w.get(WeightNames.bO(l));
            double[][] attnOut = new double[P][D];
            for (int h = 0; h < H; h++) {
                double[][] q = project(resid, wQ, bQ, h, D, d), k = project(resid, wK, bK, h, D, d), v = project(resid, wV, bV, h, D, d);
                for (int i = 0; i < P; i++) {
                    double[] s = new double[P];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < P; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += q[i][e] * k[j][e];
                        s[j] = c.attentionScale() * dot;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < P; j++) { s[j] = Math.exp(s[j] - max); sum += s[j]; }
                    double[] z = new double[d];
                    for (int j = 0; j < P; j++) for (int e = 0; e < d; e++) z[e] += s[j] / sum * v[j][e];
                    float[] o = wO.data();
                    for (int e = 0; e < d; e++) {
                        if (z[e] == 0) continue;
                        int base = (h * d + e) * D;
                        for (int x = 0; x < D; x++) attnOut[i][x] += z[e] * o[base + x];
                    }
                }
            }
            for (int p = 0; p < P; p++) for (int o = 0; o < D; o++) resid[p][o] += attnOut[p][o] + bO.get(o);
            if (!c.attentionOnly()) {
                Tensor wIn = w.get(WeightNames.wIn(l)), bIn = w.get(WeightNames.bIn(l)), wOut = w.get(WeightNames.wOut(l)), bOut = w.get(WeightNames.bOut(l));
                for (int p = 0; p < P; p++) {
                    double[] out = new double[D];
                    float[] in = wIn.data(), wo = wOut.data();
                    for (int m = 0; m < M; m++) {
                        double pre = bIn.get(m);
                        for (int i = 0; i < D; i++) pre += resid[p][i] * in[i * M + m];
                        if (pre <= 0) continue;
                        for (int o = 0; o < D; o++) out[o] += pre * wo[m * D + o];
                    }
                    for (int o = 0; o < D; o++) resid[p][o] += out[o] + bOut.get(o);
                }
            }
        }
        Tensor wU = w.get(WeightNames.W_U), bU = w.get(WeightNames.B_U);
        int Vo = c.dVocabOut();
        double[][] logits = new double[P][Vo];
        for (int p = 0; p < P; p++) {
            for (int o = 0; o < Vo; o++) {
                double s = bU.get(o);
                for (int i = 0; i < D; i++) s += resid[p][i] * wU.get(i, o);
                logits[p][o] = s;
            }
        }
        return logits;
    }

    private static double[][] project(double[][] resid, Tensor W, Tensor b, int h, int D, int d) {
        double[][] out = new double[resid.length][d];
        float[] w = W.data(), bias = b.data();
        for (int p = 0; p < resid.length; p++) {
            for (int e = 0; e < d; e++) out[p][e] = bias[h * d + e];
            for (int i = 0; i < D; i++) {
                double r = resid[p][i];
                if (r == 0) continue;
                int base = (h * D + i) * d;
                for (int e = 0; e < d; e++) out[p][e] += r * w[base + e];
            }
        }
        return out;
    }
}
