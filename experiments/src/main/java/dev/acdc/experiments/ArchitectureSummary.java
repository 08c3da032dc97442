package dev.acdc.experiments;

import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.PositionalEncoding;
import dev.acdc.patching.model.RopeScaling;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A config's architectural choices as report fields ({@code model-info}): a JSON object and one line of text. */
record ArchitectureSummary(TransformerConfig config) {

    static ArchitectureSummary of(TransformerConfig c) {
        return new ArchitectureSummary(c);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Keys: normalization, positions (+ rotary_dims, rotary_base, rope_scaling), mlp, activation, residual, and the rest. */
    Map<String, Object> asMap() {
        TransformerConfig c = config;
        Architecture a = c.architecture();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("normalization", lower(c.normalization()));
        if (a.positions() instanceof PositionalEncoding.Rotary r) {
            m.put("positions", "rotary");
            m.put("rotary_dims", r.dims());
            m.put("rotary_base", r.base());
            m.put("rotary_pairing", lower(r.pairing()));
            m.put("rope_scaling", r.scaling() instanceof RopeScaling.Llama3 ? "llama3" : "none");
        } else {
            m.put("positions", "learned");
        }
        m.put("mlp", c.attentionOnly() ? "none" : lower(a.mlp()));
        m.put("activation", lower(c.activation()));
        m.put("residual", lower(a.residual()));
        m.put("post_norms", a.postNorms());
        m.put("embedding_scale", a.embeddingScale());
        m.put("attention_scale", c.attentionScale());
        m.put("attention_soft_cap", a.attentionSoftCap());
        m.put("logit_soft_cap", a.logitSoftCap());
        m.put("sliding_window", a.slidingWindow().size());
        m.put("sliding_window_layers", lower(a.slidingWindow().layers()));
        Architecture.Biases b = a.biases();
        Map<String, Object> biases = new LinkedHashMap<>();
        biases.put("qkv", b.qkv());
        biases.put("attn_out", b.attnOut());
        biases.put("mlp", b.mlp());
        biases.put("unembed", b.unembed());
        m.put("biases", biases);
        m.put("tied_unembedding", a.tiedUnembedding());
        return m;
    }

    /** e.g. {@code RMSNorm, rotary 64/64 (θ 1e+06), 14 query / 2 key-value heads, gated silu MLP, sequential residual, tied unembedding}. */
    String line() {
        TransformerConfig c = config;
        Architecture a = c.architecture();
        List<String> parts = new ArrayList<>();
        parts.add(switch (c.normalization()) {
            case NONE -> "no norm";
            case LAYERNORM -> "LayerNorm";
            case RMSNORM -> "RMSNorm";
        });
        if (a.positions() instanceof PositionalEncoding.Rotary r) {
            parts.add(String.format(Locale.ROOT, "rotary %d/%d dims (θ %.6g%s)", r.dims(), c.dHead(), r.base(),
                    r.scaling() instanceof RopeScaling.Llama3 ? ", llama3 scaling" : ""));
        } else {
            parts.add("learned positions");
        }
        if (c.nKeyValueHeads() != c.nHeads()) parts.add(c.nHeads() + " query / " + c.nKeyValueHeads() + " key-value heads");
        if (!c.attentionOnly()) parts.add((a.gatedMlp() ? "gated " : "") + lower(c.activation()) + " MLP");
        parts.add(lower(a.residual()) + " residual");
        if (a.postNorms()) parts.add("post-norms");
        if (a.embeddingScale() != 1) parts.add(String.format(Locale.ROOT, "embedding × %.4g", a.embeddingScale()));
        if (a.attentionSoftCap() > 0) parts.add("score soft-cap " + a.attentionSoftCap());
        if (a.logitSoftCap() > 0) parts.add("logit soft-cap " + a.logitSoftCap());
        if (a.slidingWindow().size() > 0) parts.add("window " + a.slidingWindow().size() + " on " + lower(a.slidingWindow().layers()) + " layers");
        if (a.tiedUnembedding()) parts.add("tied unembedding");
        return String.join(", ", parts);
    }
}
