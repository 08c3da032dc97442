package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The rms of every post-norm of one run (Gemma 2's ln1_post and ln2_post, {@code blocks.L.ln1_post.hook_scale},
 * {@code blocks.L.ln2_post.hook_scale}, [B, P, 1] each): the scales that linearise a post-norm model for edge patching.
 *
 * <p>Our definition (issue 17). The attention output of a post-norm layer is {@code g ⊙ (Σ_h result_h + b_O) / rms}:
 * not a sum of per-head terms, because rms depends on every head. With rms fixed to the <em>clean</em> run's value per
 * (row, position), it is linear, and head h's share of what the layer writes to the residual stream is
 * {@code g ⊙ result_h / rms_clean}; the bias's share {@code g ⊙ b_O / rms_clean} goes with the layer as b_O does in
 * models without post-norms; the MLP's share is {@code g_mlp ⊙ mlp_raw / rms_mlp_clean}. Every sender value a patched
 * pass uses is such a share with the clean scale: the clean, the recomputed (current) and the ablated (corrupted,
 * zero, mean) values alike. With every edge kept the patched model is the clean model; with every edge removed under
 * resample ablation it is <em>not</em> the corrupted run (whose own rms differs). Gradients (EAP, EAP-IG, SP, HISP)
 * are taken through the same linearisation: {@link #fixingHooks} hold every rms at its clean value, so no gradient
 * flows through it.
 *
 * @param attention per layer, ln1_post's rms [B, P, 1]
 * @param mlp       per layer, ln2_post's rms [B, P, 1] (null entries for attention-only models)
 */
public record PostNormScales(NDArray[] attention, NDArray[] mlp) {

    /** Whether the model's config has post-norms that edge patching linearises (RMSNorm post-norms). */
    public static boolean applies(TransformerConfig c) {
        return HookNames.hasPostNormScales(c);
    }

    /** The post-norm scales of a plain run of the model on the input (the clean run, for the linearisation). */
    public static PostNormScales capture(HookedTransformer model, NDManager scope, ModelInput input) {
        TransformerConfig c = model.config();
        PostNormScales s = empty(c);
        model.runWithHooks(scope, input, s.recordingHooks());
        return s;
    }

    /** Arrays to be filled by {@link #recordingHooks()}. */
    public static PostNormScales empty(TransformerConfig c) {
        if (!applies(c)) throw new IllegalArgumentException("model '" + c.name() + "' has no RMSNorm post-norms");
        return new PostNormScales(new NDArray[c.nLayers()], new NDArray[c.nLayers()]);
    }

    /** Hooks that record each post-norm's rms into this object's arrays (the values of the run they are on). */
    public List<Hook> recordingHooks() {
        List<Hook> hooks = new ArrayList<>();
        for (int l = 0; l < attention.length; l++) {
            int layer = l;
            hooks.add(new Hook(HookNames.ln1PostScale(l), x -> { attention[layer] = x; return x; }));
            hooks.add(new Hook(HookNames.ln2PostScale(l), x -> { mlp[layer] = x; return x; }));
        }
        return hooks;
    }

    /**
     * Hooks that replace every post-norm's rms by this run's (a constant: gradients do not flow through it). On the
     * run these scales came from they change no value; on any other run they make each post-norm the linear map the
     * edge graph's shares assume. Attention-only models have no {@code ln2_post}.
     */
    public List<Hook> fixingHooks() {
        List<Hook> hooks = new ArrayList<>();
        for (int l = 0; l < attention.length; l++) {
            NDArray a = attention[l], m = mlp[l];
            // a copy in the pass's scope (these arrays may live in a capped manager), independent of x: no gradient
            hooks.add(new Hook(HookNames.ln1PostScale(l), x -> PatchTensors.copyInto(x.getManager(), a)));
            if (m != null) hooks.add(new Hook(HookNames.ln2PostScale(l), x -> PatchTensors.copyInto(x.getManager(), m)));
        }
        return hooks;
    }

    /** Copies of every array, owned by the manager (the run's scope may close). */
    public PostNormScales attachTo(NDManager manager) {
        return new PostNormScales(copies(attention, manager), copies(mlp, manager));
    }

    private static NDArray[] copies(NDArray[] a, NDManager manager) {
        NDArray[] out = new NDArray[a.length];
        for (int i = 0; i < a.length; i++) {
            if (a[i] == null) continue;
            out[i] = a[i].duplicate();
            out[i].attach(manager);
        }
        return out;
    }
}
