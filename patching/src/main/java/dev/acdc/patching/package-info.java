/**
 * The transformer runtime and the patching engine.
 *
 * <p>Owns: the model description ({@code model}: {@link dev.acdc.patching.model.TransformerConfig},
 * {@link dev.acdc.patching.model.TransformerWeights}, hook names, the DJL forward pass with hook points),
 * checkpoint and tokenizer loading ({@code load}), the edge-level computational graph ({@code graph})
 * and the edge-masked / incremental forward ({@code patch}).
 *
 * <p>Invariants: weights always match their config; every NDArray of a forward pass lives in an
 * NDManager scope the caller owns; hook names are spelled only in {@code HookNames}.
 */
package dev.acdc.patching;
