package dev.acdc.tracr.rasp;

import java.util.List;

/** Either selector selects. */
public record SelectorOr(Selector left, Selector right, Annotations annotations) implements Selector {
    public SelectorOr {
        java.util.Objects.requireNonNull(left); java.util.Objects.requireNonNull(right); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(left, right); }
    @Override public String kind() { return "SelectorOr"; }
    @Override public SelectorOr withAnnotations(Annotations a) { return new SelectorOr(left, right, a); }
    @Override public String toString() { return label(); }
}
