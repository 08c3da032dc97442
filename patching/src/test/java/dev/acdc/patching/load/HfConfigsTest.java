package dev.acdc.patching.load;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.PositionalEncoding;
import dev.acdc.patching.model.RopeScaling;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

/** config.json of each family read as transformers 4.47 reads it, and what is refused. */
class HfConfigsTest {

    private static JsonObject fixtureConfig(String name) {
        return ConfigJson.readObject(HfFixture.resource("/fixtures/" + name + "/config.json"));
    }

    private static TransformerConfig read(HfFamily f, JsonObject o) {
        return HfConfigs.read(f, o, "config.json", "m");
    }

    @Test
    void pythiaIsPartialRotaryParallelLayerNormWithExactGelu() {
        TransformerConfig c = read(HfFamily.GPT_NEOX, fixtureConfig("pythia-tiny"));
        Architecture a = c.architecture();
        assertEquals(new PositionalEncoding.Rotary(4, 10000, PositionalEncoding.Pairing.HALVES, RopeScaling.None.INSTANCE), a.positions());
        assertTrue(a.parallelResidual());
        assertEquals(TransformerConfig.Normalization.LAYERNORM, c.normalization());
        assertEquals(TransformerConfig.Activation.GELU, c.activation());
        assertEquals(new Architecture.Biases(true, true, true, false), a.biases());
        assertFalse(a.tiedUnembedding());
        assertEquals(16, c.dHead());
    }

    @Test
    void gemmaHeadDimIsItsOwnTheActivationIsTanhGeluAndAnAbsentTieKeyMeansTied() {
        JsonObject o = fixtureConfig("gemma-tiny");
        assertFalse(o.has("tie_word_embeddings"));
        assertEquals("gelu", o.get("hidden_act").getAsString());
        TransformerConfig c = read(HfFamily.GEMMA, o);
        assertEquals(16, c.dHead());                     // not hidden_size / heads = 12
        assertEquals(TransformerConfig.Activation.GELU_NEW, c.activation());
        assertTrue(c.architecture().tiedUnembedding());
        assertEquals((float) Math.sqrt(48), (float) c.architecture().embeddingScale());
        assertEquals(0.25, c.attentionScale(), 1e-15);
    }

    @Test
    void gemma2HasItsScaleSoftCapsWindowAndPostNorms() {
        TransformerConfig c = read(HfFamily.GEMMA2, fixtureConfig("gemma2-tiny"));
        Architecture a = c.architecture();
        assertEquals(1 / Math.sqrt(24), c.attentionScale(), 1e-15);
        assertEquals(10.0, a.attentionSoftCap());
        assertEquals(5.0, a.logitSoftCap());
        assertEquals(new Architecture.SlidingWindow(4, Architecture.WindowLayers.EVEN), a.slidingWindow());
        assertTrue(a.postNorms());
        assertEquals(2, c.nKeyValueHeads());
    }

    @Test
    void gemma2NullSoftCapsMeanNoneAndLayerTypesAreRead() {
        JsonObject o = fixtureConfig("gemma2-tiny");
        o.add("final_logit_softcapping", com.google.gson.JsonNull.INSTANCE);
        o.add("layer_types", JsonParser.parseString("[\"sliding_attention\", \"full_attention\"]"));
        TransformerConfig c = read(HfFamily.GEMMA2, o);
        assertEquals(0, c.architecture().logitSoftCap());
        assertEquals(Architecture.WindowLayers.EVEN, c.architecture().slidingWindow().layers());
        o.add("layer_types", JsonParser.parseString("[\"full_attention\", \"sliding_attention\"]"));
        var ex = assertThrows(ModelLoadException.class, () -> read(HfFamily.GEMMA2, o));
        assertMentions(ex, "layer_types [full_attention, sliding_attention] is not supported");
    }

    @Test
    void qwen2HasQkvBiasesOnly() {
        TransformerConfig c = read(HfFamily.QWEN2, fixtureConfig("qwen2-tiny"));
        assertEquals(new Architecture.Biases(true, false, false, false), c.architecture().biases());
        assertTrue(c.architecture().tiedUnembedding());
        assertEquals(TransformerConfig.Activation.SILU, c.activation());
    }

    @Test
    void llama3RopeScalingIsRead() {
        JsonObject o = fixtureConfig("llama-tiny");
        o.add("rope_scaling", JsonParser.parseString(
                "{\"factor\": 32.0, \"high_freq_factor\": 4.0, \"low_freq_factor\": 1.0, \"original_max_position_embeddings\": 8192, \"rope_type\": \"llama3\"}"));
        var r = (PositionalEncoding.Rotary) read(HfFamily.LLAMA, o).architecture().positions();
        assertEquals(new RopeScaling.Llama3(32, 1, 4, 8192), r.scaling());
    }

    @Test
    void settingsThatWouldChangeTheForwardPassAndAreNotImplementedAreRefusedByName() {
        JsonObject llama = fixtureConfig("llama-tiny");
        llama.add("rope_scaling", JsonParser.parseString("{\"type\": \"yarn\", \"factor\": 4.0}"));
        llama.addProperty("mlp_bias", true);
        assertMentions(assertThrows(ModelLoadException.class, () -> read(HfFamily.LLAMA, llama)),
                "rope_scaling type \"yarn\" is not supported", "mlp_bias is true");
        JsonObject qwen = fixtureConfig("qwen2-tiny");
        qwen.addProperty("use_sliding_window", true);
        assertMentions(assertThrows(ModelLoadException.class, () -> read(HfFamily.QWEN2, qwen)), "use_sliding_window is true");
        JsonObject neox = fixtureConfig("pythia-tiny");
        neox.addProperty("hidden_act", "gelu_fast");
        neox.addProperty("rope_theta", 500000);
        assertMentions(assertThrows(ModelLoadException.class, () -> read(HfFamily.GPT_NEOX, neox)),
                "\"hidden_act\" is \"gelu_fast\"", "\"rope_theta\" is 500000 but \"rotary_emb_base\" is 10000");
    }

    @Test
    void missingSizesAreAllListed() {
        JsonObject o = fixtureConfig("llama-tiny");
        o.remove("hidden_size");
        o.remove("vocab_size");
        o.addProperty("num_hidden_layers", 2.5);
        var ex = assertThrows(ModelLoadException.class, () -> read(HfFamily.LLAMA, o));
        assertMentions(ex, "config.json", "missing key \"hidden_size\"", "missing key \"vocab_size\"", "\"num_hidden_layers\" should be a positive integer, found 2.5");
    }

    @Test
    void keyValueHeadsMustDivideTheHeads() {
        JsonObject o = fixtureConfig("llama-tiny");
        o.addProperty("num_key_value_heads", 3);
        assertMentions(assertThrows(ModelLoadException.class, () -> read(HfFamily.LLAMA, o)), "num_key_value_heads 3 does not divide num_attention_heads 4");
    }
}
