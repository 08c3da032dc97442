package dev.acdc.tracr.rasp;

import java.util.List;

/** For each query position, the number of selected keys. */
public record SelectorWidth(Selector selector, Annotations annotations) implements SOp {
    public SelectorWidth {
        java.util.Objects.requireNonNull(selector, "selector"); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(selector); }
    @Override public String kind() { return "SelectorWidth"; }
    @Override public SelectorWidth withAnnotations(Annotations a) { return new SelectorWidth(selector, a); }
    @Override public String toString() { return label(); }
}
