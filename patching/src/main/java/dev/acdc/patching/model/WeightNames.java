package dev.acdc.patching.model;

/**
 * TransformerLens weight names; the only place they are spelled.
 *
 * <p>With grouped-query attention, {@code W_K}, {@code W_V}, {@code b_K} and {@code b_V} hold one entry per
 * key/value head ([KV, D, d], [KV, d]: TransformerLens's {@code _W_K}, {@code _W_V}, {@code _b_K}, {@code _b_V}).
 */
public final class WeightNames {
    private WeightNames() {}

    public static final String W_E = "embed.W_E";
    public static final String W_POS = "pos_embed.W_pos";
    public static final String LN_FINAL_W = "ln_final.w";
    public static final String LN_FINAL_B = "ln_final.b";
    public static final String W_U = "unembed.W_U";
    public static final String B_U = "unembed.b_U";

    public static String wQ(int l) { return attn(l) + "W_Q"; }
    public static String wK(int l) { return attn(l) + "W_K"; }
    public static String wV(int l) { return attn(l) + "W_V"; }
    public static String wO(int l) { return attn(l) + "W_O"; }
    public static String bQ(int l) { return attn(l) + "b_Q"; }
    public static String bK(int l) { return attn(l) + "b_K"; }
    public static String bV(int l) { return attn(l) + "b_V"; }
    public static String bO(int l) { return attn(l) + "b_O"; }
    public static String ln1W(int l) { return "blocks." + l + ".ln1.w"; }
    public static String ln1B(int l) { return "blocks." + l + ".ln1.b"; }
    public static String ln2W(int l) { return "blocks." + l + ".ln2.w"; }
    public static String ln2B(int l) { return "blocks." + l + ".ln2.b"; }
    /** Gemma 2's norm of the attention output before it joins the residual stream. */
    public static String ln1PostW(int l) { return "blocks." + l + ".ln1_post.w"; }
    public static String ln1PostB(int l) { return "blocks." + l + ".ln1_post.b"; }
    /** Gemma 2's norm of the MLP output before it joins the residual stream. */
    public static String ln2PostW(int l) { return "blocks." + l + ".ln2_post.w"; }
    public static String ln2PostB(int l) { return "blocks." + l + ".ln2_post.b"; }
    /** The gate projection of a gated MLP (HF {@code gate_proj}); {@code W_in} is then HF's {@code up_proj}. */
    public static String wGate(int l) { return mlp(l) + "W_gate"; }
    public static String wIn(int l) { return mlp(l) + "W_in"; }
    public static String bIn(int l) { return mlp(l) + "b_in"; }
    public static String wOut(int l) { return mlp(l) + "W_out"; }
    public static String bOut(int l) { return mlp(l) + "b_out"; }

    private static String attn(int l) { return "blocks." + l + ".attn."; }
    private static String mlp(int l) { return "blocks." + l + ".mlp."; }
}
