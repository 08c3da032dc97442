package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PresetsTest {

    @Test
    void gpt2SmallHasTheOpenAiShape() {
        TransformerConfig c = Presets.gpt2Small();
        assertEquals(12, c.nLayers());
        assertEquals(12, c.nHeads());
        assertEquals(768, c.dModel());
        assertEquals(64, c.dHead());
        assertEquals(3072, c.dMlp());
        assertEquals(50257, c.dVocab());
        assertEquals(1024, c.nCtx());
        assertEquals(TransformerConfig.Activation.GELU_NEW, c.activation());
        assertTrue(c.causal());
        // 124,439,808 parameters in the HF checkpoint (tied lm_head) + W_U (a copy of wte) + b_U
        assertEquals(124_439_808L + 768L * 50257 + 50257, c.parameterCount());
    }

    @Test
    void attentionOnlyPresetsMatchTransformerLens() {
        for (var c : new TransformerConfig[] {Presets.attnOnly2l(), Presets.attnOnly4l()}) {
            assertEquals(8, c.nHeads());
            assertEquals(512, c.dModel());
            assertEquals(64, c.dHead());
            assertEquals(0, c.dMlp());
            assertTrue(c.attentionOnly());
            assertEquals(48262, c.dVocab());
            assertEquals(1024, c.nCtx());
            assertTrue(c.layerNorm());
            assertEquals(0.125, c.attentionScale());
        }
        assertEquals(2, Presets.attnOnly2l().nLayers());
        assertEquals(4, Presets.attnOnly4l().nLayers());
    }

    @Test
    void presetsAreFoundByName() {
        for (String n : Presets.names()) assertEquals(n, Presets.byName(n).orElseThrow().name());
        assertTrue(Presets.byName("gpt2-smal").isEmpty());
    }

    @Test
    void randomWeightsAreDeterministicAndSeedDependent() {
        TransformerConfig c = TransformerLensStateDictTest.smallAttnOnly();
        assertEquals(Presets.randomWeights(c, 5).tensors(), Presets.randomWeights(c, 5).tensors());
        assertNotEquals(Presets.randomWeights(c, 5).tensors(), Presets.randomWeights(c, 6).tensors());
    }

    @Test
    void randomWeightsHaveUnitGainsZeroBiasesAndSmallMatrices() {
        TransformerWeights w = Presets.randomWeights(ModelDirectoryTest.tracrLike(), 1);
        TransformerWeights g = Presets.randomWeights(TransformerConfig.gpt2Style("t", 2, 64, 4, 256, 300, 32, 1e-5), 1);
        for (float f : g.get(WeightNames.ln1W(1)).data()) assertEquals(1f, f);
        for (float f : g.get(WeightNames.LN_FINAL_W).data()) assertEquals(1f, f);
        assertEquals(Tensor.zeros(4, 16), g.get(WeightNames.bQ(0)));
        assertEquals(Tensor.zeros(256), g.get(WeightNames.bIn(1)));
        float[] wE = g.get(WeightNames.W_E).data();
        double sum = 0, sq = 0;
        for (float f : wE) {
            sum += f;
            sq += f * f;
        }
        double mean = sum / wE.length, std = Math.sqrt(sq / wE.length - mean * mean);
        assertEquals(0, mean, 0.002);
        assertEquals(0.02, std, 0.001);
        assertEquals(ModelDirectoryTest.tracrLike(), w.config());
    }
}
