package dev.acdc.patching.graph;

/**
 * The order in which ACDC visits the senders of one receiver. ACDC groups senders by hook name (one group
 * per layer's heads, one per MLP, one per embedding) and can reverse the order of the groups
 * ({@code names_mode="reverse"}) and the order inside a group ({@code indices_mode="reverse"}).
 */
public enum SenderOrder {
    /** ACDC's default: later layers first, within a layer the MLP before the heads, heads from the highest
     *  index down, the embedding(s) last. */
    ACDC,
    /** As {@link #ACDC} but heads from index 0 up ({@code indices_mode="reverse"}). */
    HEADS_ASCENDING,
    /** Groups reversed ({@code names_mode="reverse"}): embedding(s) first, then layer 0's heads (highest
     *  index first), layer 0's MLP, layer 1 … */
    GROUPS_REVERSED,
    /** Both reversals: embedding(s) first, earlier layers first, heads ascending, heads before the MLP. */
    GROUPS_REVERSED_HEADS_ASCENDING;

    boolean reverseGroups() {
        return this == GROUPS_REVERSED || this == GROUPS_REVERSED_HEADS_ASCENDING;
    }

    boolean reverseWithinGroups() {
        return this == HEADS_ASCENDING || this == GROUPS_REVERSED_HEADS_ASCENDING;
    }
}
