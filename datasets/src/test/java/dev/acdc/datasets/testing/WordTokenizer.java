package dev.acdc.datasets.testing;

import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Test-only tokenizer: one token per space-separated word, ids assigned on first sight. */
public final class WordTokenizer implements TextTokenizer {
    private final List<String> vocab = new ArrayList<>();

    @Override
    public int[] encode(String text) {
        return Arrays.stream(text.split(" ")).filter(w -> !w.isEmpty()).mapToInt(this::id).toArray();
    }

    private int id(String word) {
        int i = vocab.indexOf(word);
        if (i >= 0) return i;
        vocab.add(word);
        return vocab.size() - 1;
    }

    @Override
    public String decode(int[] ids) {
        return Arrays.stream(ids).mapToObj(vocab::get).collect(Collectors.joining(" "));
    }

    @Override
    public String tokenString(int id) {
        return vocab.get(id);
    }
}
