package dev.acdc.patching.load;

import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model read from disk: its config, its weights (TransformerLens naming, checked against the
 * config) and the directory it came from (which may also hold its tokenizer).
 *
 * @param directory the model directory (an HF snapshot, an acdc-jvm directory, ...)
 * @param format    how the directory was read
 */
public record LoadedModel(Path directory, Format format, TransformerConfig config, TransformerWeights weights) {

    /** The on-disk formats this package reads. */
    public enum Format {
        /** Hugging Face GPT-2: {@code config.json} with {@code model_type "gpt2"} + {@code model.safetensors}. */
        HF_GPT2,
        /**
         * A Hugging Face decoder of another {@link HfFamily} (GPT-NeoX, Llama, Qwen2, Gemma, Gemma 2): {@code config.json}
         * + {@code model.safetensors} or its shards.
         */
        HF_DECODER,
        /** This project's own directory: {@code config.json} with {@code "format": "acdc-jvm"} + TransformerLens-named safetensors. */
        ACDC_JVM,
        /** A TransformerLens state dict saved as safetensors, with a config supplied separately. */
        TRANSFORMER_LENS
    }

    public LoadedModel {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(weights, "weights");
        if (!weights.config().equals(config)) {
            throw new IllegalArgumentException("weights were built for config '" + weights.config().name() + "', not '" + config.name() + "'");
        }
    }
}
