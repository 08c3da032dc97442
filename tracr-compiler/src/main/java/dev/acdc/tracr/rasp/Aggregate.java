package dev.acdc.tracr.rasp;

import java.util.List;

/** For each query position, the value of {@code sop} at the selected key: the default when none is selected, the element when one is, the mean for a numerical aggregate; a categorical aggregate that selects more than one position is an error. */
public record Aggregate(Selector selector, SOp sop, Object defaultValue, Annotations annotations) implements SOp {
    public Aggregate {
        java.util.Objects.requireNonNull(selector, "selector"); java.util.Objects.requireNonNull(sop, "sop"); defaultValue = Values.normalize(defaultValue); java.util.Objects.requireNonNull(annotations);
    }

    @Override public List<RaspExpr> children() { return List.of(selector, sop); }
    @Override public String kind() { return "Aggregate"; }
    @Override public Aggregate withAnnotations(Annotations a) { return new Aggregate(selector, sop, defaultValue, a); }
    @Override public String toString() { return label(); }
}
