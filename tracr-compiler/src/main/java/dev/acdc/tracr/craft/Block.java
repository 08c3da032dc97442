package dev.acdc.tracr.craft;

/** A residual-stream block: an MLP or one attention head. Names are unique within a model. */
public sealed interface Block permits MlpBlock, AttentionHead {
    String name();

    /** The residual directions the block reads. */
    VectorSpace reads();

    /** The residual directions the block writes. */
    VectorSpace writes();
}
