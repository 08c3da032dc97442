package dev.acdc.tracr.rasp;

import java.util.List;
import java.util.function.BiFunction;
/** Elementwise {@code f(x, y)} of two SOps; None in either argument gives None. */
public record SequenceMap(BiFunction<Object, Object, Object> f, SOp left, SOp right, Annotations annotations) implements SOp {
    public SequenceMap {
        java.util.Objects.requireNonNull(f, "f"); java.util.Objects.requireNonNull(left, "left"); java.util.Objects.requireNonNull(right, "right"); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(left, right); }
    @Override public String kind() { return "SequenceMap"; }
    @Override public SequenceMap withAnnotations(Annotations a) { return new SequenceMap(f, left, right, a); }
    @Override public String toString() { return label(); }
}
