/**
 * The edge-masked forward pass: ablations ({@link dev.acdc.patching.patch.Ablation}), the sender outputs
 * of a run ({@link dev.acdc.patching.patch.SenderValues}) and {@link dev.acdc.patching.patch.EdgePatcher},
 * which evaluates a model under binary, continuous or batched masks over a
 * {@link dev.acdc.patching.graph.CircuitGraph}'s edges, incrementally from the first receiver whose
 * in-edges differ from intact.
 *
 * <p>Invariant: with every mask entry 1 the logits are the clean model's; with every entry 0 under
 * resample ablation they are the corrupted run's (not for post-norm models, see below). Tests check both, and every random mask against a
 * slow reference built only from {@code runWithHooks}.
 *
 * <p>Model families (issue 17): the EdgePatcher computes any block {@link dev.acdc.patching.model.HookedTransformer}
 * computes (rotary inside {@code attend}, RMSNorm, gated MLPs, soft-caps, windows) through the model's own
 * projections. A parallel residual: an MLP's input is the sum of its kept senders before its layer plus the ablated
 * values of the removed ones and the earlier layers' attention biases, as the graph has no edge from the layer's own
 * heads. Grouped key/value heads: a layer's head receivers are H q inputs and G k and G v inputs (one per key/value
 * group, as the graph has them); a k (v) input is the sum of its kept senders plus the ablated removed ones, its
 * direct edge mixes the group's computed k (v) with the ablated one, and every head of the group attends with it. Rotary
 * models have no position embedding: the embedding node is {@code hook_embed} alone. Post-norms (Gemma 2): every
 * sender value is its share of its layer's post-norm output with the clean run's rms
 * ({@link dev.acdc.patching.patch.PostNormScales}: clean, recomputed and ablated values alike, the bias's share in the
 * ablated sums), so the all-ones mask gives the clean logits, but the all-zeros mask under resample ablation does not
 * give the corrupted run's (which normalises with its own rms); {@link dev.acdc.patching.patch.EdgePatcher#postNormHooks}
 * fixes a forward's rms to the clean values for gradient methods. LayerNorm post-norms are refused by
 * {@code PatchLayout} (no family has them). {@link dev.acdc.patching.patch.SmallModelPatcher}
 * computes GPT-2-style blocks only and refuses the rest; ACDC's fast path takes the EdgePatcher for them.
 */
package dev.acdc.patching.patch;
