package dev.acdc.tracr.compiler;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves a compiled model for other commands: {@code model.safetensors} (F32, TransformerLens names),
 * {@code config.json} (the {@link TransformerConfig}), {@code ground_truth.json} (edge strings, residual
 * edges with the directions they carry, head inputs, components) and {@code tracr.json} (program, residual
 * labels, vocabulary with BOS/PAD ids, output encoding and values). Every file is written to a temporary
 * staging directory beside the target and moved into place, so a reader never sees half a result.
 *
 * <p>A small pure-Java safetensors writer and reader; to be reconciled with the loader module's.
 */
public final class ModelFiles {
    private ModelFiles() {}

    public static final String WEIGHTS = "model.safetensors";
    public static final String CONFIG = "config.json";
    public static final String GROUND_TRUTH = "ground_truth.json";
    public static final String TRACR = "tracr.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    public static void save(CompiledModel m, Path dir) {
        Path parent = dir.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + dir.getFileName() + ".staging");
            Files.write(staging.resolve(WEIGHTS), safetensors(m.weights(), Map.of("format", "pt", "program", m.program())));
            Files.write(staging.resolve(CONFIG), GSON.toJson(m.config()).getBytes(StandardCharsets.UTF_8));
            Files.write(staging.resolve(GROUND_TRUTH), GSON.toJson(groundTruthJson(m.groundTruth())).getBytes(StandardCharsets.UTF_8));
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("program", m.program());
            info.put("residual_labels", m.residualLabels());
            info.put("vocab", m.encoder().vocab());
            info.put("bos_id", m.encoder().bosId());
            info.put("pad_id", m.encoder().padId());
            info.put("max_seq_len", m.encoder().maxSeqLen());
            info.put("output_encoding", m.decoder().encoding().name().toLowerCase());
            info.put("output_values", m.decoder().values());
            info.put("warnings", m.warnings());
            Files.write(staging.resolve(TRACR), GSON.toJson(info).getBytes(StandardCharsets.UTF_8));
            if (!Files.exists(dir)) {
                // the whole directory appears at once
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } else {
                for (String f : List.of(WEIGHTS, CONFIG, GROUND_TRUTH, TRACR)) {
                    Files.move(staging.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save model to " + dir + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) deleteQuietly(staging);
        }
    }

    private static void deleteQuietly(Path staging) {
        try (var files = Files.list(staging)) {
            for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
            Files.deleteIfExists(staging);
        } catch (IOException ignored) {
            // best effort: a leftover hidden staging directory is harmless
        }
    }

    /** The ground truth as JSON: {@code edges} (strings), {@code residual_edges}, {@code head_inputs}, {@code components}. */
    public static Map<String, Object> groundTruthJson(GroundTruth g) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("edges", g.toEdgeStrings());
        List<Map<String, Object>> residual = new ArrayList<>();
        for (GroundTruthEdge e : g.edges()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("sender", e.sender());
            r.put("receiver", e.receiver());
            r.put("via", e.via());
            r.put("structural", e.structural());
            residual.add(r);
        }
        out.put("residual_edges", residual);
        out.put("head_inputs", new java.util.TreeMap<>(g.headInputs()));
        out.put("components", new java.util.TreeMap<>(g.componentNodes()));
        return out;
    }

    /** Loads weights saved by {@link #save}. */
    public static TransformerWeights loadWeights(Path dir) {
        try {
            TransformerConfig config = GSON.fromJson(Files.readString(dir.resolve(CONFIG)), TransformerConfig.class);
            return TransformerWeights.of(config, readSafetensors(Files.readAllBytes(dir.resolve(WEIGHTS))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model from " + dir + ": " + e.getMessage(), e);
        }
    }

    static byte[] safetensors(TransformerWeights w, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        metadata.forEach(meta::addProperty);
        header.add("__metadata__", meta);
        long offset = 0;
        for (var e : w.tensors().entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            com.google.gson.JsonArray shape = new com.google.gson.JsonArray();
            for (int d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            com.google.gson.JsonArray offsets = new com.google.gson.JsonArray();
            long n = 4L * e.getValue().data().length;
            offsets.add(offset);
            offsets.add(offset + n);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
            offset += n;
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(h);
        for (int i = h.length; i < padded; i++) buf.put((byte) ' ');
        for (Tensor t : w.tensors().values()) for (float f : t.data()) buf.putFloat(f);
        return buf.array();
    }

    static Map<String, Tensor> readSafetensors(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(buf.getLong());
        JsonObject header = JsonParser.parseString(new String(bytes, 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            JsonObject t = e.getValue().getAsJsonObject();
            if (!t.get("dtype").getAsString().equals("F32")) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " has dtype " + t.get("dtype") + ", expected F32");
            }
            var shapeJson = t.getAsJsonArray("shape");
            int[] shape = new int[shapeJson.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = shapeJson.get(i).getAsInt();
            long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
            float[] data = new float[Math.toIntExact((end - begin) / 4)];
            ByteBuffer slice = ByteBuffer.wrap(bytes, Math.toIntExact(8 + n + begin), Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i++) data[i] = slice.getFloat();
            out.put(e.getKey(), new Tensor(shape, data));
        }
        return out;
    }
}
