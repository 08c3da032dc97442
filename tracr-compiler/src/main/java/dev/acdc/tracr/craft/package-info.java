/**
 * The craft layer: vector spaces with labelled bases and the blocks (MLPs and attention heads) that
 * act on them, built "from action" on basis directions, and the constructions that implement RASP
 * operations as blocks.
 *
 * <p>Key types: {@link dev.acdc.tracr.craft.BasisDirection} (name, value), {@link dev.acdc.tracr.craft.VectorSpace}
 * (a sorted basis), {@link dev.acdc.tracr.craft.LinearMap}, {@link dev.acdc.tracr.craft.BilinearForm},
 * {@link dev.acdc.tracr.craft.Block} ({@link dev.acdc.tracr.craft.MlpBlock}, {@link dev.acdc.tracr.craft.AttentionHead}),
 * {@link dev.acdc.tracr.craft.AttentionConstructions}, {@link dev.acdc.tracr.craft.MlpConstructions}.
 *
 * <p>Invariants shared by every construction (they make BOS and PAD harmless):
 * <ul>
 *   <li>{@link dev.acdc.tracr.craft.BasisDirection#ONE} is 1 at every position, {@link dev.acdc.tracr.craft.BasisDirection#BOS}
 *       is 1 only at the BOS position, {@link dev.acdc.tracr.craft.BasisDirection#PAD} only at PAD positions;</li>
 *   <li>at the BOS position every SOp direction is 0: MLP neurons that have a bias are gated off by BOS,
 *       and a head's BOS query attends only to BOS, whose values are 0;</li>
 *   <li>every head masks PAD keys (score −2·coldness), so padding never changes a mean.</li>
 * </ul>
 * Matrices are small dense doubles; the assembler turns them into float tensors.
 */
package dev.acdc.tracr.craft;
