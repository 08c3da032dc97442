package dev.acdc.tracr.rasp;

import java.util.function.BiPredicate;

/** A user predicate on (key, query) with a name for messages and labels. */
public record CustomPredicate(String name, BiPredicate<Object, Object> predicate) implements SelectPredicate {
    public CustomPredicate {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a custom predicate needs a name");
        if (predicate == null) throw new IllegalArgumentException("predicate must be set");
    }

    @Override
    public boolean test(Object key, Object query) {
        return predicate.test(Values.normalize(key), Values.normalize(query));
    }

    @Override
    public String toString() {
        return name;
    }
}
