package dev.acdc.patching.graph;

/**
 * How graph nodes are merged into the "nodes" of node-level ROC.
 */
public enum NodeMerging {
    /**
     * As the ACDC paper describes it (and issue 5 asks): a head's q/k/v inputs, computed q/k/v and output
     * are one node {@code aL.H}; an MLP's input and output are one node {@code mL}; plus the embedding(s)
     * and {@code output}.
     */
    COMPONENTS,
    /**
     * As ACDC's published code counts them ({@code acdc_utils.filter_nodes}): a head's q input merges into
     * its computed q (likewise k, v), giving {@code aL.H.q}, {@code aL.H.k}, {@code aL.H.v} beside the head
     * output {@code aL.H}; MLP inputs are dropped (so {@code mL} counts only as a sender); plus the
     * embedding(s) and {@code output}. Use it to reproduce the paper's node AUC numbers.
     */
    ACDC_CODE;

    /** The merged name of a node, or null when this merging drops it. */
    public String mergedName(Node n) {
        if (this == COMPONENTS) return n.componentName();
        return switch (n.kind()) {
            case MLP_IN -> null;
            case HEAD_INPUT, HEAD_QKV -> "a" + n.layer() + "." + n.head() + "." + n.channel().letter();
            default -> n.name();
        };
    }
}
