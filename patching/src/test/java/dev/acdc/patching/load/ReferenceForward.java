package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * A slow, obvious, double-precision forward pass over {@link TransformerWeights}, written with
 * explicit loops per head and per query. It exists to prove the weight mapping against the golden
 * fixture independently of the DJL runtime, and to check loaders on configs without LayerNorm or MLP.
 *
 * <p>Shapes: P positions, D d_model, H heads, d d_head, M d_mlp, V vocab out.
 */
final class ReferenceForward {

    /** Logits and the per-layer activations the fixture dumps. */
    record Result(double[][] logits,               // [P][V]
                  double[][] embed,                // [P][D]
                  double[][] posEmbed,             // [P][D]
                  double[][][] residPre,           // [L][P][D]
                  double[][][][] pattern,          // [L][H][P][P]
                  double[][][] attnOut,            // [L][P][D]
                  double[][][] mlpOut,             // [L][P][D]
                  double[][][] residPost,          // [L][P][D]
                  double[][] lnFinal) {}           // [P][D]

    private ReferenceForward() {}

    static Result run(TransformerWeights w, int[] ids) {
        TransformerConfig c = w.config();
        int P = ids.length, D = c.dModel(), H = c.nHeads(), d = c.dHead(), L = c.nLayers();
        double[][] embed = new double[P][D], pos = new double[P][D], x = new double[P][D];
        Tensor wE = w.get(W_E), wPos = w.get(W_POS);
        for (int p = 0; p < P; p++) {
            for (int i = 0; i < D; i++) {
                embed[p][i] = wE.get(ids[p], i);
                pos[p][i] = wPos.get(p, i);
                x[p][i] = embed[p][i] + pos[p][i];
            }
        }
        double[][][] residPre = new double[L][][], attnOut = new double[L][][], mlpOut = new double[L][][], residPost = new double[L][][];
        double[][][][] pattern = new double[L][][][];
        for (int l = 0; l < L; l++) {
            residPre[l] = copy(x);
            double[][] in = c.layerNorm() ? layerNorm(x, w.get(ln1W(l)), w.get(ln1B(l)), c.layerNormEps()) : x;
            double[][] out = new double[P][D];
            pattern[l] = new double[H][][];
            for (int h = 0; h < H; h++) {
                double[][] q = project(in, w.get(wQ(l)), w.get(bQ(l)), h, d);
                double[][] k = project(in, w.get(wK(l)), w.get(bK(l)), h, d);
                double[][] v = project(in, w.get(wV(l)), w.get(bV(l)), h, d);
                double[][] pat = new double[P][P];
                for (int qi = 0; qi < P; qi++) {
                    int last = c.causal() ? qi : P - 1;
                    double max = Double.NEGATIVE_INFINITY;
                    double[] s = new double[last + 1];
                    for (int kj = 0; kj <= last; kj++) {
                        double dot = 0;
                        for (int a = 0; a < d; a++) dot += q[qi][a] * k[kj][a];
                        s[kj] = dot * c.attentionScale();
                        max = Math.max(max, s[kj]);
                    }
                    double sum = 0;
                    for (int kj = 0; kj <= last; kj++) sum += (s[kj] = Math.exp(s[kj] - max));
                    for (int kj = 0; kj <= last; kj++) pat[qi][kj] = s[kj] / sum;
                    double[] z = new double[d];
                    for (int kj = 0; kj <= last; kj++) for (int a = 0; a < d; a++) z[a] += pat[qi][kj] * v[kj][a];
                    Tensor wO = w.get(wO(l));
                    for (int j = 0; j < D; j++) {
                        double acc = 0;
                        for (int a = 0; a < d; a++) acc += z[a] * wO.get(h, a, j);
                        out[qi][j] += acc;
                    }
                }
                pattern[l][h] = pat;
            }
            Tensor bO = w.get(bO(l));
            for (int p = 0; p < P; p++) for (int j = 0; j < D; j++) out[p][j] += bO.get(j);
            attnOut[l] = out;
            add(x, out);
            if (!c.attentionOnly()) {
                double[][] in2 = c.layerNorm() ? layerNorm(x, w.get(ln2W(l)), w.get(ln2B(l)), c.layerNormEps()) : x;
                double[][] pre = matmul(in2, w.get(wIn(l)), w.get(bIn(l)));
                for (double[] row : pre) {
                    for (int i = 0; i < row.length; i++) row[i] = activation(c.activation(), row[i]);
                }
                double[][] mo = matmul(pre, w.get(wOut(l)), w.get(bOut(l)));
                mlpOut[l] = mo;
                add(x, mo);
            }
            residPost[l] = copy(x);
        }
        double[][] fin = c.layerNorm() ? layerNorm(x, w.get(LN_FINAL_W), w.get(LN_FINAL_B), c.layerNormEps()) : x;
        double[][] logits = matmul(fin, w.get(W_U), w.get(B_U));
        return new Result(logits, embed, pos, residPre, pattern, attnOut, mlpOut, residPost, fin);
    }

    static double activation(TransformerConfig.Activation a, double v) {
        return switch (a) {
            case RELU -> Math.max(0, v);
            case GELU_NEW -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            default -> throw new IllegalArgumentException("this GPT-2 reference has no " + a + " activation");
        };
    }

    /** Biased variance, eps inside the square root. */
    static double[][] layerNorm(double[][] x, Tensor g, Tensor b, double eps) {
        double[][] out = new double[x.length][];
        for (int p = 0; p < x.length; p++) {
            int D = x[p].length;
            double mean = 0, var = 0;
            for (double v : x[p]) mean += v;
            mean /= D;
            for (double v : x[p]) var += (v - mean) * (v - mean);
            var /= D;
            double inv = 1 / Math.sqrt(var + eps);
            out[p] = new double[D];
            for (int i = 0; i < D; i++) out[p][i] = (x[p][i] - mean) * inv * g.get(i) + b.get(i);
        }
        return out;
    }

    /** x [P, D] · W[h] ([H, D, d]) + b[h] ([H, d]) → [P, d]. */
    private static double[][] project(double[][] x, Tensor w, Tensor b, int h, int d) {
        int P = x.length, D = x[0].length;
        double[][] out = new double[P][d];
        for (int p = 0; p < P; p++) {
            for (int a = 0; a < d; a++) {
                double acc = b.get(h, a);
                for (int i = 0; i < D; i++) acc += x[p][i] * w.get(h, i, a);
                out[p][a] = acc;
            }
        }
        return out;
    }

    /** x [P, A] · W [A, B] + b [B]. */
    private static double[][] matmul(double[][] x, Tensor w, Tensor b) {
        int A = w.dim(0), B = w.dim(1);
        float[] wd = w.data();
        double[][] out = new double[x.length][B];
        for (int p = 0; p < x.length; p++) {
            for (int j = 0; j < B; j++) out[p][j] = b.get(j);
            for (int i = 0; i < A; i++) {
                double xi = x[p][i];
                for (int j = 0; j < B; j++) out[p][j] += xi * wd[i * B + j];
            }
        }
        return out;
    }

    private static void add(double[][] x, double[][] y) {
        for (int p = 0; p < x.length; p++) for (int i = 0; i < x[p].length; i++) x[p][i] += y[p][i];
    }

    private static double[][] copy(double[][] x) {
        double[][] out = new double[x.length][];
        for (int p = 0; p < x.length; p++) out[p] = x[p].clone();
        return out;
    }
}
