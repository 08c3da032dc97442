package dev.acdc.datasets.induction;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.acdc.patching.load.LoadedModel;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelLoadException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Induction model directories: {@link ModelDirectory}'s {@code config.json} + {@code model.safetensors}, plus
 * {@code provenance.json} ({@link Provenance}). The default checkpoint ships as a resource of this module (trained by
 * {@code bin/acdc train induction}; see {@link #RESOURCE_DIR}), so the task runs offline without retraining.
 */
public final class InductionModel {

    /** Classpath folder of the shipped checkpoint. */
    public static final String RESOURCE_DIR = "/dev/acdc/datasets/induction/model/";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** A model and, when the directory has one, its provenance (else null). */
    public record Loaded(LoadedModel model, Provenance provenance) {}

    private InductionModel() {}

    /** Writes weights, config and provenance into {@code dir} (the config last, as {@link ModelDirectory#save} does). */
    public static void save(Path dir, dev.acdc.patching.model.TransformerWeights weights, Provenance provenance) {
        try {
            Files.createDirectories(dir);
            Path tmp = dev.acdc.patching.load.PlainFiles.createTempFile(dir, "." + Provenance.FILE, ".tmp");
            try {
                Files.writeString(tmp, toJson(provenance) + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(Provenance.FILE), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(Provenance.FILE) + ": " + e.getMessage(), e);
        }
        ModelDirectory.save(dir, weights);
    }

    public static String toJson(Provenance p) {
        return GSON.toJson(p);
    }

    /** A model directory with its provenance when present. */
    public static Loaded load(Path dir) {
        LoadedModel model = ModelDirectory.load(dir);
        Path provenanceFile = dir.resolve(Provenance.FILE);
        Provenance p = null;
        if (Files.isRegularFile(provenanceFile)) {
            try {
                p = GSON.fromJson(Files.readString(provenanceFile, StandardCharsets.UTF_8), Provenance.class);
            } catch (IOException | RuntimeException e) {
                throw new ModelLoadException("cannot read " + provenanceFile + ": " + e.getMessage());
            }
        }
        return new Loaded(model, p);
    }

    /** The shipped checkpoint, read from the classpath through a temporary directory that is deleted afterwards. */
    public static Loaded shipped() {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("acdc-induction-model");
            for (String f : List.of(ModelDirectory.CONFIG_FILE, ModelDirectory.WEIGHTS_FILE, Provenance.FILE)) {
                try (InputStream in = InductionModel.class.getResourceAsStream(RESOURCE_DIR + f)) {
                    if (in == null) {
                        throw new ModelLoadException("the shipped induction model is missing " + RESOURCE_DIR + f
                                + " on the classpath; retrain it with: bin/acdc train induction --out DIR, then pass DIR as the model");
                    }
                    Files.copy(in, tmp.resolve(f));
                }
            }
            return load(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the shipped induction model: " + e.getMessage(), e);
        } finally {
            if (tmp != null) deleteRecursively(tmp);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            });
        } catch (IOException ignored) {
            // same
        }
    }
}
