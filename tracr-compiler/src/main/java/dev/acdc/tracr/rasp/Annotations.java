package dev.acdc.tracr.rasp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The annotations of an expression: its name (the label used in the graph and the residual stream),
 * its encoding and a process-unique id. Annotating returns a new expression with a fresh id, as in
 * Tracr, so the original stays usable.
 */
public record Annotations(String name, Encoding encoding, long id) {
    private static final AtomicLong IDS = new AtomicLong();

    public Annotations {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("an expression name must be non-empty");
        if (encoding == null) throw new IllegalArgumentException("encoding must be set");
    }

    /** Fresh annotations for a new expression of the given kind: name {@code kind_id}, categorical. */
    public static Annotations fresh(String kind) {
        long id = IDS.incrementAndGet();
        return new Annotations(kind + "_" + id, Encoding.CATEGORICAL, id);
    }

    public Annotations withName(String newName) {
        return new Annotations(newName, encoding, IDS.incrementAndGet());
    }

    public Annotations withEncoding(Encoding newEncoding) {
        return new Annotations(name, newEncoding, IDS.incrementAndGet());
    }
}
