package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outputs of every sender node of one run (and each head's q, k, v for the direct-computation
 * edges), in the layout the patcher contracts over.
 *
 * <p>Layouts (B batch, P positions, D d_model, H heads, d d_head, E embedding nodes):
 * {@code embeds [E, B, P, D]} (tok_embed, pos_embed for tracr models; the one {@code embed} = token +
 * position embedding otherwise), {@code heads[l] [H, B, P, D]} ({@code attn.hook_result}),
 * {@code mlps[l] [B, P, D]} ({@code hook_mlp_out}; null for attention-only models),
 * {@code qkv[l][c] [B, P, H, d]} ({@code attn.hook_q|k|v}).
 *
 * <p>Post-norm models (Gemma 2, see {@link PostNormScales}): as captured, {@code heads[l]} is {@code attn.hook_result}
 * (before ln1_post), {@code mlps[l]} the MLP's output before ln2_post's division by its rms ({@code g ⊙ mlp_raw},
 * read as {@code hook_mlp_out · rms}), and {@code postNorms} the run's own rms; both are linear in what the run
 * computed, so means over the batch are means of them. {@link #asShares} turns them into what the patcher adds
 * into the residual stream: each sender's share with a given (the clean run's) scale. {@code postNorms} is null
 * without post-norms and after {@link #asShares}.
 */
public record SenderValues(NDArray embeds, NDArray[] heads, NDArray[] mlps, NDArray[][] qkv, PostNormScales postNorms) {

    public SenderValues(NDArray embeds, NDArray[] heads, NDArray[] mlps, NDArray[][] qkv) {
        this(embeds, heads, mlps, qkv, null);
    }

    /** The sender values and logits of one run. */
    public record Captured(SenderValues values, NDArray logits) {}

    /**
     * Runs the model once and keeps only what the patcher needs: the embeddings, each head's result and q/k/v,
     * each MLP's output. A full {@code runWithCache} would also keep the per-head q/k/v inputs [B, P, H, D] and
     * every MLP hidden layer, several GB at GPT-2 small on [100, 15].
     *
     * @param hooks hooks of the run (e.g. the tracr tasks' position scramble); the values are read after them
     */
    public static Captured capture(HookedTransformer model, NDManager scope, ModelInput input, List<Hook> hooks) {
        TransformerConfig c = model.config();
        Map<String, NDArray> seen = new HashMap<>();
        List<Hook> all = new ArrayList<>(hooks);
        List<String> names = new ArrayList<>(List.of(HookNames.EMBED));
        if (c.architecture().learnedPositions()) names.add(HookNames.POS_EMBED);     // rotary models have no hook_pos_embed
        for (int l = 0; l < c.nLayers(); l++) {
            names.addAll(List.of(HookNames.result(l), HookNames.q(l), HookNames.k(l), HookNames.v(l)));
            if (!c.attentionOnly()) names.add(HookNames.mlpOut(l));
        }
        for (String n : names) {
            all.add(new Hook(n, x -> {
                seen.put(n, x);
                return x;
            }));
        }
        PostNormScales scales = PostNormScales.applies(c) ? PostNormScales.empty(c) : null;
        if (scales != null) all.addAll(scales.recordingHooks());
        NDArray logits = model.runWithHooks(scope, input, all);
        SenderValues v = fromActivations(c, seen::get);
        if (scales != null) {
            NDArray[] raw = new NDArray[c.nLayers()];
            // hook_mlp_out = g ⊙ raw / rms (zero where a hook zeroed it), so g ⊙ raw = hook_mlp_out · rms
            for (int l = 0; l < raw.length; l++) raw[l] = v.mlps[l] == null ? null : v.mlps[l].mul(scales.mlp()[l]);
            v = new SenderValues(v.embeds, v.heads, raw, v.qkv, scales);
        }
        return new Captured(v, logits);
    }

    /**
     * The senders' shares of what each post-norm layer writes into the residual stream, with the given scales
     * (the clean run's; see {@link PostNormScales}): head h of layer l {@code g_l ⊙ result_h / rms_l}, an MLP
     * {@code (g ⊙ mlp_raw) / rms_mlp}. Embeddings and q/k/v are unchanged. Without post-norms, this object itself.
     */
    SenderValues asShares(HookedTransformer model, PostNormScales clean) {
        if (clean == null) return this;
        NDArray[] heads = new NDArray[this.heads.length], mlps = new NDArray[this.mlps.length];
        for (int l = 0; l < heads.length; l++) {
            heads[l] = model.postNormWithScale(l, true, this.heads[l], clean.attention()[l]);     // [H, B, P, D] / [B, P, 1]
            mlps[l] = this.mlps[l] == null ? null : this.mlps[l].div(clean.mlp()[l]);
        }
        return new SenderValues(embeds, heads, mlps, qkv, null);
    }

    /** Reads the sender outputs of a cached run. */
    public static SenderValues fromCache(TransformerConfig c, ActivationCache cache) {
        return fromActivations(c, cache::get);
    }

    private static SenderValues fromActivations(TransformerConfig c, java.util.function.Function<String, NDArray> cache) {
        NDArray tok = cache.apply(HookNames.EMBED);
        NDArray pos = c.architecture().learnedPositions() ? cache.apply(HookNames.POS_EMBED) : null;
        // the embedding node: token plus position embedding, or (rotary: positions enter inside attention) the token's alone
        NDArray embeds = c.separateEmbeddingNodes() ? tok.stack(pos, 0) : (pos == null ? tok : tok.add(pos)).expandDims(0);
        NDArray[] heads = new NDArray[c.nLayers()];
        NDArray[] mlps = new NDArray[c.nLayers()];
        NDArray[][] qkv = new NDArray[c.nLayers()][];
        for (int l = 0; l < c.nLayers(); l++) {
            heads[l] = cache.apply(HookNames.result(l)).transpose(2, 0, 1, 3);
            mlps[l] = c.attentionOnly() ? null : cache.apply(HookNames.mlpOut(l));
            qkv[l] = new NDArray[] {cache.apply(HookNames.q(l)), cache.apply(HookNames.k(l)), cache.apply(HookNames.v(l))};
        }
        return new SenderValues(embeds, heads, mlps, qkv);
    }

    /**
     * The hooks of ACDC's zero-ablated run ({@code TLACDCExperiment.setup_corrupted_cache} with
     * {@code zero_ablation}): every hook point that writes into the residual stream returns zeros, i.e. each
     * head's {@code attn.hook_result}, each {@code hook_mlp_out} and the embeddings ({@code hook_embed} and
     * {@code hook_pos_embed}; ACDC zeros {@code blocks.0.hook_resid_pre}, their sum, on models with one
     * embedding node, which leaves every later activation the same). Whatever such a run computes from the
     * biases alone is the ablated value of the nodes that are not residual senders: a removed direct edge
     * {@code aL.H.q->aL.H.hook_q} carries this run's q, ln1(Σ_{l'<L} b_O) · W_Q + b_Q, not 0.
     */
    public static List<Hook> zeroAblationHooks(TransformerConfig c) {
        List<Hook> hooks = new ArrayList<>();
        hooks.add(new Hook(HookNames.EMBED, NDArray::zerosLike));
        if (c.architecture().learnedPositions()) hooks.add(new Hook(HookNames.POS_EMBED, NDArray::zerosLike));
        for (int l = 0; l < c.nLayers(); l++) {
            hooks.add(new Hook(HookNames.result(l), NDArray::zerosLike));
            if (!c.attentionOnly()) hooks.add(new Hook(HookNames.mlpOut(l), NDArray::zerosLike));
        }
        return hooks;
    }

    /**
     * The mean over the batch (and, unless {@code perPosition}, over positions too) of each value,
     * broadcast back to the full shape: the values of mean ablation. A mean has no post-norm scales of its own
     * ({@code postNorms} null): its shares take the clean run's.
     */
    public static SenderValues meanOf(SenderValues of, boolean perPosition, NDManager manager) {
        return map(of, (a, batchAxis) -> {
            // DJL's PyTorch mean reduces one axis per call
            NDArray mean = a.mean(new int[] {batchAxis}, true);
            if (!perPosition) mean = mean.mean(new int[] {batchAxis + 1}, true);
            NDArray copy = mean.broadcast(a.getShape()).duplicate();
            copy.attach(manager);
            return copy;
        });
    }

    private interface Op { NDArray apply(NDArray a, int batchAxis); }

    /** Applies op to every array; embeds and heads have the batch on axis 1, the others on axis 0. */
    private static SenderValues map(SenderValues v, Op op) {
        NDArray[] heads = new NDArray[v.heads.length];
        NDArray[] mlps = new NDArray[v.mlps.length];
        NDArray[][] qkv = new NDArray[v.qkv.length][];
        for (int l = 0; l < heads.length; l++) {
            heads[l] = op.apply(v.heads[l], 1);
            mlps[l] = v.mlps[l] == null ? null : op.apply(v.mlps[l], 0);
            qkv[l] = new NDArray[3];
            for (int c = 0; c < 3; c++) qkv[l][c] = op.apply(v.qkv[l][c], 0);
        }
        return new SenderValues(op.apply(v.embeds, 1), heads, mlps, qkv, null);
    }

    /** Moves every array to the manager (so it outlives the run's scope). */
    SenderValues attachTo(NDManager manager) {
        SenderValues v = map(this, (a, batchAxis) -> {
            NDArray copy = a.duplicate();
            copy.attach(manager);
            return copy;
        });
        return postNorms == null ? v : new SenderValues(v.embeds, v.heads, v.mlps, v.qkv, postNorms.attachTo(manager));
    }
}
