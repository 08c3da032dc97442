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
     * As ACDC's published code counts them ({@code acdc_utils.get_present_nodes} then {@code filter_nodes}, used by
     * {@code notebooks/roc_plot_generator.py} for the paper's node ROC): MLP inputs are dropped (the merge into
     * {@code hook_mlp_out} sits in a {@code try} whose {@code node[0].split()[1]} always fails, and the removal runs
     * anyway), so {@code mL} counts only as a sender. q/k/v are not merged at all: {@code filter_nodes} renames
     * {@code blocks.L.hook_q_input} to {@code blocks.L.hook_q}, which is not the computed q's name
     * {@code blocks.L.attn.hook_q}, so a head counts as seven nodes: its output {@code aL.H}, its inputs
     * {@code aL.H.q|k|v} and its computed {@code aL.H.hook_q|hook_k|hook_v}. Plus the embedding(s) and {@code output}.
     * Check: the published tracr-proportion circuit (10 edges) has 11 such nodes and tracr-reverse's (15) 16, the
     * denominators of the node TPRs the ACDC repository stores ({@code experiments/results/plots_data}: 8/11, 5/16).
     */
    ACDC_CODE;

    /** The merged name of a node, or null when this merging drops it. */
    public String mergedName(Node n) {
        if (this == COMPONENTS) return n.componentName();
        return n.kind() == NodeKind.MLP_IN ? null : n.name();
    }
}
