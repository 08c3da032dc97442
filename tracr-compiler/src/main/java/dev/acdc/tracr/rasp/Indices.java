package dev.acdc.tracr.rasp;

import java.util.List;

/** The positions 0..n-1 of the input; label {@code indices}. Use {@link Rasp#indices()}. */
public record Indices(Annotations annotations) implements SOp {
    public Indices {
        java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(); }
    @Override public String kind() { return "indices"; }
    @Override public Indices withAnnotations(Annotations a) { return new Indices(a); }
    @Override public String toString() { return label(); }
}
