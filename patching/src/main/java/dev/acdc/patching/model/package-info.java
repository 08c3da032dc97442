/**
 * The model: config, weights (plain Java data) and the hookable forward pass on DJL.
 *
 * <p>Weights follow TransformerLens naming ({@link dev.acdc.patching.model.WeightNames}); activations
 * follow its hook names ({@link dev.acdc.patching.model.HookNames}).
 *
 * <p>Invariant: every operand that autograd saves for a backward pass lives in libtorch-owned memory
 * ({@link dev.acdc.patching.model.OwnedScalar}); a Java-backed scalar could be freed before the backward pass reads
 * it. {@link dev.acdc.patching.model.Fingerprint} names weights and inputs by content (SHA-256), for run
 * descriptions.
 */
package dev.acdc.patching.model;
