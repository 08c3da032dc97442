/**
 * The model: config, weights (plain Java data) and the hookable forward pass on DJL.
 *
 * <p>Weights follow TransformerLens naming ({@link dev.acdc.patching.model.WeightNames}); activations
 * follow its hook names ({@link dev.acdc.patching.model.HookNames}).
 */
package dev.acdc.patching.model;
