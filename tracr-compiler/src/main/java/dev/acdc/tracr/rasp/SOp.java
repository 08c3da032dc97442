package dev.acdc.tracr.rasp;

/** A sequence operation: maps an input sequence to a sequence of values of the same length. */
public sealed interface SOp extends RaspExpr
        permits Tokens, Indices, RaspMap, SequenceMap, LinearSequenceMap, Full, Aggregate, SelectorWidth {

    /** A copy of this SOp with new annotations. */
    SOp withAnnotations(Annotations annotations);

    default Encoding encoding() {
        return annotations().encoding();
    }

    default boolean isNumerical() {
        return encoding() == Encoding.NUMERICAL;
    }

    default boolean isCategorical() {
        return encoding() == Encoding.CATEGORICAL;
    }

    /** This SOp under a new name (a fresh expression, as in Tracr). */
    default SOp named(String name) {
        return withAnnotations(annotations().withName(name));
    }
}
