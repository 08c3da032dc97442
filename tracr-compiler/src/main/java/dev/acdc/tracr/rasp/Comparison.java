package dev.acdc.tracr.rasp;

/**
 * The built-in comparisons of {@code Select}, evaluated as {@code predicate(key, query)}. Order
 * comparisons use {@link Values#ORDER}, so they work on numbers and on strings.
 */
public enum Comparison implements SelectPredicate {
    EQ, LT, LEQ, GT, GEQ, NEQ, TRUE, FALSE;

    @Override
    public boolean test(Object key, Object query) {
        switch (this) {
            case TRUE: return true;
            case FALSE: return false;
            case EQ: return Values.equal(key, query);
            case NEQ: return !Values.equal(key, query);
            default: break;
        }
        if (key == null || query == null) return false;
        int c = Values.ORDER.compare(Values.normalize(key), Values.normalize(query));
        switch (this) {
            case LT: return c < 0;
            case LEQ: return c <= 0;
            case GT: return c > 0;
            case GEQ: return c >= 0;
            default: throw new IllegalStateException("unhandled comparison " + this);
        }
    }
}
