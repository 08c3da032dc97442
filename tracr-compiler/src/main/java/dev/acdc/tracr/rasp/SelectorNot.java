package dev.acdc.tracr.rasp;

import java.util.List;

/** The complement of a selector. */
public record SelectorNot(Selector inner, Annotations annotations) implements Selector {
    public SelectorNot {
        java.util.Objects.requireNonNull(inner); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(inner); }
    @Override public String kind() { return "SelectorNot"; }
    @Override public SelectorNot withAnnotations(Annotations a) { return new SelectorNot(inner, a); }
    @Override public String toString() { return label(); }
}
