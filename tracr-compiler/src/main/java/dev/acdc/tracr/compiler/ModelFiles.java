package dev.acdc.tracr.compiler;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.model.TransformerWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves a compiled model for other commands: an acdc-jvm model directory ({@link ModelDirectory}:
 * {@code model.safetensors} with TransformerLens names and {@code config.json}), plus {@code ground_truth.json} (edge strings, residual
 * edges with the directions they carry, head inputs, components) and {@code tracr.json} (program, residual
 * labels, vocabulary with BOS/PAD ids, output encoding and values). Every file is written to a temporary
 * staging directory beside the target and moved into place, so a reader never sees half a result.
 */
public final class ModelFiles {
    private ModelFiles() {}

    public static final String WEIGHTS = ModelDirectory.WEIGHTS_FILE;
    public static final String CONFIG = ModelDirectory.CONFIG_FILE;
    public static final String GROUND_TRUTH = "ground_truth.json";
    public static final String TRACR = "tracr.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

    public static void save(CompiledModel m, Path dir) {
        Path parent = dir.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = dev.acdc.patching.load.PlainFiles.createTempDirectory(parent, "." + dir.getFileName() + ".staging");
            ModelDirectory.save(staging, m.weights());
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

    /** Loads weights saved by {@link #save} (the loader module's acdc-jvm model directory). */
    public static TransformerWeights loadWeights(Path dir) {
        return ModelDirectory.load(dir).weights();
    }
}
