package dev.acdc.discovery.method;

import dev.acdc.patching.model.HookNames;

import java.util.Objects;

/**
 * A model component that the node-level methods (SP, HISP) keep or drop as a whole: one head's computed
 * q, k or v ({@code blocks.L.attn.hook_q[:, :, H]} …), or one MLP ({@code blocks.L.hook_mlp_out}).
 *
 * <p>These are the units the ACDC paper masks in its SP adaptation and scores in HISP (appendix D): a head's
 * output is not a unit of its own, it survives while any of its q, k, v does.
 *
 * <p>Grouped-query attention (Llama, Qwen2, Gemma with fewer key/value heads than query heads): q stays per query
 * head, but k and v are per key/value group G ({@code attn.hook_k/v} hold [B, P, G, d] there), named
 * {@code aL.kvG.k}, {@code aL.kvG.v} like the graph's group nodes. Masking or ablating a group's k (or v) changes
 * what every query head of that group reads. The ACDC code had no grouped attention; this is our definition.
 *
 * @param kind    q, k, v or the MLP
 * @param layer   the block index
 * @param head    the head index for q/k/v (the key/value group's index when {@code kvGroup}), -1 for an MLP
 * @param kvGroup true for the k or v of a key/value group (grouped-query attention)
 */
public record Component(Kind kind, int layer, int head, boolean kvGroup) {

    /** What part of the model the component is. */
    public enum Kind { Q, K, V, MLP }

    /** A component of one head (or an MLP): {@code kvGroup} false. */
    public Component(Kind kind, int layer, int head) {
        this(kind, layer, head, false);
    }

    public Component {
        Objects.requireNonNull(kind, "kind");
        if (kvGroup && kind != Kind.K && kind != Kind.V) {
            throw new IllegalArgumentException("a key/value group has k and v components only, found " + kind);
        }
        if (layer < 0) throw new IllegalArgumentException("layer must be ≥ 0, found " + layer);
        if (kind == Kind.MLP ? head != -1 : head < 0) {
            throw new IllegalArgumentException(kind + " component: head must be " + (kind == Kind.MLP ? "-1" : "≥ 0")
                    + ", found " + head);
        }
    }

    public static Component q(int layer, int head) { return new Component(Kind.Q, layer, head); }
    public static Component k(int layer, int head) { return new Component(Kind.K, layer, head); }
    public static Component v(int layer, int head) { return new Component(Kind.V, layer, head); }
    public static Component mlp(int layer) { return new Component(Kind.MLP, layer, -1); }
    /** The k of key/value group G (grouped-query attention). */
    public static Component kvK(int layer, int group) { return new Component(Kind.K, layer, group, true); }
    /** The v of key/value group G (grouped-query attention). */
    public static Component kvV(int layer, int group) { return new Component(Kind.V, layer, group, true); }

    public boolean isMlp() {
        return kind == Kind.MLP;
    }

    /**
     * The component's name, as {@link dev.acdc.patching.graph.NodeMerging#ACDC_CODE} names nodes:
     * {@code aL.H.q}, {@code aL.H.k}, {@code aL.H.v} or {@code mL}; a key/value group's {@code aL.kvG.k},
     * {@code aL.kvG.v}.
     */
    public String name() {
        String unit = "a" + layer + "." + (kvGroup ? "kv" : "") + head;
        return switch (kind) {
            case Q -> unit + ".q";
            case K -> unit + ".k";
            case V -> unit + ".v";
            case MLP -> "m" + layer;
        };
    }

    /**
     * The hook whose activation the component is: {@code attn.hook_q/k/v} [B, P, H, d] (k and v [B, P, G, d] with
     * grouped key/value heads) or {@code hook_mlp_out} [B, P, D].
     */
    public String hookName() {
        return switch (kind) {
            case Q -> HookNames.q(layer);
            case K -> HookNames.k(layer);
            case V -> HookNames.v(layer);
            case MLP -> HookNames.mlpOut(layer);
        };
    }

    @Override
    public String toString() {
        return name();
    }
}
