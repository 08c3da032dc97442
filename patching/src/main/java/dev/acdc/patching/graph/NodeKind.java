package dev.acdc.patching.graph;

/** What a {@link Node} stands for in the model. */
public enum NodeKind {
    /** The summed token and position embedding ({@code blocks.0.hook_resid_pre}), GPT-2 style models. */
    EMBED,
    /** The token embedding ({@code hook_embed}), tracr models. */
    TOK_EMBED,
    /** The position embedding ({@code hook_pos_embed}), tracr models. */
    POS_EMBED,
    /** A head's output ({@code blocks.L.attn.hook_result[:, :, H]}): a residual sender. */
    HEAD_OUTPUT,
    /** A head's q, k or v input ({@code blocks.L.hook_q_input[:, :, H]}): a residual receiver. */
    HEAD_INPUT,
    /** A head's computed q, k or v ({@code blocks.L.attn.hook_q[:, :, H]}): receiver of a direct-computation edge. */
    HEAD_QKV,
    /** An MLP's input ({@code blocks.L.hook_mlp_in}): a residual receiver. */
    MLP_IN,
    /** An MLP's output ({@code blocks.L.hook_mlp_out}): a residual sender. */
    MLP_OUT,
    /** The final residual stream ({@code blocks.<last>.hook_resid_post}): a residual receiver. */
    OUTPUT
}
