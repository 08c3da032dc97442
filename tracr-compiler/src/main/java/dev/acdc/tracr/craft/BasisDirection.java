package dev.acdc.tracr.craft;

import dev.acdc.tracr.rasp.Values;

import java.util.Comparator;

/**
 * One labelled direction of the residual stream: an SOp's name and, for categorical SOps, one of its
 * values ({@code null} for numerical SOps and for the special directions). Sorted by (name, value).
 */
public record BasisDirection(String name, Object value) implements Comparable<BasisDirection> {
    /** 1 at every position: carries biases and the query side of the BOS trick. */
    public static final BasisDirection ONE = new BasisDirection("one", null);
    /** 1 only at the BOS position (position 0). */
    public static final BasisDirection BOS = new BasisDirection("bos", null);
    /** 1 only at PAD positions; heads use it to mask PAD keys. */
    public static final BasisDirection PAD = new BasisDirection("pad", null);

    private static final Comparator<BasisDirection> ORDER =
            Comparator.comparing(BasisDirection::name).thenComparing(BasisDirection::value, Values.ORDER);

    public BasisDirection {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a basis direction needs a name");
        value = Values.normalize(value);
    }

    public BasisDirection(String name) {
        this(name, null);
    }

    @Override
    public int compareTo(BasisDirection o) {
        return ORDER.compare(this, o);
    }

    /** {@code name} or {@code name:value}, the residual label. */
    @Override
    public String toString() {
        return value == null ? name : name + ":" + value;
    }
}
