/**
 * The compiler from RASP to transformer weights, one pass per class, called in order by
 * {@link dev.acdc.tracr.compiler.RaspCompiler#compile}:
 * <ol>
 *   <li>{@link dev.acdc.tracr.compiler.RaspToGraph}: the expression DAG (JGraphT) from the output SOp;</li>
 *   <li>{@link dev.acdc.tracr.compiler.Validator}: every unsupported construct, reported at once;</li>
 *   <li>{@link dev.acdc.tracr.compiler.BasisInference}: the value set of every SOp (then the static
 *       selection check of categorical aggregates);</li>
 *   <li>{@link dev.acdc.tracr.compiler.ExprToCraftGraph}: craft blocks for every SOp;</li>
 *   <li>{@link dev.acdc.tracr.compiler.LayerAllocation}: half-layers by longest path;</li>
 *   <li>{@link dev.acdc.tracr.compiler.CraftModelToTransformer}: residual labels, embeddings, weights,
 *       unembedding and the ground-truth circuit.</li>
 * </ol>
 * Passes hand each other typed records ({@link dev.acdc.tracr.compiler.RaspGraph},
 * {@link dev.acdc.tracr.compiler.ValueSets}, {@link dev.acdc.tracr.compiler.CraftGraph},
 * {@link dev.acdc.tracr.compiler.LayerPlan}, {@link dev.acdc.tracr.compiler.CompiledModel}).
 *
 * <p>Model conventions: position 0 holds BOS; the token at position p ≥ 1 has index p−1; PAD may follow the
 * input; token ids are the sorted vocabulary, then BOS, then PAD; the runtime's attention scale is 1.
 */
package dev.acdc.tracr.compiler;
