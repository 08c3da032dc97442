package dev.acdc.tracr.rasp;

import java.util.List;

/** Elementwise {@code a·x + b·y}; compiled as a linear MLP when both inputs are numerical. */
public record LinearSequenceMap(SOp left, SOp right, double leftCoefficient, double rightCoefficient, Annotations annotations) implements SOp {
    public LinearSequenceMap {
        java.util.Objects.requireNonNull(left, "left"); java.util.Objects.requireNonNull(right, "right"); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(left, right); }
    @Override public String kind() { return "LinearSequenceMap"; }
    @Override public LinearSequenceMap withAnnotations(Annotations a) { return new LinearSequenceMap(left, right, leftCoefficient, rightCoefficient, a); }
    @Override public String toString() { return label(); }
}
