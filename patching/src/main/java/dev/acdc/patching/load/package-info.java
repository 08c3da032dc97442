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
 *   <li>{@link dev.acdc.patching.load.HfCheckpoint}: Hugging Face GPT-NeoX (Pythia), Llama, Qwen2, Gemma and Gemma 2
 *       directories ({@link dev.acdc.patching.load.HfFamily}): {@link dev.acdc.patching.load.HfConfigs} reads
 *       config.json as transformers 4.47 does, {@link dev.acdc.patching.load.CheckpointFiles} finds the single file or
 *       the shards of an index, {@link dev.acdc.patching.load.HfWeightMapping} renames the tensors.</li>
 *   <li>{@link dev.acdc.patching.load.ModelDirectory}: our own {@code acdc-jvm} directory format, and
 *       auto-detection between it and the Hugging Face formats; {@link dev.acdc.patching.load.TransformerLensStateDict}
 *       for TransformerLens state dicts with a separate config; {@link dev.acdc.patching.load.MemoryCheck}, which
 *       refuses a model that cannot fit before reading its weights.</li>
 *   <li>{@link dev.acdc.patching.load.Presets}: configs of gpt2-small, attn-only-2l, attn-only-4l, pythia-70m,
 *       pythia-160m, qwen2.5-0.5b, llama-3.2-1b and gemma-2-2b, and deterministic random weights.</li>
 *   <li>{@link dev.acdc.patching.load.HfTokenizer}: DJL's Hugging Face tokenizers over local files.</li>
 *   <li>{@link dev.acdc.patching.load.ModelResolver}: a model name → a local directory (a path, the Hugging
 *       Face cache, or a download into that cache).</li>
 * </ul>
 *
 * <p>Invariants: nothing here reaches the network except {@code ModelResolver}'s explicit download; a
 * loaded model's weights always match its config; a model's memory footprint is checked before its weights are read; every failure on bad input is a
 * {@link dev.acdc.patching.load.ModelLoadException} whose one-line message names the file or tensor, what
 * was expected and what was found; files are written to a temporary file and moved into place.
 */
package dev.acdc.patching.load;
