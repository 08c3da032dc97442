package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Loads a TransformerLens state dict saved as safetensors (e.g. {@code attn-only-4l} converted with
 * {@code safetensors.torch.save_file(model.state_dict(), ...)}): tensor names exactly as
 * {@link dev.acdc.patching.model.WeightNames} spells them, with the config supplied separately
 * (e.g. {@link Presets#attnOnly4l()}).
 *
 * <p>TransformerLens registers two non-parameter buffers per attention block,
 * {@code blocks.L.attn.mask} and {@code blocks.L.attn.IGNORE}; they are skipped by name. Every other
 * tensor must be one the config expects, with the expected shape.
 */
public final class TransformerLensStateDict {
    private static final Pattern BUFFER = Pattern.compile("^blocks\\.\\d+\\.attn\\.(mask|IGNORE)$");

    /** Skips TransformerLens's attention buffers by name. */
    public static final Predicate<String> SKIP_BUFFERS = name -> BUFFER.matcher(name).matches();

    private TransformerLensStateDict() {}

    /**
     * @throws ModelLoadException naming the file and every missing, unexpected or mis-shaped tensor
     */
    public static TransformerWeights load(Path safetensorsFile, TransformerConfig config) {
        Map<String, Tensor> tensors = SafetensorsReader.read(safetensorsFile, SKIP_BUFFERS);
        try {
            return TransformerWeights.of(config, tensors);
        } catch (IllegalArgumentException ex) {
            throw new ModelLoadException(safetensorsFile + ": " + ex.getMessage(), ex);
        }
    }
}
