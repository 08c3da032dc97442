package dev.acdc.patching.load;

import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelFootprint;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

/** Checkpoint files of the Hugging Face families: shards, half-precision dtypes, bad tensors, the memory check. */
class HfCheckpointTest {
    @TempDir
    Path tmp;

    private static Map<String, Tensor> hfTensors(HfFixture f) {
        return SafetensorsReader.read(f.dir().resolve("model.safetensors"));
    }

    private Path copyConfig(HfFixture f, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.copy(f.dir().resolve("config.json"), dir.resolve("config.json"));
        return dir;
    }

    /** Writes the tensors as shards of about equal count and the index that lists them. */
    private static void writeShards(Path dir, Map<String, Tensor> tensors, int shards) throws IOException {
        List<String> names = new ArrayList<>(tensors.keySet());
        StringBuilder map = new StringBuilder();
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, Tensor> part = new LinkedHashMap<>();
            for (int i = s; i < names.size(); i += shards) {
                part.put(names.get(i), tensors.get(names.get(i)));
                map.append(map.length() == 0 ? "" : ", ").append('"').append(names.get(i)).append("\": \"").append(file).append('"');
            }
            SafetensorsWriter.write(dir.resolve(file), part);
        }
        Files.writeString(dir.resolve(CheckpointFiles.INDEX), "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {" + map + "}}");
    }

    @Test
    void shardedCheckpointGivesTheWeightsOfTheSingleFile() throws IOException {
        HfFixture f = HfFixture.load("llama-tiny");
        Path dir = copyConfig(f, "sharded");
        writeShards(dir, hfTensors(f), 3);
        LoadedModel sharded = ModelDirectory.load(dir);
        assertEquals(ModelDirectory.load(f.dir()).weights().tensors(), sharded.weights().tensors());
        try (HookedTransformer m = new HookedTransformer(sharded.weights()); NDManager scope = NDManager.newBaseManager()) {
            HfFixture.Case c = f.cases().get(0);
            assertTrue(HfFixture.maxAbsDiff(m.forward(scope, new int[][] {c.ids()}), 0, c.logits(), "logits") < HfFixture.TOL);
        }
        assertTrue(ModelDirectory.isModelDirectory(dir));
    }

    @Test
    void missingShardAndShardsThatDisagreeWithTheIndexAreNamed() throws IOException {
        HfFixture f = HfFixture.load("llama-tiny");
        Path dir = copyConfig(f, "broken");
        writeShards(dir, hfTensors(f), 2);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        var missing = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(missing, CheckpointFiles.INDEX, "shard model-00002-of-00002.safetensors", "is missing");

        Path other = copyConfig(f, "moved");
        writeShards(other, hfTensors(f), 2);
        String index = Files.readString(other.resolve(CheckpointFiles.INDEX));
        // the index now assigns lm_head.weight (written into shard 1) to shard 2
        Files.writeString(other.resolve(CheckpointFiles.INDEX), index.replace("\"lm_head.weight\": \"model-00001-of-00002.safetensors\"",
                "\"lm_head.weight\": \"model-00002-of-00002.safetensors\""));
        var moved = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(other));
        assertMentions(moved, "shard model-00002-of-00002.safetensors lacks [lm_head.weight]",
                "shard model-00001-of-00002.safetensors holds [lm_head.weight], which the index does not assign to it");
    }

    @Test
    void noWeightsFileNamesBothForms() throws IOException {
        Path dir = copyConfig(HfFixture.load("qwen2-tiny"), "empty");
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "missing file", "model.safetensors", CheckpointFiles.INDEX);
    }

    /**
     * F16 and BF16 tensors (in two shards) load to exactly their float32 values: values rounded to what both formats
     * hold give the same weights as an F32 file of them.
     */
    @Test
    void halfAndBfloat16TensorsAreWidenedExactly() throws IOException {
        HfFixture f = HfFixture.load("qwen2-tiny");
        Map<String, Tensor> rounded = new LinkedHashMap<>();
        hfTensors(f).forEach((n, t) -> rounded.put(n, roundToHalfAndBfloat(t)));
        Path f32 = copyConfig(f, "f32");
        SafetensorsWriter.write(f32.resolve("model.safetensors"), rounded);
        Path half = copyConfig(f, "half");
        List<String> names = new ArrayList<>(rounded.keySet());
        StringBuilder header = new StringBuilder("{"), map = new StringBuilder();
        for (int shard = 0; shard < 2; shard++) {
            header.setLength(1);
            List<byte[]> data = new ArrayList<>();
            long offset = 0;
            String file = "model-0000" + (shard + 1) + "-of-00002.safetensors";
            for (int i = shard; i < names.size(); i += 2) {
                String dtype = i % 4 < 2 ? "BF16" : "F16";
                byte[] bytes = encode(rounded.get(names.get(i)).data(), dtype);
                if (header.length() > 1) header.append(',');
                header.append('"').append(names.get(i)).append("\":{\"dtype\":\"").append(dtype).append("\",\"shape\":")
                        .append(java.util.Arrays.toString(rounded.get(names.get(i)).shape()).replace(" ", ""))
                        .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes.length).append("]}");
                offset += bytes.length;
                data.add(bytes);
                map.append(map.length() == 0 ? "" : ",").append('"').append(names.get(i)).append("\":\"").append(file).append('"');
            }
            header.append('}');
            RawSafetensors.write(half.resolve(file), header.toString(), RawSafetensors.concat(data.toArray(byte[][]::new)));
        }
        Files.writeString(half.resolve(CheckpointFiles.INDEX), "{\"weight_map\":{" + map + "}}", StandardCharsets.UTF_8);
        CheckpointFiles files = CheckpointFiles.in(half);
        assertEquals(2, files.shardCount());
        assertEquals(java.util.Set.of("BF16", "F16"), files.elementsByDtype().keySet());
        TransformerWeights fromHalf = ModelDirectory.load(half).weights(), fromF32 = ModelDirectory.load(f32).weights();
        assertEquals(fromF32.tensors(), fromHalf.tensors());
    }

    /** Rounds to 8 significant bits (BF16) and flushes values below F16's normal range, so both formats hold it exactly. */
    private static Tensor roundToHalfAndBfloat(Tensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) {
            int bits = Float.floatToIntBits(d[i]);
            bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000;   // round to nearest even in the top 16 bits
            float v = Float.intBitsToFloat(bits);
            d[i] = Math.abs(v) < 0x1p-14f ? 0f : v;
        }
        return new Tensor(t.shape(), d);
    }

    private static byte[] encode(float[] values, String dtype) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            int bits = Float.floatToIntBits(v);
            if (dtype.equals("BF16")) {
                b.putShort((short) (bits >>> 16));
            } else if (v == 0f) {
                b.putShort((short) ((bits >>> 16) & 0x8000));
            } else {
                int sign = (bits >>> 16) & 0x8000, exp = ((bits >>> 23) & 0xFF) - 127 + 15, mant = (bits & 0x7FFFFF) >>> 13;
                b.putShort((short) (sign | (exp << 10) | mant));
            }
        }
        return b.array();
    }

    @Test
    void missingAndMisshapedTensorsAreAllListed() throws IOException {
        HfFixture f = HfFixture.load("gemma2-tiny");
        Map<String, Tensor> t = hfTensors(f);
        t.remove("model.layers.1.post_feedforward_layernorm.weight");
        t.put("model.layers.0.self_attn.k_proj.weight", Tensor.zeros(64, 48));
        t.put("model.layers.0.self_attn.rotary_emb.inv_freq", Tensor.zeros(8));   // an old export's buffer: skipped
        t.put("model.extra.weight", Tensor.zeros(3));
        Path dir = copyConfig(f, "bad");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t);
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "missing tensor model.layers.1.post_feedforward_layernorm.weight (expected shape [48])",
                "tensor model.layers.0.self_attn.k_proj.weight has shape [64, 48], expected [32, 48]", "unexpected tensor model.extra.weight",
                "2 key/value heads");
        assertFalse(ex.getMessage().contains("inv_freq"), ex.getMessage());
    }

    @Test
    void untiedLlamaWithoutLmHeadSaysWhyTheEmbeddingCannotStandIn() throws IOException {
        HfFixture f = HfFixture.load("llama-tiny");
        Map<String, Tensor> t = hfTensors(f);
        t.remove("lm_head.weight");
        Path dir = copyConfig(f, "nohead");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), t);
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "missing tensor lm_head.weight", "tie_word_embeddings false");
    }

    @Test
    void aModelTooLargeForMemoryIsRefusedInOneLineBeforeAnyWeightIsRead() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("huge"));
        // a 100-billion-parameter Llama shape, with no weights file at all: the refusal comes first
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\", \"num_hidden_layers\": 80, \"hidden_size\": 16384,"
                + " \"num_attention_heads\": 128, \"num_key_value_heads\": 8, \"intermediate_size\": 53248, \"vocab_size\": 128256,"
                + " \"max_position_embeddings\": 8192, \"tie_word_embeddings\": false}");
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir));
        assertMentions(ex, "model huge", "parameters) needs about", "GiB of Java heap", "of native memory", "this process has");
    }

    @Test
    void aLargeModelsFootprintIsStatedBeforeItsWeightsAreRead() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("pythia-70m-shaped"));
        try (var in = Presets.class.getResourceAsStream("presets/pythia-70m.json")) {
            Files.write(dir.resolve("config.json"), in.readAllBytes());
        }
        List<String> notices = new ArrayList<>();
        var ex = assertThrows(ModelLoadException.class, () -> ModelDirectory.load(dir, notices::add));
        assertMentions(ex, "missing file", "model.safetensors");
        assertEquals(1, notices.size(), "stated once, before the weights turned out missing: " + notices);
        assertMentions(new RuntimeException(notices.get(0)), "loading pythia-70m-shaped: 70,426,624 parameters", "of Java heap", "of native memory");
    }

    @Test
    void memoryCheckWeighsHeapAndPhysicalMemory() {
        ModelFootprint need = new ModelFootprint(1_000_000_000L, 5L << 30, 6L << 30);
        MemoryCheck.check("m", need, new MemoryCheck.Available(16L << 30, 1L << 30, 2L << 30, OptionalLong.of(20L << 30)));
        MemoryCheck.check("m", need, new MemoryCheck.Available(16L << 30, 1L << 30, 2L << 30, OptionalLong.empty()));
        var heap = assertThrows(ModelLoadException.class,
                () -> MemoryCheck.check("m", need, new MemoryCheck.Available(4L << 30, 1L << 30, 2L << 30, OptionalLong.of(64L << 30))));
        assertMentions(heap, "needs about 5.0 GiB of Java heap", "3.0 GiB of Java heap left (-Xmx 4.0 GiB)", "-Xmx7g");
        // the heap fits, but its growth (5 − 1 GiB free of the committed) plus 6 GiB native exceed 9 GiB available
        var physical = assertThrows(ModelLoadException.class,
                () -> MemoryCheck.check("m", need, new MemoryCheck.Available(16L << 30, 1L << 30, 2L << 30, OptionalLong.of(9L << 30))));
        assertMentions(physical, "6.0 GiB of native memory", "9.0 GiB of memory available", "use a machine with more");
    }
}
