package dev.acdc.patching.model;

import ai.djl.ndarray.NDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every activation of one forward pass by hook name, plus the logits. The arrays belong to the
 * {@code NDManager} scope the pass ran in; they die with it.
 */
public final class ActivationCache {
    private final Map<String, NDArray> activations;
    private final NDArray logits;

    ActivationCache(Map<String, NDArray> activations, NDArray logits) {
        this.activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
        this.logits = logits;
    }

    /** The activation of that hook; throws naming the hook and what exists when absent. */
    public NDArray get(String hookName) {
        NDArray a = activations.get(hookName);
        if (a == null) {
            throw new IllegalArgumentException("no activation cached for hook '" + hookName + "'; cached hooks: "
                    + activations.keySet());
        }
        return a;
    }

    public boolean contains(String hookName) {
        return activations.containsKey(hookName);
    }

    public Set<String> hookNames() {
        return activations.keySet();
    }

    /** Logits [batch, pos, vocab out]. */
    public NDArray logits() {
        return logits;
    }
}
