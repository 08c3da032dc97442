package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Encoding;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.List;

/**
 * Logits to output values. Categorical: the argmax over the sorted output values, or None when no logit
 * reaches 1/2 (the model writes 0 for None). Numerical: the single logit, rounded to 1e-6 and normalized.
 */
public record OutputDecoder(Encoding encoding, List<Object> values) {
    public OutputDecoder {
        values = List.copyOf(values);
    }

    public Object decode(double[] logits) {
        if (encoding == Encoding.NUMERICAL) return Values.normalize(Math.round(logits[0] * 1e6) / 1e6);
        int best = -1;
        for (int i = 0; i < values.size(); i++) if (best < 0 || logits[i] > logits[best]) best = i;
        if (best < 0 || logits[best] < 0.5) return null;
        return values.get(best);
    }

    /** Decodes positions 1..inputLength of [positions][d_vocab_out] logits (BOS and PAD excluded). */
    public List<Object> decodeSequence(double[][] logits, int inputLength) {
        List<Object> out = new ArrayList<>(inputLength);
        for (int p = 1; p <= inputLength; p++) out.add(decode(logits[p]));
        return out;
    }

    public List<Object> decodeSequence(float[][] logits, int inputLength) {
        double[][] d = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            d[i] = new double[logits[i].length];
            for (int j = 0; j < d[i].length; j++) d[i][j] = logits[i][j];
        }
        return decodeSequence(d, inputLength);
    }
}
