/**
 * The edge-masked forward pass: ablations ({@link dev.acdc.patching.patch.Ablation}), the sender outputs
 * of a run ({@link dev.acdc.patching.patch.SenderValues}) and {@link dev.acdc.patching.patch.EdgePatcher},
 * which evaluates a model under binary, continuous or batched masks over a
 * {@link dev.acdc.patching.graph.CircuitGraph}'s edges, incrementally from the first receiver whose
 * in-edges differ from intact.
 *
 * <p>Invariant: with every mask entry 1 the logits are the clean model's; with every entry 0 under
 * resample ablation they are the corrupted run's. Tests check both, and every random mask against a
 * slow reference built only from {@code runWithHooks}.
 */
package dev.acdc.patching.patch;
