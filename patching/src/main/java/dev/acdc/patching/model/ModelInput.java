package dev.acdc.patching.model;

import java.util.Arrays;

/**
 * A batch of token sequences of equal length, with an optional mask of the key positions that
 * attention may read (false = padding, never attended to).
 *
 * @param tokens     [batch][pos] token ids
 * @param attendable [batch][pos], or null when every position is real
 */
public record ModelInput(int[][] tokens, boolean[][] attendable) {
    public ModelInput {
        if (tokens == null || tokens.length == 0) throw new IllegalArgumentException("a batch needs at least one sequence");
        int p = tokens[0].length;
        if (p == 0) throw new IllegalArgumentException("sequences must have at least one token");
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != p) {
                throw new IllegalArgumentException("sequence " + b + " has " + tokens[b].length
                        + " tokens, expected " + p + " (all rows of a batch have one length; pad them)");
            }
        }
        tokens = Arrays.stream(tokens).map(int[]::clone).toArray(int[][]::new);
        if (attendable != null) {
            if (attendable.length != tokens.length) {
                throw new IllegalArgumentException("attendable mask has " + attendable.length + " rows, expected " + tokens.length);
            }
            for (int b = 0; b < attendable.length; b++) {
                if (attendable[b].length != p) {
                    throw new IllegalArgumentException("attendable mask row " + b + " has " + attendable[b].length
                            + " entries, expected " + p);
                }
            }
            attendable = Arrays.stream(attendable).map(boolean[]::clone).toArray(boolean[][]::new);
        }
    }

    public static ModelInput of(int[][] tokens) {
        return new ModelInput(tokens, null);
    }

    public int batch() {
        return tokens.length;
    }

    public int length() {
        return tokens[0].length;
    }

    @Override
    public int[][] tokens() {
        return Arrays.stream(tokens).map(int[]::clone).toArray(int[][]::new);
    }

    /** Flat row-major ids, without copying each row twice. */
    int[] flatTokens() {
        int p = length();
        int[] flat = new int[tokens.length * p];
        for (int b = 0; b < tokens.length; b++) System.arraycopy(tokens[b], 0, flat, b * p, p);
        return flat;
    }

    boolean[][] attendableOrNull() {
        return attendable;
    }
}
