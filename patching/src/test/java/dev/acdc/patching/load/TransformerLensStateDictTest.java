package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerConfig.Activation;
import dev.acdc.patching.model.TransformerConfig.Normalization;
import dev.acdc.patching.model.TransformerWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

class TransformerLensStateDictTest {
    @TempDir
    Path tmp;

    /** attn-only-4l's architecture, scaled down so the test stays fast. */
    static TransformerConfig smallAttnOnly() {
        return new TransformerConfig("attn-only-small", 4, 16, 8, 2, 0, 11, 11, 5, Normalization.LAYERNORM, 1e-5,
                Activation.GELU_NEW, true, 1 / Math.sqrt(2), false);
    }

    @Test
    void stateDictWithTransformerLensBuffersLoads() {
        TransformerWeights w = Presets.randomWeights(smallAttnOnly(), 9);
        Map<String, Tensor> sd = new LinkedHashMap<>(w.tensors());
        for (int l = 0; l < 4; l++) {
            sd.put("blocks." + l + ".attn.mask", Tensor.zeros(5, 5));
            sd.put("blocks." + l + ".attn.IGNORE", Tensor.zeros());
        }
        Path f = tmp.resolve("attn-only.safetensors");
        SafetensorsWriter.write(f, sd);
        assertEquals(w.tensors(), TransformerLensStateDict.load(f, smallAttnOnly()).tensors());
    }

    @Test
    void missingTensorIsNamedWithFileAndShape() {
        Map<String, Tensor> sd = new LinkedHashMap<>(Presets.randomWeights(smallAttnOnly(), 9).tensors());
        sd.remove("blocks.3.attn.W_O");
        Path f = tmp.resolve("broken.safetensors");
        SafetensorsWriter.write(f, sd);
        var ex = assertThrows(ModelLoadException.class, () -> TransformerLensStateDict.load(f, smallAttnOnly()));
        assertMentions(ex, f.toString(), "missing tensor blocks.3.attn.W_O (expected shape [8, 2, 16])");
    }

    @Test
    void configForAnotherModelIsRejectedNamingTheShapes() {
        Path f = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(f, Presets.randomWeights(smallAttnOnly(), 9).tensors());
        TransformerConfig wider = new TransformerConfig("wider", 4, 16, 8, 2, 0, 12, 12, 5, Normalization.LAYERNORM, 1e-5,
                Activation.GELU_NEW, true, 1 / Math.sqrt(2), false);
        var ex = assertThrows(ModelLoadException.class, () -> TransformerLensStateDict.load(f, wider));
        assertMentions(ex, "tensor embed.W_E has shape [11, 16], expected [12, 16]");
    }
}
