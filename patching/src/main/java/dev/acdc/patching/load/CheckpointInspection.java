package dev.acdc.patching.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Checks a model directory's checkpoint against its config without reading the weights: the safetensors header
 * (a JSON object, offsets contiguous, the file exactly as long as the last tensor's end, so a truncated download is
 * caught), every tensor's dtype and byte size, and every name and shape the config implies. Then counts the
 * parameters from the header's shapes.
 *
 * <p>Convention of the count: Hugging Face's {@code model.num_parameters()}, the unique parameter tensors, tied
 * embeddings counted once and buffers (GPT-2's {@code attn.bias} masks, TransformerLens's {@code attn.mask}) left out:
 * 124,439,808 for GPT-2 small. An acdc-jvm directory stores TransformerLens's tensors, so its count includes the
 * unembedding {@code W_U} and {@code b_U} as stored.
 */
public final class CheckpointInspection {

    /** What counts as a parameter, in the words {@code model-info} prints. */
    public static final String HF_CONVENTION = "Hugging Face's count: unique parameter tensors, tied embeddings once, buffers excluded";
    public static final String TL_CONVENTION = "every tensor stored (TransformerLens names, W_U and b_U included), buffers excluded";

    /**
     * One checked checkpoint.
     *
     * @param config     the config it was checked against
     * @param parameters the parameter count, by {@code convention}
     * @param convention what was counted
     * @param tensors    how many tensors the file holds (buffers included)
     */
    public record Summary(TransformerConfig config, long parameters, String convention, int tensors) {}

    private CheckpointInspection() {}

    /**
     * @throws ModelLoadException naming the file and every problem, when the checkpoint does not match its config
     */
    public static Summary inspect(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelLoadException("missing model directory: " + dir);
        TransformerConfig config = ModelDirectory.readConfig(dir);
        JsonObject o = ConfigJson.readObject(dir.resolve(ModelDirectory.CONFIG_FILE));
        boolean ours = o.has(ConfigJson.FORMAT_KEY);
        String modelType = ConfigJson.stringOrNull(o, "model_type");
        if (!ours && modelType != null && !ModelDirectory.GPT2.equals(modelType)) return inspectFamily(dir, o, config);
        Path file = dir.resolve(ModelDirectory.WEIGHTS_FILE);
        if (!Files.exists(file)) {
            throw new ModelLoadException("missing file: " + file + (Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (found pytorch_model.bin; only safetensors checkpoints are read)" : ""));
        }
        SafetensorsReader.Header header = SafetensorsReader.readHeader(file);
        Predicate<String> buffer = ours ? TransformerLensStateDict.SKIP_BUFFERS : Gpt2CheckpointLoader.SKIP_BUFFERS;
        List<String> problems = new ArrayList<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (SafetensorsReader.Entry e : header.entries()) {
            if (buffer.test(e.name())) continue;
            checkBytes(e, problems);
            String name = !ours && e.name().startsWith("transformer.") ? e.name().substring("transformer.".length()) : e.name();
            if (shapes.put(name, e.shape()) != null) problems.add("tensor " + name + " appears twice (with and without 'transformer.')");
        }
        boolean tied = !ours && tieWordEmbeddings(o);
        Map<String, int[]> expected = ours ? TransformerWeights.expectedShapes(config) : Gpt2CheckpointLoader.expectedShapes(config);
        checkShapes(expected, shapes, problems);
        TreeSet<String> unexpected = new TreeSet<>(shapes.keySet());
        unexpected.removeAll(expected.keySet());
        long parameters = 0;
        for (var e : shapes.entrySet()) {
            if (expected.containsKey(e.getKey())) parameters += count(e.getValue());
        }
        if (!ours) {
            int[] lmHead = shapes.get("lm_head.weight");
            unexpected.remove("lm_head.weight");
            if (lmHead != null && !Arrays.equals(lmHead, new int[] {config.dVocab(), config.dModel()})) {
                problems.add("tensor lm_head.weight has shape " + Arrays.toString(lmHead) + ", expected [" + config.dVocab() + ", "
                        + config.dModel() + "]");
            }
            if (lmHead == null && !tied) problems.add("missing tensor lm_head.weight (tie_word_embeddings is false)");
            if (lmHead != null && !tied) parameters += count(lmHead);   // untied: a parameter of its own; tied: wte again
        }
        for (String u : unexpected) problems.add("unexpected tensor " + u);
        if (!problems.isEmpty()) {
            throw new ModelLoadException(file + " does not match " + dir.resolve(ModelDirectory.CONFIG_FILE) + " (" + config.nLayers()
                    + " layers, d_model " + config.dModel() + ", vocabulary " + config.dVocab() + ", context " + config.nCtx() + "): "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : ""));
        }
        return new Summary(config, parameters, ours ? TL_CONVENTION : HF_CONVENTION, header.entries().size());
    }

    /**
     * A Pythia, Llama, Qwen2, Gemma or Gemma 2 checkpoint (one file or shards): every tensor's dtype and size, and the
     * names and shapes its family and config imply. The count is Hugging Face's (tied embeddings stored once).
     */
    private static Summary inspectFamily(Path dir, JsonObject o, TransformerConfig config) {
        HfFamily family = HfCheckpoint.family(o).orElseThrow();
        CheckpointFiles files = CheckpointFiles.in(dir);
        List<String> problems = new ArrayList<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int tensors = 0;
        for (SafetensorsReader.Header h : files.headers()) {
            for (SafetensorsReader.Entry e : h.entries()) {
                tensors++;
                if (HfWeightMapping.SKIP_BUFFERS.test(e.name())) continue;
                checkBytes(e, problems);
                if (shapes.put(e.name(), e.shape()) != null) problems.add("tensor " + e.name() + " appears in two shards");
            }
        }
        Map<String, int[]> expected = HfWeightMapping.expectedShapes(family, config);
        checkShapes(expected, shapes, problems);
        TreeSet<String> unexpected = new TreeSet<>(shapes.keySet());
        unexpected.removeAll(expected.keySet());
        for (String u : unexpected) problems.add("unexpected tensor " + u);
        if (!problems.isEmpty()) {
            throw new ModelLoadException(files.source() + " does not match " + dir.resolve(ModelDirectory.CONFIG_FILE) + " ("
                    + config.nLayers() + " layers, d_model " + config.dModel() + ", vocabulary " + config.dVocab() + "): "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : ""));
        }
        long parameters = 0;
        for (var e : expected.entrySet()) parameters += count(e.getValue());
        return new Summary(config, parameters, HF_CONVENTION, tensors);
    }

    /** A tensor's dtype must be one we read, and its byte span must hold exactly its elements. */
    private static void checkBytes(SafetensorsReader.Entry e, List<String> problems) {
        SafetensorsDtype dtype = SafetensorsDtype.parse(e.dtype()).orElse(null);
        if (dtype == null || !dtype.readable) {
            problems.add("tensor " + e.name() + " has dtype " + e.dtype() + ", expected F32 (or F16/BF16)");
        } else if (e.elementCount() * dtype.bytes != e.byteLength()) {
            problems.add("tensor " + e.name() + " of shape " + Arrays.toString(e.shape()) + " needs " + e.elementCount() * dtype.bytes
                    + " bytes, its offsets span " + e.byteLength());
        }
    }

    /** Every expected tensor present with its shape. */
    private static void checkShapes(Map<String, int[]> expected, Map<String, int[]> shapes, List<String> problems) {
        for (var e : expected.entrySet()) {
            int[] found = shapes.get(e.getKey());
            if (found == null) {
                problems.add("missing tensor " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!Arrays.equals(found, e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + Arrays.toString(found) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
    }

    private static long count(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    private static boolean tieWordEmbeddings(JsonObject o) {
        JsonElement e = o.get("tie_word_embeddings");
        return e == null || e.isJsonNull() || e.getAsBoolean();
    }
}
