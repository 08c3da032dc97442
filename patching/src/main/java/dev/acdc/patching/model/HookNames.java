package dev.acdc.patching.model;

/**
 * Every hook-point name of the runtime, in TransformerLens's vocabulary. No other class spells a
 * hook name as a string literal.
 *
 * <p>Shapes (B batch, P positions, D d_model, H query heads, G key/value heads (= H without grouped-query
 * attention), d d_head, M d_mlp, V output vocabulary):
 * <pre>
 * hook_embed                                   [B, P, D]      token embedding (times the embedding scale, Gemma)
 * hook_pos_embed                               [B, P, D]      learned positions only
 * blocks.L.hook_resid_pre                      [B, P, D]
 * blocks.L.hook_q_input                        [B, P, H, D]   per-head inputs (split q/k/v input)
 * blocks.L.hook_k_input / v_input              [B, P, G, D]   per key/value head
 * blocks.L.ln1.hook_normalized                 [B, P, D]      ln1's output, gain (and bias) included: what the q/k/v
 *                                                              projections read; only on passes that do not split the
 *                                                              q/k/v inputs (a caching pass splits them)
 * blocks.L.attn.hook_q                         [B, P, H, d]   before rotary
 * blocks.L.attn.hook_k / hook_v                [B, P, G, d]   k before rotary
 * blocks.L.attn.hook_rot_q / hook_rot_k        [B, P, H|G, d] after rotary (rotary models only)
 * blocks.L.attn.hook_attn_scores               [B, H, P, P]   (query, key), scaled, soft-capped, masked, before softmax
 * blocks.L.attn.hook_pattern                   [B, H, P, P]   (query, key)
 * blocks.L.attn.hook_z                         [B, P, H, d]
 * blocks.L.attn.hook_result                    [B, P, H, D]   per-head output z·W_O (no b_O, before any post-norm)
 * blocks.L.ln1_post.hook_scale                 [B, P, 1]      Gemma 2: ln1_post's rms, sqrt(mean((Σ_h result + b_O)²) + eps);
 *                                                              the post-norm divides by it (TransformerLens 2's RMSNorm hook)
 * blocks.L.hook_attn_out                       [B, P, D]      what attention adds to the stream: Σ_h result + b_O,
 *                                                              then ln1_post (Gemma 2)
 * blocks.L.hook_resid_mid                      [B, P, D]      sequential residual only
 * blocks.L.hook_mlp_in                         [B, P, D]      the MLP's input before ln2 (resid_pre with a parallel residual)
 * blocks.L.ln2.hook_normalized                 [B, P, D]      ln2's output, gain (and bias) included
 * blocks.L.mlp.hook_pre                        [B, P, M]      pre-activation (of the gate, in a gated MLP)
 * blocks.L.mlp.hook_pre_linear                 [B, P, M]      gated MLP only: W_in·x + b_in
 * blocks.L.mlp.hook_post                       [B, P, M]
 * blocks.L.ln2_post.hook_scale                 [B, P, 1]      Gemma 2: ln2_post's rms of the MLP's output
 * blocks.L.hook_mlp_out                        [B, P, D]      what the MLP adds to the stream (after ln2_post, Gemma 2)
 * blocks.L.hook_resid_post                     [B, P, D]
 * ln_final.hook_normalized                     [B, P, D]
 * hook_logits                                  [B, P, V]      after the logit soft-cap (Gemma 2)
 * </pre>
 * TransformerLens's RMSNorm fires {@code hook_normalized} before its gain; here it is always after, so that it is
 * the tensor the next projection reads (and the same for LayerNorm and RMSNorm).
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
    public static String ln1Normalized(int layer) { return block(layer) + "ln1.hook_normalized"; }
    public static String ln2Normalized(int layer) { return block(layer) + "ln2.hook_normalized"; }
    public static String q(int layer) { return block(layer) + "attn.hook_q"; }
    public static String k(int layer) { return block(layer) + "attn.hook_k"; }
    public static String v(int layer) { return block(layer) + "attn.hook_v"; }
    public static String rotQ(int layer) { return block(layer) + "attn.hook_rot_q"; }
    public static String rotK(int layer) { return block(layer) + "attn.hook_rot_k"; }
    public static String attnScores(int layer) { return block(layer) + "attn.hook_attn_scores"; }
    public static String pattern(int layer) { return block(layer) + "attn.hook_pattern"; }
    public static String z(int layer) { return block(layer) + "attn.hook_z"; }
    public static String result(int layer) { return block(layer) + "attn.hook_result"; }
    public static String ln1PostScale(int layer) { return block(layer) + "ln1_post.hook_scale"; }
    public static String attnOut(int layer) { return block(layer) + "hook_attn_out"; }
    public static String residMid(int layer) { return block(layer) + "hook_resid_mid"; }
    public static String mlpIn(int layer) { return block(layer) + "hook_mlp_in"; }
    public static String mlpPre(int layer) { return block(layer) + "mlp.hook_pre"; }
    public static String mlpPreLinear(int layer) { return block(layer) + "mlp.hook_pre_linear"; }
    public static String mlpPost(int layer) { return block(layer) + "mlp.hook_post"; }
    public static String ln2PostScale(int layer) { return block(layer) + "ln2_post.hook_scale"; }
    public static String mlpOut(int layer) { return block(layer) + "hook_mlp_out"; }
    public static String residPost(int layer) { return block(layer) + "hook_resid_post"; }

    /**
     * Every hook name a pass of a model with this config emits, in forward order. Names the config has no tensor
     * for are absent: {@code hook_pos_embed} with rotary positions, {@code hook_rot_q}/{@code hook_rot_k} without,
     * {@code hook_resid_mid} with a parallel residual, the MLP's names in attention-only models,
     * {@code mlp.hook_pre_linear} in a standard MLP, the norms' hooks without normalization, the post-norms' scales
     * without RMSNorm post-norms.
     */
    public static java.util.Set<String> of(TransformerConfig c) {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        Architecture a = c.architecture();
        s.add(EMBED);
        if (a.learnedPositions()) s.add(POS_EMBED);
        for (int l = 0; l < c.nLayers(); l++) {
            s.add(residPre(l));
            s.add(qInput(l));
            s.add(kInput(l));
            s.add(vInput(l));
            if (c.normalized()) s.add(ln1Normalized(l));
            s.add(q(l));
            s.add(k(l));
            s.add(v(l));
            if (a.rotary()) {
                s.add(rotQ(l));
                s.add(rotK(l));
            }
            s.add(attnScores(l));
            s.add(pattern(l));
            s.add(z(l));
            s.add(result(l));
            if (hasPostNormScales(c)) s.add(ln1PostScale(l));
            s.add(attnOut(l));
            if (c.attentionOnly() || !a.parallelResidual()) s.add(residMid(l));
            if (!c.attentionOnly()) {
                s.add(mlpIn(l));
                if (c.normalized()) s.add(ln2Normalized(l));
                s.add(mlpPre(l));
                if (a.gatedMlp()) s.add(mlpPreLinear(l));
                s.add(mlpPost(l));
                if (hasPostNormScales(c)) s.add(ln2PostScale(l));
                s.add(mlpOut(l));
            }
            s.add(residPost(l));
        }
        if (c.normalized()) s.add(LN_FINAL);
        s.add(LOGITS);
        return s;
    }

    /** Whether the config's post-norms are RMSNorms, whose scale a pass hooks ({@code ln1_post.hook_scale}, …). */
    public static boolean hasPostNormScales(TransformerConfig c) {
        return c.architecture().postNorms() && c.normalization() == TransformerConfig.Normalization.RMSNORM;
    }

    private static String block(int layer) {
        if (layer < 0) throw new IllegalArgumentException("layer must be ≥ 0, found " + layer);
        return "blocks." + layer + ".";
    }
}
