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
 * @param kind  q, k, v or the MLP
 * @param layer the block index
 * @param head  the head index for q/k/v, -1 for an MLP
 */
public record Component(Kind kind, int layer, int head) {

    /** What part of the model the component is. */
    public enum Kind { Q, K, V, MLP }

    public Component {
        Objects.requireNonNull(kind, "kind");
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

    public boolean isMlp() {
        return kind == Kind.MLP;
    }

    /**
     * The component's name, as {@link dev.acdc.patching.graph.NodeMerging#ACDC_CODE} names nodes:
     * {@code aL.H.q}, {@code aL.H.k}, {@code aL.H.v} or {@code mL}.
     */
    public String name() {
        return switch (kind) {
            case Q -> "a" + layer + "." + head + ".q";
            case K -> "a" + layer + "." + head + ".k";
            case V -> "a" + layer + "." + head + ".v";
            case MLP -> "m" + layer;
        };
    }

    /** The hook whose activation the component is: {@code attn.hook_q/k/v} [B, P, H, d] or {@code hook_mlp_out} [B, P, D]. */
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
