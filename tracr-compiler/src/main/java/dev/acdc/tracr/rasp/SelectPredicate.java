package dev.acdc.tracr.rasp;

/**
 * A select predicate, evaluated as {@code test(key, query)} on normalized values: {@link Comparison#LT}
 * means key &lt; query, as in Tracr.
 */
public sealed interface SelectPredicate permits Comparison, CustomPredicate {
    boolean test(Object key, Object query);

    String name();
}
