package dev.acdc.tracr.rasp;

import java.util.List;

/** The input tokens; label {@code tokens}. Use {@link Rasp#tokens()}. */
public record Tokens(Annotations annotations) implements SOp {
    public Tokens {
        java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(); }
    @Override public String kind() { return "tokens"; }
    @Override public Tokens withAnnotations(Annotations a) { return new Tokens(a); }
    @Override public String toString() { return label(); }
}
