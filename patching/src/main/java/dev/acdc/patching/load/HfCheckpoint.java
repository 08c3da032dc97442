package dev.acdc.patching.load;

import com.google.gson.JsonObject;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face checkpoint directory of a {@link HfFamily}: {@code config.json} ({@link HfConfigs}), the weights in
 * {@code model.safetensors} or shards listed by {@code model.safetensors.index.json} ({@link CheckpointFiles}; F32,
 * F16 or BF16, widened to float32), renamed by {@link HfWeightMapping}.
 */
public final class HfCheckpoint {
    public static final String CONFIG_FILE = "config.json";

    private HfCheckpoint() {}

    /** The family of a parsed config.json, if it is one of {@link HfFamily}. */
    static java.util.Optional<HfFamily> family(JsonObject config) {
        String type = ConfigJson.stringOrNull(config, "model_type");
        return type == null ? java.util.Optional.empty() : HfFamily.byModelType(type);
    }

    /** The config of {@code dir} (no weights read). */
    public static TransformerConfig readConfig(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        JsonObject o = ConfigJson.readObject(file);
        HfFamily f = family(o).orElseThrow(() -> new ModelLoadException(file + ": model_type is "
                + ConfigJson.stringOrNull(o, "model_type") + ", expected one of " + HfFamily.supportedModelTypes()));
        return HfConfigs.read(f, o, file.toString(), ModelNames.displayName(dir));
    }

    /**
     * Loads config and weights (call {@link ModelDirectory#load(Path, java.util.function.Consumer)} to have the memory
     * checked first).
     *
     * @throws ModelLoadException naming the file, tensor or key that is missing or wrong
     */
    public static LoadedModel load(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelLoadException("missing model directory: " + dir);
        Path file = dir.resolve(CONFIG_FILE);
        JsonObject o = ConfigJson.readObject(file);
        HfFamily f = family(o).orElseThrow(() -> new ModelLoadException(file + ": model_type is "
                + ConfigJson.stringOrNull(o, "model_type") + ", expected one of " + HfFamily.supportedModelTypes()));
        TransformerConfig config = HfConfigs.read(f, o, file.toString(), ModelNames.displayName(dir));
        CheckpointFiles files = CheckpointFiles.in(dir);
        Map<String, Tensor> hf = files.read(HfWeightMapping.SKIP_BUFFERS);
        TransformerWeights weights = HfWeightMapping.convert(f, config, hf, files.source());
        return new LoadedModel(dir, LoadedModel.Format.HF_DECODER, config, weights);
    }
}
