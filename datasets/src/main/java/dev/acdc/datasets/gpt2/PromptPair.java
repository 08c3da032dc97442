package dev.acdc.datasets.gpt2;

import java.util.Objects;

/**
 * A clean model input and its corrupted counterpart, as text. The model reads both; patching swaps
 * activations between them.
 */
public record PromptPair(String clean, String corrupted) {
    public PromptPair {
        Objects.requireNonNull(clean, "clean");
        Objects.requireNonNull(corrupted, "corrupted");
    }
}
