package dev.acdc.tracr.rasp;

import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * The builder API: static factories that read like Tracr's Python.
 *
 * <pre>{@code
 * SOp length = selectorWidth(select(tokens(), tokens(), Comparison.TRUE)).named("length");
 * SOp oppIdx = map(x -> num(x) - 1, sub(length, indices())).named("opp_idx-1");
 * SOp reverse = aggregate(select(indices(), oppIdx, Comparison.EQ), tokens()).named("reverse");
 * }</pre>
 *
 * Functions receive normalized values ({@link Values}) and may return any value that normalizes
 * (booleans become 1/0). {@link #num(Object)} reads a number inside a lambda.
 */
public final class Rasp {
    private Rasp() {}

    private static final Tokens TOKENS = new Tokens(new Annotations("tokens", Encoding.CATEGORICAL, 0));
    private static final Indices INDICES = new Indices(new Annotations("indices", Encoding.CATEGORICAL, -1));

    /** The input tokens (one shared expression, label {@code tokens}). */
    public static Tokens tokens() { return TOKENS; }

    /** The positions 0..n-1 (one shared expression, label {@code indices}). */
    public static Indices indices() { return INDICES; }

    /** The number inside a normalized value (for lambdas). */
    public static double num(Object v) { return Values.toDouble(v); }

    public static RaspMap map(Function<Object, Object> f, SOp x) {
        return new RaspMap(f, x, Annotations.fresh("map"));
    }

    public static SequenceMap sequenceMap(BiFunction<Object, Object, Object> f, SOp x, SOp y) {
        return new SequenceMap(f, x, y, Annotations.fresh("sequence_map"));
    }

    public static LinearSequenceMap linearSequenceMap(SOp x, SOp y, double a, double b) {
        return new LinearSequenceMap(x, y, a, b, Annotations.fresh("linear_sequence_map"));
    }

    /** The constant SOp (Tracr's {@code Full}). */
    public static Full full(Object value) {
        return new Full(value, Annotations.fresh("full"));
    }

    /** Alias of {@link #full(Object)}. */
    public static Full constant(Object value) {
        return full(value);
    }

    public static Select select(SOp keys, SOp queries, SelectPredicate predicate) {
        return new Select(keys, queries, predicate, Annotations.fresh("select"));
    }

    /** A select with a custom predicate {@code p(key, query)}; {@code name} appears in messages. */
    public static Select select(SOp keys, SOp queries, String name, BiPredicate<Object, Object> p) {
        return select(keys, queries, new CustomPredicate(name, p));
    }

    /** Aggregate with default None (categorical use). */
    public static Aggregate aggregate(Selector selector, SOp sop) {
        return aggregate(selector, sop, null);
    }

    public static Aggregate aggregate(Selector selector, SOp sop, Object defaultValue) {
        return new Aggregate(selector, sop, defaultValue, Annotations.fresh("aggregate"));
    }

    public static SelectorWidth selectorWidth(Selector selector) {
        return new SelectorWidth(selector, Annotations.fresh("selector_width"));
    }

    /** The same SOp annotated numerical (a fresh expression). */
    @SuppressWarnings("unchecked")
    public static <T extends SOp> T numerical(T sop) {
        return (T) sop.withAnnotations(sop.annotations().withEncoding(Encoding.NUMERICAL));
    }

    @SuppressWarnings("unchecked")
    public static <T extends SOp> T categorical(T sop) {
        return (T) sop.withAnnotations(sop.annotations().withEncoding(Encoding.CATEGORICAL));
    }

    // selector algebra

    public static Selector and(Selector a, Selector b) { return new SelectorAnd(a, b, Annotations.fresh("selector_and")); }

    public static Selector or(Selector a, Selector b) { return new SelectorOr(a, b, Annotations.fresh("selector_or")); }

    public static Selector not(Selector a) { return new SelectorNot(a, Annotations.fresh("selector_not")); }

    // SOp operators, as Tracr's Python operator overloads build them

    /** {@code sop == value} (a categorical Map to 1/0). */
    public static RaspMap eq(SOp sop, Object value) {
        Object v = Values.normalize(value);
        return map(x -> Values.equal(x, v), sop);
    }

    /** {@code sop < value}. */
    public static RaspMap lt(SOp sop, Object value) {
        Object v = Values.normalize(value);
        return map(x -> Values.ORDER.compare(x, v) < 0, sop);
    }

    /** {@code x and y} (Python truthiness; result 1/0). */
    public static SequenceMap and(SOp x, SOp y) {
        return sequenceMap((a, b) -> Values.truthy(a) && Values.truthy(b), x, y);
    }

    /** {@code x or y}. */
    public static SequenceMap or(SOp x, SOp y) {
        return sequenceMap((a, b) -> Values.truthy(a) || Values.truthy(b), x, y);
    }

    /** {@code not x}. */
    public static RaspMap not(SOp x) {
        return map(a -> !Values.truthy(a), x);
    }

    /** {@code x + c}. */
    public static RaspMap add(SOp x, double c) {
        return map(a -> num(a) + c, x);
    }

    /** {@code c * x}. */
    public static RaspMap mul(SOp x, double c) {
        return map(a -> c * num(a), x);
    }

    /** {@code x - y} as a SequenceMap. */
    public static SequenceMap sub(SOp x, SOp y) {
        return sequenceMap((a, b) -> num(a) - num(b), x, y);
    }

    /** {@code x + y} as a SequenceMap. */
    public static SequenceMap add(SOp x, SOp y) {
        return sequenceMap((a, b) -> num(a) + num(b), x, y);
    }
}
