package dev.acdc.patching.graph;

import java.util.Objects;

/**
 * One edge of a {@link CircuitGraph}.
 *
 * @param id       the edge's stable id in its graph: tested edges are {@code 0 .. edgeCount()-1} in the
 *                 order ACDC tests them; placeholder edges follow
 * @param sender   the node whose output the edge carries
 * @param receiver the node that reads it
 * @param kind     addition, direct computation or placeholder
 */
public record Edge(int id, Node sender, Node receiver, EdgeKind kind) {

    public Edge {
        if (id < 0) throw new IllegalArgumentException("edge id must be ≥ 0, found " + id);
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(receiver, "receiver");
        Objects.requireNonNull(kind, "kind");
    }

    /** The edge's name, {@code sender->receiver}, e.g. {@code a0.1->a3.0.k} or {@code a3.0.k->a3.0.hook_k}. */
    public String name() {
        return sender.name() + "->" + receiver.name();
    }

    /** Whether ACDC tests and counts this edge (addition and direct-computation edges). */
    public boolean tested() {
        return kind.tested();
    }

    /** The id: equal edges have equal ids, and hashing stays cheap in large hash maps. */
    @Override
    public int hashCode() {
        return id;
    }

    @Override
    public String toString() {
        return name();
    }
}
