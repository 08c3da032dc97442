package dev.acdc.tracr.rasp;

import java.util.List;

/** Both selectors select. */
public record SelectorAnd(Selector left, Selector right, Annotations annotations) implements Selector {
    public SelectorAnd {
        java.util.Objects.requireNonNull(left); java.util.Objects.requireNonNull(right); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(left, right); }
    @Override public String kind() { return "SelectorAnd"; }
    @Override public SelectorAnd withAnnotations(Annotations a) { return new SelectorAnd(left, right, a); }
    @Override public String toString() { return label(); }
}
