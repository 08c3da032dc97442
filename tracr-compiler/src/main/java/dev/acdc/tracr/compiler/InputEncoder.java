package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Values;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Input values to token ids: the sorted vocabulary gets 0..V−1, BOS is V, PAD is V+1. An encoded input
 * starts with BOS; {@link #encode(List, int)} pads it with PAD to a fixed length.
 */
public record InputEncoder(List<Object> vocab, int maxSeqLen) {
    public InputEncoder {
        vocab = List.copyOf(vocab);
    }

    public int bosId() {
        return vocab.size();
    }

    public int padId() {
        return vocab.size() + 1;
    }

    /** Number of token ids (vocabulary, BOS, PAD). */
    public int size() {
        return vocab.size() + 2;
    }

    public int tokenId(Object value) {
        Object v = Values.normalize(value);
        int i = vocab.indexOf(v);
        if (i < 0) throw new IllegalArgumentException("input value " + Values.describe(v) + " is not in the vocabulary " + vocab);
        return i;
    }

    /** BOS followed by the token ids of {@code input}. */
    public int[] encode(List<?> input) {
        return encode(input, input.size() + 1);
    }

    /** BOS, the token ids of {@code input}, then PAD up to {@code length} positions (≤ max_seq_len + 1). */
    public int[] encode(List<?> input, int length) {
        if (input.size() > maxSeqLen) {
            throw new IllegalArgumentException("input of length " + input.size() + " exceeds max_seq_len " + maxSeqLen);
        }
        if (length < input.size() + 1 || length > maxSeqLen + 1) {
            throw new IllegalArgumentException("padded length " + length + " must be between " + (input.size() + 1)
                    + " and max_seq_len + 1 = " + (maxSeqLen + 1));
        }
        int[] ids = new int[length];
        ids[0] = bosId();
        for (int i = 0; i < input.size(); i++) ids[i + 1] = tokenId(input.get(i));
        for (int i = input.size() + 1; i < length; i++) ids[i] = padId();
        return ids;
    }

    /** value → token id, including "BOS" and "PAD" entries. */
    public Map<String, Integer> asMap() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) m.put(String.valueOf(vocab.get(i)), i);
        m.put("BOS", bosId());
        m.put("PAD", padId());
        return m;
    }
}
