package dev.acdc.datasets.gpt2;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One docstring prompt: a Python method whose reST docstring documents its args in order; the model
 * should continue the last {@code :param} with the next matching arg.
 *
 * @param seed the CPython seed that generated it
 * @param cleanText the clean prompt (starts with a newline; no BOS)
 * @param corruptedTexts every corrupted variant, see {@link DocstringCorruption}
 * @param correctAnswer {@code " " + } the next arg
 * @param wrongAnswers {@code " " + } every other sampled arg name, in sampling order
 */
public record DocstringPrompt(
        int seed,
        String cleanText,
        Map<DocstringCorruption, String> corruptedTexts,
        String correctAnswer,
        List<String> wrongAnswers) {
    public DocstringPrompt {
        EnumMap<DocstringCorruption, String> copy = new EnumMap<>(DocstringCorruption.class);
        copy.putAll(corruptedTexts);
        if (copy.size() != DocstringCorruption.values().length) {
            throw new IllegalArgumentException("docstring prompt " + seed + " needs every corruption, got " + copy.keySet());
        }
        corruptedTexts = java.util.Collections.unmodifiableMap(copy);
        wrongAnswers = List.copyOf(wrongAnswers);
    }

    /** The corruption ACDC patches with, {@link DocstringCorruption#RANDOM_RANDOM}. */
    public String corruptedText() {
        return corruptedTexts.get(DocstringCorruption.RANDOM_RANDOM);
    }

    /** Clean and ACDC-corrupted text. */
    public PromptPair inputs() {
        return new PromptPair(cleanText, corruptedText());
    }
}
