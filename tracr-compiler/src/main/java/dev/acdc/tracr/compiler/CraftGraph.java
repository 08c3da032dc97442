package dev.acdc.tracr.compiler;

import dev.acdc.tracr.craft.AttentionHead;
import dev.acdc.tracr.craft.BasisDirection;
import dev.acdc.tracr.craft.MlpBlock;
import dev.acdc.tracr.craft.VectorSpace;

import java.util.Map;

/**
 * Every SOp's residual space and the blocks that compute it. Tokens, indices and Full SOps have no block:
 * the embeddings write them ({@code constants} holds what a Full adds to every non-BOS token's embedding).
 */
public record CraftGraph(Map<String, VectorSpace> spaces, Map<String, NodeBlocks> blocks,
                         Map<BasisDirection, Double> constants) {

    /** The blocks of one SOp: a head (Aggregate), an MLP (maps), or both (SelectorWidth: head, then MLP). */
    public record NodeBlocks(AttentionHead attention, MlpBlock mlp) {}

    public VectorSpace space(String label) {
        VectorSpace s = spaces.get(label);
        if (s == null) throw new IllegalArgumentException("no residual space for " + label);
        return s;
    }
}
