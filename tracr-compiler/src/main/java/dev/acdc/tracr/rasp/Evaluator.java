package dev.acdc.tracr.rasp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference semantics of RASP (non-causal, as Tracr's evaluator).
 *
 * <ul>
 *   <li>None (null) passes through Map, SequenceMap and LinearSequenceMap without calling the function;</li>
 *   <li>Aggregate returns its default where nothing is selected, the element where exactly one key is,
 *       the mean of the selected values for a numerical aggregate, and throws
 *       {@link RaspEvaluationException} for a categorical aggregate that selects more than one key;</li>
 *   <li>a Select never selects a key or a query that is None, whatever the predicate (None has no
 *       direction in a compiled model's residual stream, so no head could match it; Tracr's evaluator
 *       compared None like a value);</li>
 *   <li>every value is normalized ({@link Values}).</li>
 * </ul>
 * Shared sub-expressions are evaluated once per call (memoized by identity).
 */
public final class Evaluator {
    private final List<Object> input;
    private final Map<RaspExpr, Object> memo = new IdentityHashMap<>();

    private Evaluator(List<?> input) {
        List<Object> in = new ArrayList<>(input.size());
        for (Object o : input) in.add(Values.normalize(o));
        this.input = Collections.unmodifiableList(in);
    }

    /** The value of {@code sop} on {@code input}, one value per position. */
    public static List<Object> evaluate(SOp sop, List<?> input) {
        return new Evaluator(input).sop(sop);
    }

    /** The selection matrix [query][key] of {@code selector} on {@code input}. */
    public static boolean[][] evaluate(Selector selector, List<?> input) {
        return new Evaluator(input).selector(selector);
    }

    @SuppressWarnings("unchecked")
    private List<Object> sop(SOp e) {
        Object cached = memo.get(e);
        if (cached != null) return (List<Object>) cached;
        List<Object> v = Collections.unmodifiableList(computeSop(e));
        memo.put(e, v);
        return v;
    }

    private boolean[][] selector(Selector e) {
        Object cached = memo.get(e);
        if (cached != null) return (boolean[][]) cached;
        boolean[][] v = computeSelector(e);
        memo.put(e, v);
        return v;
    }

    private List<Object> computeSop(SOp e) {
        int n = input.size();
        List<Object> out = new ArrayList<>(n);
        if (e instanceof Tokens) {
            out.addAll(input);
        } else if (e instanceof Indices) {
            for (int i = 0; i < n; i++) out.add(i);
        } else if (e instanceof Full f) {
            for (int i = 0; i < n; i++) out.add(f.value());
        } else if (e instanceof RaspMap m) {
            for (Object x : sop(m.inner())) out.add(x == null ? null : apply(e, () -> m.f().apply(x)));
        } else if (e instanceof SequenceMap m) {
            List<Object> xs = sop(m.left()), ys = sop(m.right());
            for (int i = 0; i < n; i++) {
                Object x = xs.get(i), y = ys.get(i);
                out.add(x == null || y == null ? null : apply(e, () -> m.f().apply(x, y)));
            }
        } else if (e instanceof LinearSequenceMap m) {
            List<Object> xs = sop(m.left()), ys = sop(m.right());
            for (int i = 0; i < n; i++) {
                Object x = xs.get(i), y = ys.get(i);
                out.add(x == null || y == null ? null : apply(e, () ->
                        m.leftCoefficient() * Values.toDouble(x) + m.rightCoefficient() * Values.toDouble(y)));
            }
        } else if (e instanceof Aggregate a) {
            boolean[][] sel = selector(a.selector());
            List<Object> vs = sop(a.sop());
            for (int q = 0; q < n; q++) out.add(aggregateAt(a, sel[q], vs, q));
        } else if (e instanceof SelectorWidth w) {
            boolean[][] sel = selector(w.selector());
            for (int q = 0; q < n; q++) {
                int c = 0;
                for (boolean b : sel[q]) if (b) c++;
                out.add(c);
            }
        } else {
            throw new IllegalStateException("evaluator does not handle SOp kind " + e.kind());
        }
        return out;
    }

    private Object aggregateAt(Aggregate a, boolean[] selected, List<Object> vs, int q) {
        List<Object> chosen = new ArrayList<>();
        for (int k = 0; k < selected.length; k++) if (selected[k]) chosen.add(vs.get(k));
        if (chosen.isEmpty()) return a.defaultValue();
        if (a.isNumerical()) {
            double sum = 0;
            for (Object v : chosen) {
                if (!Values.isNumber(v)) {
                    throw new RaspEvaluationException(a.label(), "numerical aggregate at query position " + q
                            + " selected the non-numerical value " + Values.describe(v), null);
                }
                sum += Values.toDouble(v);
            }
            return Values.normalize(sum / chosen.size());
        }
        if (chosen.size() > 1) {
            throw new RaspEvaluationException(a.label(), "categorical aggregate selects " + chosen.size()
                    + " keys at query position " + q + " (values " + chosen + "); a categorical aggregate must select at most one"
                    + " key: make the selector unique or annotate the aggregate numerical", null);
        }
        return chosen.get(0);
    }

    private boolean[][] computeSelector(Selector e) {
        int n = input.size();
        boolean[][] m = new boolean[n][n];
        if (e instanceof Select s) {
            List<Object> keys = sop(s.keys()), queries = sop(s.queries());
            for (int q = 0; q < n; q++) {
                for (int k = 0; k < n; k++) {
                    final int kk = k, qq = q;
                    m[q][k] = test(s, keys.get(kk), queries.get(qq));
                }
            }
        } else if (e instanceof SelectorAnd s) {
            boolean[][] a = selector(s.left()), b = selector(s.right());
            for (int q = 0; q < n; q++) for (int k = 0; k < n; k++) m[q][k] = a[q][k] && b[q][k];
        } else if (e instanceof SelectorOr s) {
            boolean[][] a = selector(s.left()), b = selector(s.right());
            for (int q = 0; q < n; q++) for (int k = 0; k < n; k++) m[q][k] = a[q][k] || b[q][k];
        } else if (e instanceof SelectorNot s) {
            boolean[][] a = selector(s.inner());
            for (int q = 0; q < n; q++) for (int k = 0; k < n; k++) m[q][k] = !a[q][k];
        } else {
            throw new IllegalStateException("evaluator does not handle selector kind " + e.kind());
        }
        return m;
    }

    private static boolean test(Select s, Object key, Object query) {
        if (key == null || query == null) return false;
        try {
            return s.predicate().test(key, query);
        } catch (RuntimeException ex) {
            throw new RaspEvaluationException(s.label(), "predicate " + s.predicate().name() + " failed on key "
                    + Values.describe(key) + ", query " + Values.describe(query) + ": " + ex.getMessage(), ex);
        }
    }

    private static Object apply(RaspExpr e, java.util.function.Supplier<Object> f) {
        try {
            return Values.normalize(f.get());
        } catch (RaspEvaluationException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw new RaspEvaluationException(e.label(), e.kind() + " function failed: " + ex.getMessage(), ex);
        }
    }
}
