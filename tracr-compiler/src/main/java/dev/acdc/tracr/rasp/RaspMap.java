package dev.acdc.tracr.rasp;

import java.util.List;
import java.util.function.Function;
/** Elementwise {@code f(x)}; None passes through without calling f. */
public record RaspMap(Function<Object, Object> f, SOp inner, Annotations annotations) implements SOp {
    public RaspMap {
        java.util.Objects.requireNonNull(f, "f"); java.util.Objects.requireNonNull(inner, "inner"); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(inner); }
    @Override public String kind() { return "Map"; }
    @Override public RaspMap withAnnotations(Annotations a) { return new RaspMap(f, inner, a); }
    @Override public String toString() { return label(); }
}
