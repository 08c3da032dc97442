package dev.acdc.tracr.compiler;

import dev.acdc.tracr.craft.Discretisation;

/**
 * Knobs of the constructions.
 *
 * @param softmaxColdness factor on every attention score (Tracr's default 100): large enough that a
 *                        selected key outweighs BOS and an unselected key by e^{-50}
 * @param discretisation  slopes of numerical MLPs ({@link Discretisation#DEFAULT}: chosen from value gaps)
 */
public record CompilerOptions(double softmaxColdness, Discretisation discretisation) {
    public static final CompilerOptions DEFAULT = new CompilerOptions(100, Discretisation.DEFAULT);

    public CompilerOptions {
        if (!(softmaxColdness > 0)) throw new IllegalArgumentException("softmaxColdness must be > 0, found " + softmaxColdness);
        if (discretisation == null) throw new IllegalArgumentException("discretisation must be set");
    }

    public CompilerOptions withDiscretisation(Discretisation d) {
        return new CompilerOptions(softmaxColdness, d);
    }
}
