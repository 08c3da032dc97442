package dev.acdc.patching.model;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * A naive double-precision forward pass with explicit per-head, per-query loops: an oracle written
 * independently of the DJL pass, for tests.
 */
public final class ReferenceForward {
    private final TransformerConfig c;
    private final TransformerWeights w;

    public ReferenceForward(TransformerWeights w) {
        this.w = w;
        this.c = w.config();
    }

    /** Logits [P][V] of one sequence; {@code attendable} may be null. */
    public double[][] logits(int[] tokens, boolean[] attendable) {
        int P = tokens.length, D = c.dModel();
        double[][] x = new double[P][D];
        for (int p = 0; p < P; p++) for (int i = 0; i < D; i++) x[p][i] = w.get(W_E).get(tokens[p], i) + w.get(W_POS).get(p, i);
        for (int l = 0; l < c.nLayers(); l++) {
            double[][] a = attention(l, c.layerNorm() ? ln(x, w.get(ln1W(l)), w.get(ln1B(l))) : x, attendable);
            for (int p = 0; p < P; p++) for (int i = 0; i < D; i++) x[p][i] += a[p][i];
            if (!c.attentionOnly()) {
                double[][] m = mlp(l, c.layerNorm() ? ln(x, w.get(ln2W(l)), w.get(ln2B(l))) : x);
                for (int p = 0; p < P; p++) for (int i = 0; i < D; i++) x[p][i] += m[p][i];
            }
        }
        if (c.layerNorm()) x = ln(x, w.get(LN_FINAL_W), w.get(LN_FINAL_B));
        int V = c.dVocabOut();
        double[][] out = new double[P][V];
        for (int p = 0; p < P; p++) for (int v = 0; v < V; v++) {
            double s = w.get(B_U).get(v);
            for (int i = 0; i < D; i++) s += x[p][i] * w.get(W_U).get(i, v);
            out[p][v] = s;
        }
        return out;
    }

    private double[][] attention(int l, double[][] x, boolean[] attendable) {
        int P = x.length, D = c.dModel(), H = c.nHeads(), d = c.dHead();
        double[][] out = new double[P][D];
        for (int p = 0; p < P; p++) for (int i = 0; i < D; i++) out[p][i] = w.get(bO(l)).get(i);
        for (int h = 0; h < H; h++) {
            double[][] q = proj(x, w.get(wQ(l)), w.get(bQ(l)), h), k = proj(x, w.get(wK(l)), w.get(bK(l)), h),
                    v = proj(x, w.get(wV(l)), w.get(bV(l)), h);
            for (int qi = 0; qi < P; qi++) {
                double[] s = new double[P];
                double max = Double.NEGATIVE_INFINITY;
                for (int ki = 0; ki < P; ki++) {
                    boolean masked = (c.causal() && ki > qi) || (attendable != null && !attendable[ki]);
                    if (masked) { s[ki] = Double.NEGATIVE_INFINITY; continue; }
                    double dot = 0;
                    for (int j = 0; j < d; j++) dot += q[qi][j] * k[ki][j];
                    s[ki] = dot * c.attentionScale();
                    max = Math.max(max, s[ki]);
                }
                double sum = 0;
                for (int ki = 0; ki < P; ki++) { s[ki] = Math.exp(s[ki] - max); sum += s[ki]; }
                double[] z = new double[d];
                for (int ki = 0; ki < P; ki++) for (int j = 0; j < d; j++) z[j] += s[ki] / sum * v[ki][j];
                for (int i = 0; i < D; i++) {
                    double acc = 0;
                    for (int j = 0; j < d; j++) acc += z[j] * w.get(wO(l)).get(h, j, i);
                    out[qi][i] += acc;
                }
            }
        }
        return out;
    }

    private double[][] proj(double[][] x, Tensor W, Tensor b, int h) {
        int P = x.length, D = c.dModel(), d = c.dHead();
        double[][] r = new double[P][d];
        for (int p = 0; p < P; p++) for (int j = 0; j < d; j++) {
            double s = b.get(h, j);
            for (int i = 0; i < D; i++) s += x[p][i] * W.get(h, i, j);
            r[p][j] = s;
        }
        return r;
    }

    private double[][] mlp(int l, double[][] x) {
        int P = x.length, D = c.dModel(), M = c.dMlp();
        double[][] out = new double[P][D];
        for (int p = 0; p < P; p++) {
            double[] hdn = new double[M];
            for (int m = 0; m < M; m++) {
                double s = w.get(bIn(l)).get(m);
                for (int i = 0; i < D; i++) s += x[p][i] * w.get(wIn(l)).get(i, m);
                hdn[m] = c.activation() == TransformerConfig.Activation.RELU ? Math.max(0, s)
                        : 0.5 * s * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (s + 0.044715 * s * s * s)));
            }
            for (int i = 0; i < D; i++) {
                double s = w.get(bOut(l)).get(i);
                for (int m = 0; m < M; m++) s += hdn[m] * w.get(wOut(l)).get(m, i);
                out[p][i] = s;
            }
        }
        return out;
    }

    private double[][] ln(double[][] x, Tensor g, Tensor b) {
        int P = x.length, D = c.dModel();
        double[][] r = new double[P][D];
        for (int p = 0; p < P; p++) {
            double mu = 0, var = 0;
            for (double v : x[p]) mu += v;
            mu /= D;
            for (double v : x[p]) var += (v - mu) * (v - mu);
            var /= D;
            for (int i = 0; i < D; i++) r[p][i] = (x[p][i] - mu) / Math.sqrt(var + c.layerNormEps()) * g.get(i) + b.get(i);
        }
        return r;
    }
}
