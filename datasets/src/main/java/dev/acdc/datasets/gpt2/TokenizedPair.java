package dev.acdc.datasets.gpt2;

import java.util.Arrays;

/**
 * Token ids of a clean model input and its corrupted counterpart, of equal length, as the model
 * reads them (no special tokens unless the task says so). Arrays are copied in and out.
 */
public record TokenizedPair(int[] clean, int[] corrupted) {
    public TokenizedPair {
        if (clean.length != corrupted.length) {
            throw new IllegalArgumentException("clean and corrupted inputs must have the same length, got "
                    + clean.length + " and " + corrupted.length + ": " + Arrays.toString(clean) + " vs "
                    + Arrays.toString(corrupted));
        }
        clean = clean.clone();
        corrupted = corrupted.clone();
    }

    @Override
    public int[] clean() {
        return clean.clone();
    }

    @Override
    public int[] corrupted() {
        return corrupted.clone();
    }

    public int length() {
        return clean.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedPair p && Arrays.equals(clean, p.clean) && Arrays.equals(corrupted, p.corrupted);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(clean) + Arrays.hashCode(corrupted);
    }

    @Override
    public String toString() {
        return "TokenizedPair[clean=" + Arrays.toString(clean) + ", corrupted=" + Arrays.toString(corrupted) + "]";
    }
}
