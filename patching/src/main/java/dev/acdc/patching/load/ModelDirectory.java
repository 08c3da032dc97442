package dev.acdc.patching.load;

import com.google.gson.JsonObject;
import dev.acdc.patching.model.ModelFootprint;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * This project's own model directory, for compiled and trained models:
 * <pre>
 * config.json        our {@link TransformerConfig} as JSON with "format": "acdc-jvm" (see {@link ConfigJson})
 * model.safetensors  the weights in TransformerLens names ({@link dev.acdc.patching.model.WeightNames}), F32
 * </pre>
 * {@link #load(Path)} also reads Hugging Face checkpoints, telling them apart by {@code config.json}: ours carries the
 * {@code format} marker; a Hugging Face one has a {@code model_type}: {@code gpt2} ({@link Gpt2CheckpointLoader}) or a
 * {@link HfFamily} ({@link HfCheckpoint}).
 *
 * <p>Loading first works out the weights' footprint from the config alone and refuses, in one line, a model that
 * cannot fit in the heap and the memory available ({@link MemoryCheck}); a large model's footprint is also stated
 * through the caller's notice before its weights are read.
 *
 * <p>Saving writes {@code model.safetensors} first and {@code config.json} last, each to a temporary
 * file moved into place, so a directory with a config always has complete weights.
 */
public final class ModelDirectory {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    static final String GPT2 = "gpt2";

    private ModelDirectory() {}

    /** Writes {@code weights} (and their config) into {@code dir}, creating it if needed. */
    public static void save(Path dir, TransformerWeights weights) {
        try {
            Files.createDirectories(dir);
            SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), weights.tensors(), Map.of("format", "pt", "producer", ConfigJson.FORMAT_VALUE));
            Path tmp = PlainFiles.createTempFile(dir, "." + CONFIG_FILE + ".", ".tmp");
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

    /** Weights whose load takes this much heap or more are announced before they are read. */
    static final long NOTICE_BYTES = 256L << 20;

    /**
     * Loads a model directory of any format, detected from {@code config.json}, after the memory check.
     *
     * @throws ModelLoadException when the directory, its config or its weights are missing or wrong, or the weights
     *                            cannot fit in memory
     */
    public static LoadedModel load(Path dir) {
        return load(dir, notice -> {});
    }

    /**
     * {@link #load(Path)}, stating a large model's footprint through {@code notice} (one line) before reading its
     * weights.
     */
    public static LoadedModel load(Path dir, Consumer<String> notice) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("missing model directory: " + dir
                    + " (expected a directory with config.json and model.safetensors)");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        JsonObject o = ConfigJson.readObject(configFile);
        TransformerConfig config = readConfig(dir, o);
        ModelFootprint need = ModelFootprint.of(config);
        // a refusal states the footprint in its one line; a load that goes ahead states it before reading the weights
        MemoryCheck.check(config.name(), need, MemoryCheck.probe());
        if (need.heapBytes() >= NOTICE_BYTES) {
            notice.accept("loading " + config.name() + ": " + String.format(Locale.ROOT, "%,d", need.parameters()) + " parameters, about "
                    + ModelFootprint.human(need.heapBytes()) + " of Java heap and " + ModelFootprint.human(need.nativeBytes())
                    + " of native memory");
        }
        if (o.has(ConfigJson.FORMAT_KEY)) {
            TransformerWeights weights = TransformerLensStateDict.load(dir.resolve(WEIGHTS_FILE), config);
            return new LoadedModel(dir, LoadedModel.Format.ACDC_JVM, config, weights);
        }
        if (GPT2.equals(ConfigJson.stringOrNull(o, "model_type"))) return Gpt2CheckpointLoader.load(dir);
        return HfCheckpoint.load(dir);
    }

    /** Whether {@code dir} has a {@code config.json} this class can read (without reading weights). */
    public static boolean isModelDirectory(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG_FILE))) return false;
        try {
            JsonObject o = ConfigJson.readObject(dir.resolve(CONFIG_FILE));
            return ConfigJson.FORMAT_VALUE.equals(ConfigJson.stringOrNull(o, ConfigJson.FORMAT_KEY))
                    || GPT2.equals(ConfigJson.stringOrNull(o, "model_type")) || HfCheckpoint.family(o).isPresent();
        } catch (ModelLoadException ex) {
            return false;
        }
    }

    /** Reads only the config of a directory of any format. */
    public static TransformerConfig readConfig(Path dir) {
        return readConfig(dir, ConfigJson.readObject(dir.resolve(CONFIG_FILE)));
    }

    private static TransformerConfig readConfig(Path dir, JsonObject o) {
        Path configFile = dir.resolve(CONFIG_FILE);
        if (o.has(ConfigJson.FORMAT_KEY)) return ConfigJson.fromJson(o, configFile.toString());
        String modelType = ConfigJson.stringOrNull(o, "model_type");
        if (modelType == null || GPT2.equals(modelType)) return Gpt2CheckpointLoader.readConfig(configFile, ModelNames.displayName(dir));
        HfFamily family = HfFamily.byModelType(modelType).orElseThrow(() -> new ModelLoadException(configFile + " has \"model_type\": \""
                + modelType + "\", expected one of " + HfFamily.supportedModelTypes() + " (or an acdc-jvm model with \""
                + ConfigJson.FORMAT_KEY + "\": \"" + ConfigJson.FORMAT_VALUE + "\")"));
        return HfConfigs.read(family, o, configFile.toString(), ModelNames.displayName(dir));
    }
}
