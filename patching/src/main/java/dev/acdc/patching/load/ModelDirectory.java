package dev.acdc.patching.load;

import com.google.gson.JsonObject;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * This project's own model directory, for compiled and trained models:
 * <pre>
 * config.json        our {@link TransformerConfig} as JSON with "format": "acdc-jvm" (see {@link ConfigJson})
 * model.safetensors  the weights in TransformerLens names ({@link dev.acdc.patching.model.WeightNames}), F32
 * </pre>
 * {@link #load(Path)} also reads Hugging Face GPT-2 directories, telling the two apart by
 * {@code config.json}: ours carries the {@code format} marker, a GPT-2 one has {@code model_type "gpt2"}.
 *
 * <p>Saving writes {@code model.safetensors} first and {@code config.json} last, each to a temporary
 * file moved into place, so a directory with a config always has complete weights.
 */
public final class ModelDirectory {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private ModelDirectory() {}

    /** Writes {@code weights} (and their config) into {@code dir}, creating it if needed. */
    public static void save(Path dir, TransformerWeights weights) {
        try {
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), weights.tensors(), Map.of("format", "pt", "producer", ConfigJson.FORMAT_VALUE));
            Path tmp = Files.createTempFile(dir, "." + CONFIG_FILE + ".", ".tmp");
            try {
                Files.writeString(tmp, ConfigJson.toJsonString(weights.config()), StandardCharsets.UTF_8);
                SafetensorsWriter.moveIntoPlace(tmp, dir.resolve(CONFIG_FILE));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write model directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Loads a model directory of either format, detected from {@code config.json}.
     *
     * @throws ModelLoadException when the directory, its config or its weights are missing or wrong
     */
    public static LoadedModel load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("missing model directory: " + dir
                    + " (expected a directory with config.json and model.safetensors)");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        JsonObject o = ConfigJson.readObject(configFile);
        if (o.has(ConfigJson.FORMAT_KEY)) {
            TransformerConfig config = ConfigJson.fromJson(o, configFile.toString());
            TransformerWeights weights = TransformerLensStateDict.load(dir.resolve(WEIGHTS_FILE), config);
            return new LoadedModel(dir, LoadedModel.Format.ACDC_JVM, config, weights);
        }
        String modelType = ConfigJson.stringOrNull(o, "model_type");
        if ("gpt2".equals(modelType)) return Gpt2CheckpointLoader.load(dir);
        throw new ModelLoadException(configFile + " is neither a Hugging Face GPT-2 config (expected \"model_type\": \"gpt2\", found "
                + (modelType == null ? "no model_type" : "\"" + modelType + "\"") + ") nor an acdc-jvm model (expected \""
                + ConfigJson.FORMAT_KEY + "\": \"" + ConfigJson.FORMAT_VALUE + "\")");
    }

    /** Whether {@code dir} has a {@code config.json} this class can read (without reading weights). */
    public static boolean isModelDirectory(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG_FILE))) return false;
        try {
            JsonObject o = ConfigJson.readObject(dir.resolve(CONFIG_FILE));
            return ConfigJson.FORMAT_VALUE.equals(ConfigJson.stringOrNull(o, ConfigJson.FORMAT_KEY))
                    || "gpt2".equals(ConfigJson.stringOrNull(o, "model_type"));
        } catch (ModelLoadException ex) {
            return false;
        }
    }

    /** Reads only the config of a directory of either format. */
    public static TransformerConfig readConfig(Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        JsonObject o = ConfigJson.readObject(configFile);
        if (o.has(ConfigJson.FORMAT_KEY)) return ConfigJson.fromJson(o, configFile.toString());
        return Gpt2CheckpointLoader.readConfig(configFile, ModelNames.displayName(dir));
    }
}
