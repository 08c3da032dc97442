package dev.acdc.tracr.rasp;

import java.util.List;

/** Selects key position k for query position q when {@code predicate(keys[k], queries[q])}. */
public record Select(SOp keys, SOp queries, SelectPredicate predicate, Annotations annotations) implements Selector {
    public Select {
        java.util.Objects.requireNonNull(keys, "keys"); java.util.Objects.requireNonNull(queries, "queries"); java.util.Objects.requireNonNull(predicate, "predicate"); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(keys, queries); }
    @Override public String kind() { return "Select"; }
    @Override public Select withAnnotations(Annotations a) { return new Select(keys, queries, predicate, a); }
    @Override public String toString() { return label(); }
}
