package dev.acdc.patching.model;

import ai.djl.pytorch.jni.JniUtils;
import dev.acdc.patching.load.Presets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TorchThreadsTest {

    @Test
    void tracrSizedWorkRunsOnOneThreadAndGpt2SizedWorkOnLibtorchsOwnCount() {
        TransformerConfig tracr = new TransformerConfig("tracr-like", 2, 20, 1, 8, 4, 6, 6, 5,
                TransformerConfig.Normalization.NONE, 0, TransformerConfig.Activation.RELU, false, 1, true);
        assertEquals(1, TorchThreads.forModel(tracr, 20L * 5));
        assertEquals(TorchThreads.defaultThreads(), TorchThreads.forModel(Presets.gpt2Small(), 100L * 15));
        // the boundary: an activation of exactly ATen's grain size still counts as small
        assertEquals(1, TorchThreads.forModel(Presets.gpt2Small(), TorchThreads.SMALL_ACTIVATION_FLOATS / 768));
    }

    @Test
    void aScopeSetsTheCountAndRestoresTheOneBefore() {
        TorchThreads.defaultThreads();              // loads libtorch
        int before = JniUtils.getNumThreads();
        try (TorchThreads.Scope outer = TorchThreads.use(1)) {
            assertEquals(1, JniUtils.getNumThreads());
            try (TorchThreads.Scope inner = TorchThreads.use(2)) {
                assertEquals(2, JniUtils.getNumThreads());
            }
            assertEquals(1, JniUtils.getNumThreads());
        }
        assertEquals(before, JniUtils.getNumThreads());
        assertThrows(IllegalArgumentException.class, () -> TorchThreads.use(0));
    }
}
