package dev.acdc.tracr.craft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A vector space with a labelled basis, kept sorted by (name, value) and free of duplicates. */
public final class VectorSpace {
    private final List<BasisDirection> basis;
    private final Map<BasisDirection, Integer> index = new HashMap<>();

    public VectorSpace(Collection<BasisDirection> directions) {
        this.basis = Collections.unmodifiableList(new ArrayList<>(new TreeSet<>(directions)));
        for (int i = 0; i < basis.size(); i++) index.put(basis.get(i), i);
    }

    public static VectorSpace of(BasisDirection... directions) {
        return new VectorSpace(List.of(directions));
    }

    /** The union of spaces, sorted. */
    public static VectorSpace join(Collection<VectorSpace> spaces) {
        List<BasisDirection> all = new ArrayList<>();
        for (VectorSpace s : spaces) all.addAll(s.basis);
        return new VectorSpace(all);
    }

    public static VectorSpace join(VectorSpace... spaces) {
        return join(List.of(spaces));
    }

    public List<BasisDirection> basis() {
        return basis;
    }

    public int dim() {
        return basis.size();
    }

    public boolean contains(BasisDirection d) {
        return index.containsKey(d);
    }

    /** The coordinate of a direction; throws naming the direction and the space when absent. */
    public int indexOf(BasisDirection d) {
        Integer i = index.get(d);
        if (i == null) throw new IllegalArgumentException("direction " + d + " is not in the space " + basis);
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorSpace v && v.basis.equals(basis);
    }

    @Override
    public int hashCode() {
        return basis.hashCode();
    }

    @Override
    public String toString() {
        return basis.toString();
    }
}
