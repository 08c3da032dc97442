package dev.acdc.patching.model;

/**
 * Every hook-point name of the runtime, in TransformerLens's vocabulary. No other class spells a
 * hook name as a string literal.
 *
 * <p>Shapes (B batch, P positions, D d_model, H heads, d d_head, M d_mlp, V output vocabulary):
 * <pre>
 * hook_embed, hook_pos_embed                   [B, P, D]
 * blocks.L.hook_resid_pre                      [B, P, D]
 * blocks.L.hook_q_input / k_input / v_input    [B, P, H, D]   per-head inputs (split q/k/v input)
 * blocks.L.attn.hook_q / hook_k / hook_v       [B, P, H, d]
 * blocks.L.attn.hook_attn_scores               [B, H, P, P]   (query, key), before softmax, masked
 * blocks.L.attn.hook_pattern                   [B, H, P, P]   (query, key)
 * blocks.L.attn.hook_z                         [B, P, H, d]
 * blocks.L.attn.hook_result                    [B, P, H, D]   per-head output z·W_O (no b_O)
 * blocks.L.hook_attn_out                       [B, P, D]      Σ_h result + b_O
 * blocks.L.hook_resid_mid                      [B, P, D]
 * blocks.L.hook_mlp_in                         [B, P, D]      (the MLP's input, before ln2)
 * blocks.L.mlp.hook_pre / hook_post            [B, P, M]
 * blocks.L.hook_mlp_out                        [B, P, D]
 * blocks.L.hook_resid_post                     [B, P, D]
 * ln_final.hook_normalized                     [B, P, D]
 * hook_logits                                  [B, P, V]
 * </pre>
 */
public final class HookNames {
    private HookNames() {}

    public static final String EMBED = "hook_embed";
    public static final String POS_EMBED = "hook_pos_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";
    public static final String LOGITS = "hook_logits";

    public static String residPre(int layer) { return block(layer) + "hook_resid_pre"; }
    public static String qInput(int layer) { return block(layer) + "hook_q_input"; }
    public static String kInput(int layer) { return block(layer) + "hook_k_input"; }
    public static String vInput(int layer) { return block(layer) + "hook_v_input"; }
    public static String q(int layer) { return block(layer) + "attn.hook_q"; }
    public static String k(int layer) { return block(layer) + "attn.hook_k"; }
    public static String v(int layer) { return block(layer) + "attn.hook_v"; }
    public static String attnScores(int layer) { return block(layer) + "attn.hook_attn_scores"; }
    public static String pattern(int layer) { return block(layer) + "attn.hook_pattern"; }
    public static String z(int layer) { return block(layer) + "attn.hook_z"; }
    public static String result(int layer) { return block(layer) + "attn.hook_result"; }
    public static String attnOut(int layer) { return block(layer) + "hook_attn_out"; }
    public static String residMid(int layer) { return block(layer) + "hook_resid_mid"; }
    public static String mlpIn(int layer) { return block(layer) + "hook_mlp_in"; }
    public static String mlpPre(int layer) { return block(layer) + "mlp.hook_pre"; }
    public static String mlpPost(int layer) { return block(layer) + "mlp.hook_post"; }
    public static String mlpOut(int layer) { return block(layer) + "hook_mlp_out"; }
    public static String residPost(int layer) { return block(layer) + "hook_resid_post"; }

    private static String block(int layer) {
        if (layer < 0) throw new IllegalArgumentException("layer must be ≥ 0, found " + layer);
        return "blocks." + layer + ".";
    }
}
