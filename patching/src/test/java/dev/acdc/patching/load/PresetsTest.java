package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.PositionalEncoding;
import dev.acdc.patching.model.RopeScaling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * Total parameters of each family preset equal the published totals of the checkpoints (tied embeddings counted
     * once): Pythia's README table (EleutherAI/pythia, "Total Params": 70,426,624 and 162,322,944), and the sums over
     * the published safetensors files of Qwen2.5-0.5B, Llama-3.2-1B and Gemma-2-2b. TransformerLens's n_params (its
     * model table, which has every one but Llama 3.2; it counts L·(4·D·H·d + 2 or 3·D·M), ignoring grouped key/value
     * heads) is checked from the same config.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "pythia-70m, 70426624, 18874368",
            "pythia-160m, 162322944, 84934656",
            "qwen2.5-0.5b, 494032768, 390856704",
            "llama-3.2-1b, 1235814400, 1073741824",
            "gemma-2-2b, 2614341888, 2146959360"})
    void familyPresetsHaveThePublishedParameterCounts(String name, long total, long transformerLensCount) {
        TransformerConfig c = Presets.byName(name).orElseThrow();
        assertEquals(total, c.parameterCount());
        long mlpMatrices = c.architecture().gatedMlp() ? 3 : 2;
        long tl = c.nLayers() * (4L * c.dModel() * c.nHeads() * c.dHead() + mlpMatrices * c.dModel() * c.dMlp());
        assertEquals(transformerLensCount, tl);
    }

    @Test
    void familyPresetsCarryTheirArchitecture() {
        TransformerConfig qwen = Presets.byName("qwen2.5-0.5b").orElseThrow();
        assertEquals(2, qwen.nKeyValueHeads());
        assertEquals(32768, qwen.nCtx());
        assertEquals(new Architecture.Biases(true, false, false, false), qwen.architecture().biases());
        TransformerConfig llama = Presets.byName("llama-3.2-1b").orElseThrow();
        assertEquals(new RopeScaling.Llama3(32, 1, 4, 8192), ((PositionalEncoding.Rotary) llama.architecture().positions()).scaling());
        assertTrue(llama.architecture().tiedUnembedding());
        TransformerConfig gemma2 = Presets.byName("gemma-2-2b").orElseThrow();
        assertEquals(0.0625, gemma2.attentionScale());
        assertEquals(new Architecture.SlidingWindow(4096, Architecture.WindowLayers.EVEN), gemma2.architecture().slidingWindow());
        TransformerConfig pythia = Presets.byName("pythia-160m").orElseThrow();
        assertEquals(16, ((PositionalEncoding.Rotary) pythia.architecture().positions()).dims());
        assertTrue(pythia.architecture().parallelResidual());
    }

    @Test
    void randomWeightsOfAFamilyPresetFitItsConfig() {
        TransformerConfig qwen = Presets.byName("qwen2.5-0.5b").orElseThrow();
        TransformerConfig small = new TransformerConfig("qwen-shaped", 2, 64, 4, 16, 96, 50, 50, 32, qwen.normalization(), qwen.layerNormEps(),
                qwen.activation(), true, 0.25, false, new Architecture(PositionalEncoding.Rotary.halves(16, 1e6), 2, Architecture.MlpKind.GATED,
                Architecture.ResidualLayout.SEQUENTIAL, false, 1, 0, 0, Architecture.SlidingWindow.NONE, qwen.architecture().biases(), true));
        TransformerWeights w = Presets.randomWeights(small, 3);
        assertEquals(small.parameterCount(), w.tensors().values().stream().mapToLong(t -> t.data().length).sum());
        assertTrue(w.has(WeightNames.wGate(1)) && !w.has(WeightNames.W_POS) && !w.has(WeightNames.W_U));
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
