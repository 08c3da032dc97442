/**
 * Checkpoint, tokenizer and model-name loading: everything that turns files (or a model name) into a
 * {@link dev.acdc.patching.model.TransformerConfig} plus {@link dev.acdc.patching.model.TransformerWeights}
 * and a {@link dev.acdc.patching.load.TextTokenizer}.
 *
 * <p>Key types:
 * <ul>
 *   <li>{@link dev.acdc.patching.load.SafetensorsReader} / {@link dev.acdc.patching.load.SafetensorsWriter}:
 *       pure-Java, strict safetensors I/O (F32; F16/BF16 widened on read; atomic writes).</li>
 *   <li>{@link dev.acdc.patching.load.Gpt2CheckpointLoader}: a Hugging Face GPT-2 directory → TransformerLens
 *       weights (Conv1D [in, out], fused c_attn split into Q, K, V, tied unembedding).</li>
 *   <li>{@link dev.acdc.patching.load.ModelDirectory}: our own {@code acdc-jvm} directory format, and
 *       auto-detection between it and HF GPT-2; {@link dev.acdc.patching.load.TransformerLensStateDict} for
 *       TransformerLens state dicts with a separate config.</li>
 *   <li>{@link dev.acdc.patching.load.Presets}: configs of gpt2-small, attn-only-2l, attn-only-4l, and
 *       deterministic random weights.</li>
 *   <li>{@link dev.acdc.patching.load.HfTokenizer}: DJL's Hugging Face tokenizers over local files.</li>
 *   <li>{@link dev.acdc.patching.load.ModelResolver}: a model name → a local directory (a path, the Hugging
 *       Face cache, or a download into that cache).</li>
 *   <li>{@link dev.acdc.patching.load.CheckpointInspection}: a directory's checkpoint checked against its config
 *       from the safetensors header alone (sizes, dtypes, names, shapes), and its parameter count as Hugging Face
 *       counts it.</li>
 * </ul>
 *
 * <p>Invariants: nothing here reaches the network except {@code ModelResolver}'s explicit download; a
 * loaded model's weights always match its config; every failure on bad input is a
 * {@link dev.acdc.patching.load.ModelLoadException} whose one-line message names the file or tensor, what
 * was expected and what was found; files are written to a temporary file and moved into place.
 */
package dev.acdc.patching.load;
