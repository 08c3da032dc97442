package dev.acdc.tracr.rasp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * RASP values and their equality.
 *
 * <p>Tracr relies on Python's {@code 1 == 1.0 == True}. We make that explicit with one canonical form,
 * applied to every value that enters or leaves a RASP function:
 * <ul>
 *   <li>{@code null} is RASP's {@code None};</li>
 *   <li>booleans become the integers 1 and 0 ({@code True == 1});</li>
 *   <li>numbers are rounded to a grid of 1e-9 (so {@code 0.1 + 0.2 == 0.3} and a mean computed in two
 *       orders is one value); a number on an integer point becomes an {@link Integer} ({@code 1.0 == 1}),
 *       any other a {@link Double};</li>
 *   <li>characters become one-character strings; strings stay strings ({@code "1" != 1});</li>
 *   <li>lists (tuples) become unmodifiable lists of normalized values.</li>
 * </ul>
 * After normalization, Java {@code equals} is RASP equality and {@link #ORDER} is the total order used
 * to sort value sets and basis directions: null, then numbers by value, then strings, then lists.
 */
public final class Values {
    private Values() {}

    private static final double GRID = 1e9;

    /** The canonical form of a value (see the class comment). */
    public static Object normalize(Object v) {
        if (v == null) return null;
        if (v instanceof Boolean b) return b ? 1 : 0;
        if (v instanceof Integer) return v;
        if (v instanceof Character c) return String.valueOf(c);
        if (v instanceof String) return v;
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("RASP values must be finite numbers, found " + d);
            }
            double r = Math.abs(d) < 1e6 ? Math.round(d * GRID) / GRID : d;
            if (r == Math.rint(r) && Math.abs(r) <= Integer.MAX_VALUE) return (int) r;
            return r == 0.0 ? 0 : r;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(normalize(o));
            return Collections.unmodifiableList(out);
        }
        throw new IllegalArgumentException("unsupported RASP value type " + v.getClass().getName() + ": " + v);
    }

    /** True for a normalized number. */
    public static boolean isNumber(Object v) {
        return v instanceof Integer || v instanceof Double;
    }

    /** The numeric value; throws naming the value when it is not a number. */
    public static double toDouble(Object v) {
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("expected a number, found " + describe(v));
    }

    /** Python truthiness of a normalized value (used by {@code and}, {@code or}, {@code not}). */
    public static boolean truthy(Object v) {
        if (v == null) return false;
        if (v instanceof Number n) return n.doubleValue() != 0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof List<?> l) return !l.isEmpty();
        return true;
    }

    /** Normalized RASP equality. */
    public static boolean equal(Object a, Object b) {
        Object na = normalize(a), nb = normalize(b);
        return na == null ? nb == null : na.equals(nb);
    }

    /** A short description with the type, for error messages. */
    public static String describe(Object v) {
        if (v == null) return "None";
        if (v instanceof String s) return "\"" + s + "\"";
        return v.toString();
    }

    /** Total order on normalized values: null, numbers, strings, lists (lexicographic). */
    public static final Comparator<Object> ORDER = Values::compare;

    private static int rank(Object v) {
        if (v == null) return 0;
        if (v instanceof Number) return 1;
        if (v instanceof String) return 2;
        if (v instanceof List) return 3;
        return 4;
    }

    private static int compare(Object a, Object b) {
        int ra = rank(a), rb = rank(b);
        if (ra != rb) return Integer.compare(ra, rb);
        switch (ra) {
            case 0: return 0;
            case 1: return Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
            case 2: return ((String) a).compareTo((String) b);
            case 3: {
                List<?> la = (List<?>) a, lb = (List<?>) b;
                for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                    int c = compare(la.get(i), lb.get(i));
                    if (c != 0) return c;
                }
                return Integer.compare(la.size(), lb.size());
            }
            default: return a.toString().compareTo(b.toString());
        }
    }
}
