package dev.acdc.patching.load;

import com.google.gson.JsonObject;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.acdc.patching.load.Gpt2TinyFixture.*;
import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

class Gpt2CheckpointLoaderTest {
    @TempDir
    Path tmp;

    /** A copy of the tiny model whose weights file is the fixture's file of that naming. */
    private Path tinyDir(String weightsFile) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("gpt2-tiny-" + weightsFile.replace('.', '_')));
        Files.copy(Gpt2TinyFixture.dir().resolve("config.json"), dir.resolve("config.json"));
        Files.copy(Gpt2TinyFixture.dir().resolve(weightsFile), dir.resolve("model.safetensors"));
        return dir;
    }

    private static Map<String, Tensor> hfTensors() {
        return new LinkedHashMap<>(SafetensorsReader.read(Gpt2TinyFixture.dir().resolve("model.safetensors"),
                Gpt2CheckpointLoader.SKIP_BUFFERS));
    }

    @Test
    void configComesFromHfConfigJson() {
        LoadedModel m = Gpt2CheckpointLoader.load(Gpt2TinyFixture.dir());
        TransformerConfig c = m.config();
        assertEquals(2, c.nLayers());
        assertEquals(4, c.nHeads());
        assertEquals(32, c.dModel());
        assertEquals(8, c.dHead());
        assertEquals(128, c.dMlp(), "n_inner null means 4·n_embd");
        assertEquals(101, c.dVocab());
        assertEquals(101, c.dVocabOut());
        assertEquals(16, c.nCtx());
        assertEquals(1e-5, c.layerNormEps());
        assertEquals(1 / Math.sqrt(8), c.attentionScale(), 1e-15);
        assertEquals(TransformerConfig.Activation.GELU_NEW, c.activation());
        assertEquals(TransformerConfig.Normalization.LAYERNORM, c.normalization());
        assertTrue(c.causal());
        assertFalse(c.separateEmbeddingNodes());
        assertEquals(LoadedModel.Format.HF_GPT2, m.format());
    }

    @Test
    void bothKeyNamingsGiveIdenticalWeights() throws IOException {
        TransformerWeights plain = Gpt2CheckpointLoader.load(tinyDir("model.safetensors")).weights();
        TransformerWeights prefixed = Gpt2CheckpointLoader.load(tinyDir("model_prefixed.safetensors")).weights();
        assertEquals(plain.tensors(), prefixed.tensors());
    }

    @Test
    void hookEmbedIsWteRowsAndHookPosEmbedIsWpeRows() {
        TransformerWeights w = Gpt2CheckpointLoader.load(Gpt2TinyFixture.dir()).weights();
        JsonObject act = expected().getAsJsonObject("activations");
        int[] ids = ints(act.getAsJsonArray("input_ids"));
        double[][] embed = matrix(act.getAsJsonArray("hook_embed"));
        double[][] pos = matrix(act.getAsJsonArray("hook_pos_embed"));
        Tensor wE = w.get(WeightNames.W_E), wPos = w.get(WeightNames.W_POS);
        for (int p = 0; p < ids.length; p++) {
            for (int i = 0; i < 32; i++) {
                assertEquals(embed[p][i], wE.get(ids[p], i), 1e-6, "hook_embed[" + p + "][" + i + "]");
                assertEquals(pos[p][i], wPos.get(p, i), 1e-6, "hook_pos_embed[" + p + "][" + i + "]");
            }
        }
    }

    @Test
    void unembedIsTheTransposeOfWteWithZeroBias() {
        TransformerWeights w = Gpt2CheckpointLoader.load(Gpt2TinyFixture.dir()).weights();
        Tensor wE = w.get(WeightNames.W_E), wU = w.get(WeightNames.W_U);
        assertArrayEquals(new int[] {32, 101}, wU.shape());
        for (int v = 0; v < 101; v++) for (int i = 0; i < 32; i++) assertEquals(wE.get(v, i), wU.get(i, v));
        assertEquals(Tensor.zeros(101), w.get(WeightNames.B_U));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"model.safetensors", "model_prefixed.safetensors"})
    void referenceForwardOverLoadedWeightsReproducesExpectedLogits(String weightsFile) throws IOException {
        TransformerWeights w = Gpt2CheckpointLoader.load(tinyDir(weightsFile)).weights();
        for (Case c : cases()) {
            double diff = maxAbsDiff(ReferenceForward.run(w, c.ids()).logits(), c.logits());
            assertTrue(diff < TOL, c.name() + ": max |logit diff| " + diff + " ≥ " + TOL);
        }
    }

    @Test
    void referenceForwardReproducesEveryDumpedActivation() {
        TransformerWeights w = Gpt2CheckpointLoader.load(Gpt2TinyFixture.dir()).weights();
        JsonObject act = expected().getAsJsonObject("activations");
        ReferenceForward.Result r = ReferenceForward.run(w, ints(act.getAsJsonArray("input_ids")));
        double[][][] residPre = cube(act.getAsJsonArray("resid_pre")), attnOut = cube(act.getAsJsonArray("attn_out")),
                mlpOut = cube(act.getAsJsonArray("mlp_out")), residPost = cube(act.getAsJsonArray("resid_post")),
                residMid = cube(act.getAsJsonArray("resid_mid"));
        var pattern = act.getAsJsonArray("attn_pattern");
        for (int l = 0; l < 2; l++) {
            assertTrue(maxAbsDiff(r.residPre()[l], residPre[l]) < TOL, "resid_pre " + l);
            assertTrue(maxAbsDiff(r.attnOut()[l], attnOut[l]) < TOL, "attn_out " + l);
            assertTrue(maxAbsDiff(r.mlpOut()[l], mlpOut[l]) < TOL, "mlp_out " + l);
            assertTrue(maxAbsDiff(r.residPost()[l], residPost[l]) < TOL, "resid_post " + l);
            double[][] mid = new double[residPre[l].length][32];
            for (int p = 0; p < mid.length; p++) for (int i = 0; i < 32; i++) mid[p][i] = r.residPre()[l][p][i] + r.attnOut()[l][p][i];
            assertTrue(maxAbsDiff(mid, residMid[l]) < TOL, "resid_mid " + l);
            double[][][] pat = cube(pattern.get(l).getAsJsonArray());
            for (int h = 0; h < 4; h++) assertTrue(maxAbsDiff(r.pattern()[l][h], pat[h]) < TOL, "pattern " + l + "." + h);
        }
        assertTrue(maxAbsDiff(r.lnFinal(), matrix(act.getAsJsonArray("ln_final"))) < TOL, "ln_final");
    }

    @Test
    void lmHeadWeightWhenPresentBecomesTheUnembed() {
        Map<String, Tensor> hf = hfTensors();
        Tensor wte = hf.get("wte.weight");
        float[] scaled = wte.data().clone();
        for (int i = 0; i < scaled.length; i++) scaled[i] *= 2;
        hf.put("lm_head.weight", new Tensor(wte.shape(), scaled));
        TransformerConfig c = Gpt2CheckpointLoader.load(Gpt2TinyFixture.dir()).config();
        TransformerWeights w = Gpt2CheckpointLoader.convert(c, hf, tmp.resolve("x"), true);
        assertEquals(2 * wte.get(7, 3), w.get(WeightNames.W_U).get(3, 7));
        assertEquals(wte, w.get(WeightNames.W_E), "W_E stays wte");
    }

    // ---- bad input: each message names the file/tensor, what was expected and what was found ----

    @Test
    void missingConfigJsonIsNamed() throws IOException {
        Path dir = tinyDir("model.safetensors");
        Files.delete(dir.resolve("config.json"));
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "missing file", dir.resolve("config.json").toString());
    }

    @Test
    void missingSafetensorsIsNamed() throws IOException {
        Path dir = tinyDir("model.safetensors");
        Files.delete(dir.resolve("model.safetensors"));
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "missing file", dir.resolve("model.safetensors").toString());
    }

    @Test
    void missingTensorIsNamedWithItsExpectedShape() throws IOException {
        Path dir = tinyDir("model.safetensors");
        Map<String, Tensor> hf = hfTensors();
        hf.remove("h.1.mlp.c_fc.bias");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), hf);
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, dir.resolve("model.safetensors").toString(), "missing tensor h.1.mlp.c_fc.bias (expected shape [128])");
    }

    @Test
    void shapeThatDisagreesWithConfigNamesTensorAndBothShapes() throws IOException {
        Path dir = tinyDir("model.safetensors");
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"vocab_size\": 101", "\"vocab_size\": 100");
        Files.writeString(dir.resolve("config.json"), cfg);
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "model.safetensors", "tensor wte.weight has shape [101, 32], expected [100, 32]", "vocab_size=100");
    }

    @Test
    void wrongDtypeInCheckpointNamesTensor() throws IOException {
        Path dir = tinyDir("model.safetensors");
        RawSafetensors.write(dir.resolve("model.safetensors"),
                "{\"wte.weight\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "tensor wte.weight", "has dtype F64", "expected F32");
    }

    @Test
    void activationOtherThanGeluNewIsRejected() throws IOException {
        Path dir = tinyDir("model.safetensors");
        Files.writeString(dir.resolve("config.json"),
                Files.readString(dir.resolve("config.json")).replace("\"gelu_new\"", "\"relu\""));
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "config.json", "activation_function is \"relu\", expected \"gelu_new\"");
    }

    @Test
    void otherModelTypeIsRejected() throws IOException {
        Path dir = tinyDir("model.safetensors");
        Files.writeString(dir.resolve("config.json"),
                Files.readString(dir.resolve("config.json")).replace("\"model_type\": \"gpt2\"", "\"model_type\": \"llama\""));
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "model_type is \"llama\", expected \"gpt2\"");
    }

    @Test
    void unexpectedTensorIsNamed() {
        Map<String, Tensor> hf = hfTensors();
        hf.put("h.2.ln_1.weight", Tensor.zeros(32));
        TransformerConfig c = Gpt2CheckpointLoader.load(Gpt2TinyFixture.dir()).config();
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.convert(c, hf, tmp.resolve("m.safetensors"), true));
        assertMentions(ex, "unexpected tensor h.2.ln_1.weight");
    }

    @Test
    void missingDirectoryIsNamed() {
        Path dir = tmp.resolve("no-such-model");
        var ex = assertThrows(ModelLoadException.class, () -> Gpt2CheckpointLoader.load(dir));
        assertMentions(ex, "missing model directory", dir.toString());
    }

    @Test
    void hfCacheSnapshotIsNamedAfterItsRepo() {
        Path snap = tmp.resolve("hub/models--openai-community--gpt2/snapshots/abc123");
        assertEquals("openai-community/gpt2", ModelNames.displayName(snap));
        assertEquals("gpt2", ModelNames.displayName(tmp.resolve("hub/models--gpt2/snapshots/abc")));
        assertEquals("my-model", ModelNames.displayName(tmp.resolve("my-model")));
    }
}
