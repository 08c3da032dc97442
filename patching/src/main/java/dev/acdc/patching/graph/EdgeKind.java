package dev.acdc.patching.graph;

/** ACDC's three edge types. */
public enum EdgeKind {
    /** A residual-stream edge: the receiver reads the sum of its senders' outputs. Tested and counted. */
    ADDITION,
    /** A head's q/k/v input to its computed q/k/v ({@code aL.H.q -> aL.H.hook_q}). Tested and counted. */
    DIRECT,
    /** Structure only (q/k/v to head output, MLP input to MLP output): never tested nor counted. */
    PLACEHOLDER;

    /** Whether ACDC tests (and counts) edges of this kind. */
    public boolean tested() {
        return this != PLACEHOLDER;
    }
}
