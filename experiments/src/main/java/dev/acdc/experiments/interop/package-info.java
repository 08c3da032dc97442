/**
 * Circuits in other tools' formats: hannamw/EAP-IG's graph JSON, which MIB's circuit track also reads
 * ({@link dev.acdc.experiments.interop.EapIgGraphJson}), and the {@code convert} command that turns a discover
 * {@code circuit.json} into it and back ({@link dev.acdc.experiments.interop.ConvertCommand}), and MIB's submission folder of
 * nine binary circuits ({@link dev.acdc.experiments.interop.MibSubmission}: at most 0.1 … 50 % of EAP-IG's edges each).
 *
 * <p>Invariant: reading what was written gives back every kept edge and every score EAP-IG can hold; edges that
 * exist on one side only (direct-computation edges, MLP edges of attention-only models, tracr's two embeddings) follow
 * the rules stated in {@code EapIgGraphJson}; a key/value group's k and v edges are written once per query head of the
 * group (EAP-IG's names) and read back only when those heads agree.
 */
package dev.acdc.experiments.interop;
