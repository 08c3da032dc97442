package dev.acdc.patching.model;

import java.util.Objects;

/**
 * A hook on one named activation for one forward pass: it reads the activation and returns it, or
 * returns a replacement of the same shape. Hooks are passed per call, never installed globally, so
 * they cannot outlive the pass they were meant for.
 *
 * @param name     a name from {@link HookNames}
 * @param function what to do with the activation
 */
public record Hook(String name, HookFunction function) {
    public Hook {
        Objects.requireNonNull(name, "hook name");
        Objects.requireNonNull(function, "hook function");
    }

    /** Reads or replaces an activation. */
    @FunctionalInterface
    public interface HookFunction {
        /**
         * @param activation the activation, owned by the forward pass's scope
         * @return the activation itself, or a replacement of the same shape
         */
        ai.djl.ndarray.NDArray apply(ai.djl.ndarray.NDArray activation);
    }
}
