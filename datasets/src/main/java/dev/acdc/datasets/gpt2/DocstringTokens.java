package dev.acdc.datasets.gpt2;

import java.util.Arrays;

/**
 * One docstring prompt as the model reads it.
 *
 * @param inputs clean and {@code random_random} ids, BOS first
 * @param correctTokenId the first token of the correct answer
 * @param wrongTokenIds the first token of each wrong answer (13 for the ACDC settings)
 */
public record DocstringTokens(TokenizedPair inputs, int correctTokenId, int[] wrongTokenIds) {
    public DocstringTokens {
        wrongTokenIds = wrongTokenIds.clone();
    }

    @Override
    public int[] wrongTokenIds() {
        return wrongTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DocstringTokens t && inputs.equals(t.inputs) && correctTokenId == t.correctTokenId
                && Arrays.equals(wrongTokenIds, t.wrongTokenIds);
    }

    @Override
    public int hashCode() {
        return (inputs.hashCode() * 31 + correctTokenId) * 31 + Arrays.hashCode(wrongTokenIds);
    }

    @Override
    public String toString() {
        return "DocstringTokens[inputs=" + inputs + ", correctTokenId=" + correctTokenId + ", wrongTokenIds="
                + Arrays.toString(wrongTokenIds) + "]";
    }
}
