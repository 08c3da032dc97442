/**
 * The model: config, weights (plain Java data) and the hookable forward pass on DJL.
 *
 * <p>Key types: {@link dev.acdc.patching.model.TransformerConfig} (sizes and the classic choices) with its
 * {@link dev.acdc.patching.model.Architecture} (positions, grouped-query attention, MLP kind, residual layout,
 * post-norms, embedding scale, soft-caps, sliding window, biases, tied unembedding);
 * {@link dev.acdc.patching.model.TransformerWeights}; {@link dev.acdc.patching.model.HookedTransformer}, one block
 * implementation that every family runs through, with {@link dev.acdc.patching.model.RotaryEmbedding},
 * {@code LayerParams} (a block's device weights) and {@code Ops} (norms, activations, soft-caps) beside it;
 * {@link dev.acdc.patching.model.ModelFootprint}, the memory its weights take.
 *
 * <p>Invariants: weights follow TransformerLens naming ({@link dev.acdc.patching.model.WeightNames}) and always match
 * their config; activations follow its hook names ({@link dev.acdc.patching.model.HookNames}, the only place they are
 * spelled); no family has code of its own in the forward pass, only choices in its Architecture; a choice a config
 * does not make costs no operation; every array of a pass lives in the caller's scope.
 */
package dev.acdc.patching.model;
