package dev.acdc.tracr.rasp;

import java.util.List;

/**
 * A RASP expression: a sequence operation ({@link SOp}) or a selector ({@link Selector}).
 *
 * <p>Expressions are compared by identity in the compiler (the graph is keyed by {@link #label()});
 * records here never need structural equality, and {@code toString} is the label so that printing a
 * deep program stays cheap.
 */
public sealed interface RaspExpr permits SOp, Selector {
    Annotations annotations();

    /** The direct sub-expressions, in argument order. */
    List<RaspExpr> children();

    /** The name used in the graph, the residual labels and error messages. */
    default String label() {
        return annotations().name();
    }

    /** The constructor's name, for messages ({@code Map}, {@code Aggregate}, ...). */
    String kind();
}
