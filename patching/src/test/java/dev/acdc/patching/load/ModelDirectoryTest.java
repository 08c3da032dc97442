package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerConfig.Activation;
import dev.acdc.patching.model.TransformerConfig.Normalization;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

class ModelDirectoryTest {
    @TempDir
    Path tmp;

    /** A tracr-like config: no LayerNorm, ReLU, non-causal, two embedding nodes, numerical output. */
    static TransformerConfig tracrLike() {
        return new TransformerConfig("tracr:test", 2, 12, 2, 3, 8, 7, 1, 6, Normalization.NONE, 0, Activation.RELU, false, 1.0, true);
    }

    @Test
    void savedDirectoryLoadsBackIdentically() {
        TransformerWeights w = Presets.randomWeights(tracrLike(), 3);
        Path dir = tmp.resolve("compiled");
        ModelDirectory.save(dir, w);
        LoadedModel m = ModelDirectory.load(dir);
        assertEquals(LoadedModel.Format.ACDC_JVM, m.format());
        assertEquals(w.config(), m.config());
        assertEquals(w.tensors(), m.weights().tensors());
    }

    @Test
    void configJsonCarriesTheFormatMarker() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, Presets.randomWeights(tracrLike(), 1));
        String json = Files.readString(dir.resolve("config.json"));
        assertTrue(json.contains("\"format\": \"acdc-jvm\""), json);
        assertTrue(json.contains("\"n_layers\": 2"), json);
        assertTrue(ModelDirectory.isModelDirectory(dir));
    }

    @Test
    void configJsonRoundTripsEveryField() {
        TransformerConfig c = tracrLike();
        assertEquals(c, ConfigJson.fromJson(ConfigJson.toJson(c), "test"));
        TransformerConfig g = Presets.gpt2Small();
        assertEquals(g, ConfigJson.fromJson(ConfigJson.toJson(g), "test"));
    }

    @Test
    void hfGpt2DirectoryIsDetectedAndLoaded() {
        LoadedModel m = ModelDirectory.load(Gpt2TinyFixture.dir());
        assertEquals(LoadedModel.Format.HF_GPT2, m.format());
        assertEquals(101, m.config().dVocab());
        assertEquals("gpt2-tiny", m.config().name());
    }

    @Test
    void savedHfModelGivesTheSameLogits() {
        LoadedModel hf = ModelDirectory.load(Gpt2TinyFixture.dir());
        Path dir = tmp.resolve("resaved");
        ModelDirectory.save(dir, hf.weights());
        LoadedModel ours = ModelDirectory.load(dir);
        assertEquals(LoadedModel.Format.ACDC_JVM, ours.format());
        for (var c : Gpt2TinyFixture.cases()) {
            double diff = Gpt2TinyFixture.maxAbsDiff(ReferenceForward.run(ours.weights(), c.ids()).logits(), c.logits());
            assertTrue(diff < Gpt2TinyFixture.TOL, c.name() + ": " + diff);
        }
    }

    /** A Hugging Face family model saved in our format keeps its architecture (format version 2) and loads back the same. */
    @Test
    void aFamilyModelRoundTripsThroughOurFormat() throws IOException {
        for (String name : List.of("gemma2-tiny", "pythia-tiny")) {
            LoadedModel hf = ModelDirectory.load(HfFixture.load(name).dir());
            Path dir = tmp.resolve("ours-" + name);
            ModelDirectory.save(dir, hf.weights());
            assertTrue(Files.readString(dir.resolve("config.json")).contains("\"format_version\": 2"));
            LoadedModel back = ModelDirectory.load(dir);
            assertEquals(LoadedModel.Format.ACDC_JVM, back.format());
            assertEquals(hf.config(), back.config());
            assertEquals(hf.weights().tensors(), back.weights().tensors());
        }
        ModelDirectory.save(tmp.resolve("tracr"), Presets.randomWeights(tracrLike(), 1));
        assertTrue(Files.readString(tmp.resolve("tracr/config.json")).contains("\"format_version\": 1"), "GPT-2-style files are unchanged");
    }

    @Test
    void unknownConfigKindIsNamed() throws IOException {
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\": \"mamba\"}");
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(tmp));
        assertMentions(ex, tmp.resolve("config.json").toString(), "\"model_type\": \"mamba\"", "gpt2, gpt_neox, llama, qwen2, gemma, gemma2",
                "acdc-jvm");
    }

    @Test
    void missingKeysInOurConfigAreAllListed() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, Presets.randomWeights(tracrLike(), 1));
        String json = Files.readString(dir.resolve("config.json")).replace("\"n_heads\"", "\"n_headz\"").replace("\"relu\"", "\"swish\"");
        Files.writeString(dir.resolve("config.json"), json);
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "missing key \"n_heads\"", "\"activation\" should be one of [relu, gelu_new, gelu, silu], found \"swish\"");
    }

    @Test
    void weightsThatDisagreeWithOurConfigNameTheTensor() throws IOException {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, Presets.randomWeights(tracrLike(), 1));
        Map<String, Tensor> t = new LinkedHashMap<>(SafetensorsReader.read(dir.resolve("model.safetensors")));
        t.put(WeightNames.W_U, Tensor.zeros(12, 2));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t);
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "model.safetensors", "tensor unembed.W_U has shape [12, 2], expected [12, 1]");
    }

    @Test
    void missingDirectoryIsNamed() {
        Path dir = tmp.resolve("nothing-here");
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "missing model directory", dir.toString());
    }
}
