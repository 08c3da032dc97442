package dev.acdc.tracr.rasp;

/** A selector: a boolean matrix over (query position, key position). */
public sealed interface Selector extends RaspExpr permits Select, SelectorAnd, SelectorOr, SelectorNot {
    Selector withAnnotations(Annotations annotations);

    default Selector named(String name) {
        return withAnnotations(annotations().withName(name));
    }
}
