package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Select;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.Selector;
import dev.acdc.tracr.rasp.SelectorAnd;
import dev.acdc.tracr.rasp.SelectorNot;
import dev.acdc.tracr.rasp.SelectorOr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * A selector as one head sees it: keys, queries and a predicate(key, query). And/or/not of selects
 * over the same keys and queries fold into one predicate; over different SOps they would need a product
 * space, which the compiler does not build.
 */
public final class SelectorLogic {
    private SelectorLogic() {}

    /** A flattened selector. */
    public record Flat(SOp keys, SOp queries, BiPredicate<Object, Object> predicate) {}

    /** Every Select leaf of a selector. */
    public static List<Select> leaves(Selector s) {
        List<Select> out = new ArrayList<>();
        collect(s, out);
        return out;
    }

    private static void collect(Selector s, List<Select> out) {
        if (s instanceof Select sel) out.add(sel);
        else if (s instanceof SelectorAnd a) { collect(a.left(), out); collect(a.right(), out); }
        else if (s instanceof SelectorOr o) { collect(o.left(), out); collect(o.right(), out); }
        else if (s instanceof SelectorNot n) collect(n.inner(), out);
        else throw new IllegalStateException("unhandled selector kind " + s.kind());
    }

    /** True when every leaf uses the same keys and the same queries (so one head can implement it). */
    public static boolean isFlattenable(Selector s) {
        List<Select> ls = leaves(s);
        for (Select l : ls) {
            if (l.keys() != ls.get(0).keys() || l.queries() != ls.get(0).queries()) return false;
        }
        return true;
    }

    public static Flat flatten(Selector s) {
        if (!isFlattenable(s)) throw new IllegalArgumentException("selector " + s.label() + " combines selects over different SOps");
        Select first = leaves(s).get(0);
        return new Flat(first.keys(), first.queries(), predicate(s));
    }

    private static BiPredicate<Object, Object> predicate(Selector s) {
        if (s instanceof Select sel) return (k, q) -> sel.predicate().test(k, q);
        if (s instanceof SelectorAnd a) return predicate(a.left()).and(predicate(a.right()));
        if (s instanceof SelectorOr o) return predicate(o.left()).or(predicate(o.right()));
        if (s instanceof SelectorNot n) return predicate(n.inner()).negate();
        throw new IllegalStateException("unhandled selector kind " + s.kind());
    }
}
