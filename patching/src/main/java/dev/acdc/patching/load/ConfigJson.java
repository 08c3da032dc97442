package dev.acdc.patching.load;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerConfig.Activation;
import dev.acdc.patching.model.TransformerConfig.Normalization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * JSON for {@link TransformerConfig} in this project's own model directories, and the small JSON
 * helpers the loaders share. Keys are TransformerLens-style snake_case:
 * <pre>
 * {"format": "acdc-jvm", "format_version": 1, "name": "...", "n_layers": 2, "d_model": 32, "n_heads": 4,
 *  "d_head": 8, "d_mlp": 128, "d_vocab": 101, "d_vocab_out": 101, "n_ctx": 16,
 *  "normalization": "layernorm" | "none", "layer_norm_eps": 1e-5, "activation": "gelu_new" | "relu",
 *  "causal": true, "attention_scale": 0.3535..., "separate_embedding_nodes": false}
 * </pre>
 * A model whose architecture is not GPT-2 style ({@link TransformerConfig#gpt2StyleArchitecture()}) is written as
 * format version 2 with an {@code "architecture"} object ({@link ArchitectureJson}); "normalization" may then be
 * "rmsnorm" and "activation" "gelu" or "silu". Version 1 files (every GPT-2-style model) are unchanged.
 */
public final class ConfigJson {
    /** The marker that tells our directories apart from Hugging Face ones. */
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT_VALUE = "acdc-jvm";
    public static final int FORMAT_VERSION = 1;
    /** The version of files that carry an {@code "architecture"} object. */
    public static final int FORMAT_VERSION_ARCHITECTURE = 2;

    private ConfigJson() {}

    public static JsonObject toJson(TransformerConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty(FORMAT_KEY, FORMAT_VALUE);
        o.addProperty("format_version", c.gpt2StyleArchitecture() ? FORMAT_VERSION : FORMAT_VERSION_ARCHITECTURE);
        o.addProperty("name", c.name());
        o.addProperty("n_layers", c.nLayers());
        o.addProperty("d_model", c.dModel());
        o.addProperty("n_heads", c.nHeads());
        o.addProperty("d_head", c.dHead());
        o.addProperty("d_mlp", c.dMlp());
        o.addProperty("d_vocab", c.dVocab());
        o.addProperty("d_vocab_out", c.dVocabOut());
        o.addProperty("n_ctx", c.nCtx());
        o.addProperty("normalization", c.normalization().name().toLowerCase(Locale.ROOT));
        o.addProperty("layer_norm_eps", c.layerNormEps());
        o.addProperty("activation", c.activation().name().toLowerCase(Locale.ROOT));
        o.addProperty("causal", c.causal());
        o.addProperty("attention_scale", c.attentionScale());
        o.addProperty("separate_embedding_nodes", c.separateEmbeddingNodes());
        if (!c.gpt2StyleArchitecture()) o.add("architecture", ArchitectureJson.toJson(c.architecture()));
        return o;
    }

    public static String toJsonString(TransformerConfig c) {
        return new GsonBuilder().setPrettyPrinting().create().toJson(toJson(c)) + "\n";
    }

    /**
     * Reads our config JSON, reporting every missing or ill-typed key at once.
     *
     * @param source names the file in error messages
     */
    public static TransformerConfig fromJson(JsonObject o, String source) {
        if (!o.has(FORMAT_KEY) || !FORMAT_VALUE.equals(stringOrNull(o, FORMAT_KEY))) {
            throw new ModelLoadException(source + ": expected \"" + FORMAT_KEY + "\": \"" + FORMAT_VALUE + "\", found "
                    + (o.has(FORMAT_KEY) ? o.get(FORMAT_KEY) : "no \"" + FORMAT_KEY + "\" key"));
        }
        int version = o.has("format_version") ? o.get("format_version").getAsInt() : FORMAT_VERSION;
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_ARCHITECTURE) {
            throw new ModelLoadException(source + ": format_version " + version + " is not supported, expected " + FORMAT_VERSION
                    + " or " + FORMAT_VERSION_ARCHITECTURE);
        }
        if ((version == FORMAT_VERSION_ARCHITECTURE) != o.has("architecture")) {
            throw new ModelLoadException(source + ": format_version " + version + (o.has("architecture")
                    ? " with an \"architecture\" object; expected format_version " + FORMAT_VERSION_ARCHITECTURE
                    : " needs an \"architecture\" object"));
        }
        Reader r = new Reader(o, source);
        String name = r.string("name");
        int nLayers = r.integer("n_layers");
        int dModel = r.integer("d_model");
        int nHeads = r.integer("n_heads");
        int dHead = r.integer("d_head");
        int dMlp = r.integer("d_mlp");
        int dVocab = r.integer("d_vocab");
        int dVocabOut = r.integer("d_vocab_out");
        int nCtx = r.integer("n_ctx");
        Normalization norm = r.enumValue("normalization", Normalization.class);
        double eps = r.number("layer_norm_eps");
        Activation act = r.enumValue("activation", Activation.class);
        boolean causal = r.bool("causal");
        double scale = r.number("attention_scale");
        boolean separate = r.bool("separate_embedding_nodes");
        r.throwIfProblems();
        Architecture arch = o.has("architecture") ? ArchitectureJson.fromJson(o.get("architecture"), source) : Architecture.gpt2Style(nHeads);
        try {
            return new TransformerConfig(name, nLayers, dModel, nHeads, dHead, dMlp, dVocab, dVocabOut, nCtx, norm, eps, act,
                    causal, scale, separate, arch);
        } catch (IllegalArgumentException ex) {
            throw new ModelLoadException(source + ": " + ex.getMessage(), ex);
        }
    }

    /** Parses a JSON object file, naming the file when it is missing or malformed. */
    public static JsonObject readObject(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException ex) {
            throw new ModelLoadException("missing file: " + file);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        try {
            JsonElement el = JsonParser.parseString(text);
            if (!el.isJsonObject()) throw new JsonParseException("the top level is not an object");
            return el.getAsJsonObject();
        } catch (JsonParseException ex) {
            throw new ModelLoadException("invalid JSON in " + file + ": expected a JSON object, found " + jsonProblem(ex));
        }
    }

    /** A one-line description of a Gson parse failure, e.g. {@code malformed JSON at line 1 column 6 path $}. */
    static String jsonProblem(RuntimeException ex) {
        Throwable t = ex.getCause() != null ? ex.getCause() : ex;
        String m = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        int at = m.indexOf(" at line ");
        if (m.contains("malformed JSON") && at >= 0) return "malformed JSON" + m.substring(at);
        return m;
    }

    static String stringOrNull(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    /** Collects every problem before throwing, so a user fixes a file in one go. */
    static final class Reader {
        private final JsonObject o;
        private final String source;
        private final List<String> problems = new ArrayList<>();

        Reader(JsonObject o, String source) {
            this.o = o;
            this.source = source;
        }

        private JsonElement get(String key, String expected) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                problems.add("missing key \"" + key + "\" (expected " + expected + ")");
                return null;
            }
            return e;
        }

        String string(String key) {
            JsonElement e = get(key, "a string");
            if (e == null) return "?";
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                problems.add("\"" + key + "\" should be a string, found " + e);
                return "?";
            }
            return e.getAsString();
        }

        int integer(String key) {
            JsonElement e = get(key, "an integer");
            if (e == null) return 0;
            try {
                double d = e.getAsDouble();
                if (!e.getAsJsonPrimitive().isNumber() || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw new NumberFormatException();
                return (int) d;
            } catch (RuntimeException ex) {
                problems.add("\"" + key + "\" should be an integer, found " + e);
                return 0;
            }
        }

        double number(String key) {
            JsonElement e = get(key, "a number");
            if (e == null) return Double.NaN;
            try {
                if (!e.getAsJsonPrimitive().isNumber()) throw new NumberFormatException();
                return e.getAsDouble();
            } catch (RuntimeException ex) {
                problems.add("\"" + key + "\" should be a number, found " + e);
                return Double.NaN;
            }
        }

        boolean bool(String key) {
            JsonElement e = get(key, "true or false");
            if (e == null) return false;
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                problems.add("\"" + key + "\" should be true or false, found " + e);
                return false;
            }
            return e.getAsBoolean();
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type) {
            E[] all = type.getEnumConstants();
            List<String> allowed = new ArrayList<>();
            for (E v : all) allowed.add(v.name().toLowerCase(Locale.ROOT));
            JsonElement e = get(key, "one of " + allowed);
            if (e == null) return all[0];
            String s = e.isJsonPrimitive() ? e.getAsString().toLowerCase(Locale.ROOT) : e.toString();
            for (E v : all) if (v.name().toLowerCase(Locale.ROOT).equals(s)) return v;
            problems.add("\"" + key + "\" should be one of " + allowed + ", found " + e);
            return all[0];
        }

        void throwIfProblems() {
            if (!problems.isEmpty()) throw new ModelLoadException(source + ": " + String.join("; ", problems));
        }
    }
}
