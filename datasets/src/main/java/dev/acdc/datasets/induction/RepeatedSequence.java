package dev.acdc.datasets.induction;

import java.util.Arrays;

/**
 * One training or task sequence: distinct random tokens except for one segment that occurs twice.
 *
 * <p>Tokens are distinct outside the repeat, so the only way to predict a next token better than chance is
 * induction: at position p inside the second occurrence, find where token[p] occurred before and copy the token
 * that followed it.
 *
 * @param tokens       the sequence
 * @param firstStart   where the segment first occurs
 * @param secondStart  where it occurs again ({@code ≥ firstStart + segmentLength})
 * @param segmentLength how many tokens the segment has (≥ 2, so at least one next token is predictable)
 */
public record RepeatedSequence(int[] tokens, int firstStart, int secondStart, int segmentLength) {

    public RepeatedSequence {
        tokens = tokens.clone();
        if (segmentLength < 2) throw new IllegalArgumentException("segment length must be ≥ 2, found " + segmentLength);
        if (firstStart < 0 || secondStart < firstStart + segmentLength || secondStart + segmentLength > tokens.length) {
            throw new IllegalArgumentException("segment of length " + segmentLength + " at " + firstStart + " and "
                    + secondStart + " does not fit twice, in order and without overlap, in " + tokens.length + " tokens");
        }
        for (int i = 0; i < segmentLength; i++) {
            if (tokens[firstStart + i] != tokens[secondStart + i]) {
                throw new IllegalArgumentException("position " + (secondStart + i) + " does not repeat position " + (firstStart + i));
            }
        }
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    /**
     * True when the token after position p is predictable by induction: p lies in the second occurrence and
     * p + 1 does too.
     */
    public boolean predictable(int p) {
        return p >= secondStart && p < secondStart + segmentLength - 1;
    }

    /** The same test for the first occurrence: positions whose next token is the segment's, seen for the first time. */
    public boolean firstOccurrence(int p) {
        return p >= firstStart && p < firstStart + segmentLength - 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RepeatedSequence r && Arrays.equals(tokens, r.tokens) && firstStart == r.firstStart
                && secondStart == r.secondStart && segmentLength == r.segmentLength;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + 7 * firstStart + 3 * secondStart + segmentLength;
    }

    @Override
    public String toString() {
        return "RepeatedSequence" + Arrays.toString(tokens) + " segment " + segmentLength + " at " + firstStart + " and " + secondStart;
    }
}
