package dev.acdc.datasets.induction;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Draws {@link RepeatedSequence}s: a segment of random length in [minSegment, maxSegment] placed twice at random
 * positions, every other token a distinct random token (drawn without replacement, so a token repeats only inside
 * the segment and the induction target is never ambiguous).
 *
 * <p>Deterministic: the same seed gives the same sequences ({@link Random} is specified bit for bit).
 *
 * @param vocab      token ids 0..vocab−1
 * @param length     tokens per sequence
 * @param minSegment shortest segment (≥ 2)
 * @param maxSegment longest segment (2·maxSegment ≤ length, and length − minSegment ≤ vocab distinct tokens)
 */
public record RepeatedSequences(int vocab, int length, int minSegment, int maxSegment) {

    public RepeatedSequences {
        if (minSegment < 2 || maxSegment < minSegment) {
            throw new IllegalArgumentException("segment lengths must satisfy 2 ≤ min ≤ max, found " + minSegment + ".." + maxSegment);
        }
        if (2 * maxSegment > length) {
            throw new IllegalArgumentException("two segments of length " + maxSegment + " do not fit in " + length + " tokens");
        }
        if (length - minSegment > vocab) {
            throw new IllegalArgumentException(length - minSegment + " distinct tokens are needed but the vocabulary has " + vocab);
        }
    }

    public RepeatedSequence draw(Random random) {
        int segment = minSegment + random.nextInt(maxSegment - minSegment + 1);
        int first = random.nextInt(length - 2 * segment + 1);
        int second = first + segment + random.nextInt(length - segment - (first + segment) + 1);
        int[] pool = new int[vocab];
        for (int i = 0; i < vocab; i++) pool[i] = i;
        int[] tokens = new int[length];
        int drawn = 0;
        for (int p = 0; p < length; p++) {
            if (p >= second && p < second + segment) {
                tokens[p] = tokens[first + p - second];
            } else {
                // partial Fisher–Yates: pool[drawn..] holds the tokens not used yet
                int j = drawn + random.nextInt(vocab - drawn);
                int t = pool[j];
                pool[j] = pool[drawn];
                pool[drawn] = t;
                tokens[p] = t;
                drawn++;
            }
        }
        return new RepeatedSequence(tokens, first, second, segment);
    }

    public List<RepeatedSequence> draw(Random random, int count) {
        List<RepeatedSequence> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(draw(random));
        return out;
    }

    /** Token rows of the sequences, for {@link dev.acdc.patching.model.ModelInput#of}. */
    public static int[][] tokens(List<RepeatedSequence> sequences) {
        return sequences.stream().map(RepeatedSequence::tokens).toArray(int[][]::new);
    }
}
