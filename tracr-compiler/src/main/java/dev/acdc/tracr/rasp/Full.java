package dev.acdc.tracr.rasp;

import java.util.List;

/** The constant SOp: {@code value} at every position (Tracr's Full / ConstantSOp). */
public record Full(Object value, Annotations annotations) implements SOp {
    public Full {
        value = Values.normalize(value); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(); }
    @Override public String kind() { return "Full"; }
    @Override public Full withAnnotations(Annotations a) { return new Full(value, a); }
    @Override public String toString() { return label(); }
}
