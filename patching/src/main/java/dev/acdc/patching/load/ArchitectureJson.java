package dev.acdc.patching.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.PositionalEncoding;
import dev.acdc.patching.model.RopeScaling;

import java.util.Locale;

/**
 * An {@link Architecture} as the {@code "architecture"} object of this project's own config.json (format version 2):
 * <pre>
 * {"positions": {"kind": "learned"}
 *             | {"kind": "rotary", "dims": 64, "base": 10000.0, "pairing": "halves",
 *                "scaling": {"kind": "none"} | {"kind": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
 *                                               "high_freq_factor": 4.0, "original_context": 8192}},
 *  "key_value_heads": 2, "mlp": "standard" | "gated", "residual": "sequential" | "parallel", "post_norms": false,
 *  "embedding_scale": 1.0, "attention_soft_cap": 0.0, "logit_soft_cap": 0.0,
 *  "sliding_window": {"size": 0, "layers": "none" | "all" | "even"},
 *  "biases": {"qkv": true, "attn_out": true, "mlp": true, "unembed": true}, "tied_unembedding": false}
 * </pre>
 */
final class ArchitectureJson {
    private ArchitectureJson() {}

    static JsonObject toJson(Architecture a) {
        JsonObject o = new JsonObject();
        JsonObject positions = new JsonObject();
        if (a.positions() instanceof PositionalEncoding.Rotary r) {
            positions.addProperty("kind", "rotary");
            positions.addProperty("dims", r.dims());
            positions.addProperty("base", r.base());
            positions.addProperty("pairing", lower(r.pairing()));
            JsonObject scaling = new JsonObject();
            if (r.scaling() instanceof RopeScaling.Llama3 l3) {
                scaling.addProperty("kind", "llama3");
                scaling.addProperty("factor", l3.factor());
                scaling.addProperty("low_freq_factor", l3.lowFreqFactor());
                scaling.addProperty("high_freq_factor", l3.highFreqFactor());
                scaling.addProperty("original_context", l3.originalContext());
            } else {
                scaling.addProperty("kind", "none");
            }
            positions.add("scaling", scaling);
        } else {
            positions.addProperty("kind", "learned");
        }
        o.add("positions", positions);
        o.addProperty("key_value_heads", a.keyValueHeads());
        o.addProperty("mlp", lower(a.mlp()));
        o.addProperty("residual", lower(a.residual()));
        o.addProperty("post_norms", a.postNorms());
        o.addProperty("embedding_scale", a.embeddingScale());
        o.addProperty("attention_soft_cap", a.attentionSoftCap());
        o.addProperty("logit_soft_cap", a.logitSoftCap());
        JsonObject window = new JsonObject();
        window.addProperty("size", a.slidingWindow().size());
        window.addProperty("layers", lower(a.slidingWindow().layers()));
        o.add("sliding_window", window);
        JsonObject biases = new JsonObject();
        biases.addProperty("qkv", a.biases().qkv());
        biases.addProperty("attn_out", a.biases().attnOut());
        biases.addProperty("mlp", a.biases().mlp());
        biases.addProperty("unembed", a.biases().unembed());
        o.add("biases", biases);
        o.addProperty("tied_unembedding", a.tiedUnembedding());
        return o;
    }

    /** @throws ModelLoadException naming the first object with missing or ill-typed keys */
    static Architecture fromJson(JsonElement e, String source) {
        if (!e.isJsonObject()) throw new ModelLoadException(source + ": \"architecture\" should be an object, found " + e);
        JsonObject o = e.getAsJsonObject();
        String where = source + " (architecture)";
        PositionalEncoding positions = positions(object(o, "positions", where), where);
        JsonObject window = object(o, "sliding_window", where), biases = object(o, "biases", where);
        ConfigJson.Reader r = new ConfigJson.Reader(o, where);
        int kv = r.integer("key_value_heads");
        Architecture.MlpKind mlp = r.enumValue("mlp", Architecture.MlpKind.class);
        Architecture.ResidualLayout residual = r.enumValue("residual", Architecture.ResidualLayout.class);
        boolean postNorms = r.bool("post_norms"), tied = r.bool("tied_unembedding");
        double scale = r.number("embedding_scale"), attnCap = r.number("attention_soft_cap"), logitCap = r.number("logit_soft_cap");
        r.throwIfProblems();
        ConfigJson.Reader w = new ConfigJson.Reader(window, where + " sliding_window");
        int size = w.integer("size");
        Architecture.WindowLayers layers = w.enumValue("layers", Architecture.WindowLayers.class);
        w.throwIfProblems();
        ConfigJson.Reader b = new ConfigJson.Reader(biases, where + " biases");
        var bias = new Architecture.Biases(b.bool("qkv"), b.bool("attn_out"), b.bool("mlp"), b.bool("unembed"));
        b.throwIfProblems();
        try {
            return new Architecture(positions, kv, mlp, residual, postNorms, scale, attnCap, logitCap,
                    new Architecture.SlidingWindow(size, layers), bias, tied);
        } catch (IllegalArgumentException ex) {
            throw new ModelLoadException(where + ": " + ex.getMessage(), ex);
        }
    }

    private static PositionalEncoding positions(JsonObject p, String where) {
        String kind = ConfigJson.stringOrNull(p, "kind");
        if ("learned".equals(kind)) return new PositionalEncoding.Learned();
        if (!"rotary".equals(kind)) throw new ModelLoadException(where + ": positions.kind should be learned or rotary, found " + p.get("kind"));
        ConfigJson.Reader r = new ConfigJson.Reader(p, where + " positions");
        int dims = r.integer("dims");
        double base = r.number("base");
        PositionalEncoding.Pairing pairing = r.enumValue("pairing", PositionalEncoding.Pairing.class);
        r.throwIfProblems();
        JsonObject s = object(p, "scaling", where + " positions");
        RopeScaling scaling = RopeScaling.None.INSTANCE;
        if ("llama3".equals(ConfigJson.stringOrNull(s, "kind"))) {
            ConfigJson.Reader sr = new ConfigJson.Reader(s, where + " positions.scaling");
            double factor = sr.number("factor"), low = sr.number("low_freq_factor"), high = sr.number("high_freq_factor");
            int context = sr.integer("original_context");
            sr.throwIfProblems();
            scaling = new RopeScaling.Llama3(factor, low, high, context);
        } else if (!"none".equals(ConfigJson.stringOrNull(s, "kind"))) {
            throw new ModelLoadException(where + ": positions.scaling.kind should be none or llama3, found " + s.get("kind"));
        }
        try {
            return new PositionalEncoding.Rotary(dims, base, pairing, scaling);
        } catch (IllegalArgumentException ex) {
            throw new ModelLoadException(where + ": " + ex.getMessage(), ex);
        }
    }

    private static JsonObject object(JsonObject o, String key, String where) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonObject()) throw new ModelLoadException(where + ": \"" + key + "\" should be an object, found " + e);
        return e.getAsJsonObject();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
