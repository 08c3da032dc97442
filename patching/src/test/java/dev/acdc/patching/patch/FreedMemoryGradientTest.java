package dev.acdc.patching.patch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.RandomModels;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.testsupport.FreedNativeMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Mask gradients (EAP, HISP, SP) do not depend on a garbage collection between forward and backward: every operand
 * autograd saves lives in libtorch-owned memory. The attention scale, gelu_new's constants and ReLU's zero were DJL
 * scalars backed by Java buffers that were freed while autograd still held them.
 */
class FreedMemoryGradientTest {

    static Stream<TransformerConfig> configs() {
        return Stream.of(RandomModels.tinyGpt2(), RandomModels.tinyTracrStyle(), RandomModels.tinyAttnOnly());
    }

    @ParameterizedTest
    @MethodSource("configs")
    void maskGradientsAreTheSameWhenFreedMemoryIsReusedBeforeTheBackwardPass(TransformerConfig c) {
        ModelInput clean = EdgePatcherTest.tokens(c, 2, c.nCtx() - 1, 31), corrupted = EdgePatcherTest.tokens(c, 2, c.nCtx() - 1, 32);
        try (HookedTransformer m = new HookedTransformer(RandomModels.random(c, 7)); NDManager scope = NDManager.newBaseManager();
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(c), clean, Ablation.RESAMPLE, corrupted, List.of())) {
            Random r = new Random(33);
            float[] mask = new float[p.maskLength()];
            for (int i = 0; i < mask.length; i++) mask[i] = (float) (0.3 + 0.7 * r.nextDouble());
            Shape ls = p.cleanLogits(scope).getShape();
            float[] ro = new float[(int) ls.size()];
            for (int i = 0; i < ro.length; i++) ro[i] = (float) r.nextGaussian();
            NDArray readout = scope.create(ro, ls).duplicate();   // libtorch-owned: the test must not have the bug it tests
            float[] calm = gradient(p, scope, mask, readout, false);
            float[] hostile = gradient(p, scope, mask, readout, true);
            assertTrue(EdgePatcherGradientTest.maxAbs(calm) > 1e-3, "some edge must matter");
            assertArrayEquals(calm, hostile);
        }
    }

    private static float[] gradient(EdgePatcher p, NDManager scope, float[] mask, NDArray readout, boolean reuseFreedMemory) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector(); NDManager pass = scope.newSubManager()) {
            NDArray mt = pass.create(mask);
            mt.setRequiresGradient(true);
            NDArray loss = p.logits(pass, mt).mul(readout).sum();
            if (reuseFreedMemory) {
                try (FreedNativeMemory scribbled = FreedNativeMemory.reuse()) {
                    gc.backward(loss);
                }
            } else {
                gc.backward(loss);
            }
            return mt.getGradient().toFloatArray();
        }
    }
}
