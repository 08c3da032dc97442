package dev.acdc.patching.load;

import java.util.List;

/** Text ↔ token ids, as a model's own tokenizer does it (no special tokens added). */
public interface TextTokenizer extends AutoCloseable {
    int[] encode(String text);

    String decode(int[] ids);

    /** The string of a single token id, as the vocabulary spells it decoded (e.g. {@code " Mary"}). */
    String tokenString(int id);

    /** Every id, in order, for a batch of texts. */
    default List<int[]> encodeAll(List<String> texts) {
        return texts.stream().map(this::encode).toList();
    }

    @Override
    default void close() {}
}
