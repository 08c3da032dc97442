package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.PostNormScales;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Component-level patching for SP and HISP: the ablated value of every component's activation, and hooks
 * that interpolate each component between its clean value and its ablated value,
 * {@code m·x + (1 − m)·a}, with one mask entry per component.
 *
 * <p>Ablated values a (per hook: {@code attn.hook_q/k/v} [B, P, H, d], {@code hook_mlp_out} [B, P, D]):
 * <ul>
 *   <li>RESAMPLE: the activation at that hook in a plain forward pass on the corrupted inputs (nothing masked,
 *   no other hook), as the ACDC code caches it for SP and HISP ({@code subnetwork_probing/train.py},
 *   {@code do_random_resample_caching(model, validation_patch_data)}, also called by
 *   {@code experiments/launch_sixteen_heads.py}). In particular a task's corrupted-run hooks
 *   ({@link dev.acdc.datasets.Task#corruptedHooks()}, the tracr tasks' position scramble) are not applied: the
 *   ACDC code scrambles positions only in its ACDC experiment ({@code TLACDCExperiment}), never for SP or HISP;</li>
 *   <li>ZERO: zero (the hook then computes m·x);</li>
 *   <li>MEAN: the clean activation's mean over batch and positions; MEAN_PER_POSITION: over the batch.</li>
 * </ul>
 *
 * <p>Post-norm models (Gemma 2): every pass holds each post-norm's rms at the clean run's value
 * ({@link PostNormScales#fixingHooks}), the linearisation the edge patcher uses, so that a masked q/k/v changes its head's
 * share of the attention output and no other head's; {@code hook_mlp_out} is then the MLP's share with the clean scale,
 * and its ablated value is the share of the ablated run's MLP output with that same scale
 * ({@code hook_mlp_out · rms_run / rms_clean}, mean ablation: the mean of {@code hook_mlp_out · rms} over the clean run,
 * divided by each (row, position)'s clean rms). Zero ablation: zero, as without post-norms.
 *
 * <p>Memory: the ablated values live in this object's manager; every array a hook creates hangs off the
 * activation (the left operand), so it lives in the pass's scope.
 */
final class ComponentPatching implements AutoCloseable {

    /** The components of one hook: entries {@code start .. start+count-1} of the mask vector. */
    record Group(String hookName, int start, int count, boolean perHead) {}

    private final List<Component> components;
    private final List<Group> groups;
    private final NDManager manager;
    private final Map<String, NDArray> ablated = new LinkedHashMap<>();   // empty for ZERO
    private final PostNormScales scales;                                   // the clean run's post-norm rms, or null

    /** The components of the problem's model patched under its ablation, as SP and HISP use them. */
    static ComponentPatching of(DiscoveryProblem problem, List<Component> components) {
        return new ComponentPatching(problem.model(), components, problem.ablation(), problem.clean(), problem.corrupted());
    }

    ComponentPatching(HookedTransformer model, List<Component> components, Ablation ablation, ModelInput clean,
                      ModelInput corrupted) {
        this.components = List.copyOf(components);
        this.groups = groups(this.components);
        this.manager = NDManager.newBaseManager(model.device());
        Objects.requireNonNull(ablation, "ablation");
        if (PostNormScales.applies(model.config())) {
            try (NDManager pass = manager.newSubManager()) {
                scales = PostNormScales.capture(model, pass, clean).attachTo(manager);
            }
        } else {
            scales = null;
        }
        if (ablation == Ablation.ZERO) return;
        ModelInput source = ablation == Ablation.RESAMPLE ? Objects.requireNonNull(corrupted, "resample ablation needs corrupted inputs") : clean;
        if (source.batch() != clean.batch() || source.length() != clean.length()) {
            throw new IllegalArgumentException("corrupted inputs are [" + source.batch() + ", " + source.length()
                    + "], expected the clean shape [" + clean.batch() + ", " + clean.length() + "]");
        }
        try (NDManager pass = manager.newSubManager()) {
            Map<String, NDArray> seen = new LinkedHashMap<>();
            List<Hook> hooks = new ArrayList<>();
            for (Group g : groups) {
                hooks.add(new Hook(g.hookName(), x -> {
                    seen.put(g.hookName(), x);
                    return x;
                }));
            }
            PostNormScales own = scales == null ? null : PostNormScales.empty(model.config());
            if (own != null) hooks.addAll(own.recordingHooks());
            model.runWithHooks(pass, source, hooks);
            for (var e : seen.entrySet()) {
                NDArray x = e.getValue();
                int mlpLayer = mlpLayerOf(e.getKey());
                // post-norms: the MLP's output before the division by its run's rms (g ⊙ mlp_raw), linear, so means are means
                if (own != null && mlpLayer >= 0) x = x.mul(own.mlp()[mlpLayer]);
                NDArray a = switch (ablation) {
                    case RESAMPLE -> x.duplicate();
                    case MEAN -> x.mean(new int[] {0}, true).mean(new int[] {1}, true);   // PyTorch engine: one axis per keep-dims mean
                    case MEAN_PER_POSITION -> x.mean(new int[] {0}, true);
                    case ZERO -> throw new AssertionError();
                };
                if (own != null && mlpLayer >= 0) a = a.div(scales.mlp()[mlpLayer]);   // its share with the clean rms [B, P, D]
                a.attach(manager);   // outlives the pass
                ablated.put(e.getKey(), a);
            }
        }
    }

    /** The layer of an MLP component's hook ({@code hook_mlp_out}), or −1 for a q/k/v hook. */
    private int mlpLayerOf(String hookName) {
        for (Component c : components) if (c.isMlp() && c.hookName().equals(hookName)) return c.layer();
        return -1;
    }

    /** Hooks that hold every post-norm's rms at the clean run's (empty without post-norms); part of every pass. */
    List<Hook> postNormHooks() {
        return scales == null ? List.of() : scales.fixingHooks();
    }

    List<Component> components() {
        return components;
    }

    List<Group> groups() {
        return groups;
    }

    /** The ablated activation at a hook, or null under zero ablation. */
    NDArray ablated(String hookName) {
        return ablated.get(hookName);
    }

    /**
     * Hooks that replace every component's activation x by {@code m·x + (1 − m)·a} (computed as
     * {@code (x − a)·m + a}, activation first), with {@code mask} [n] one entry per component in
     * {@link #components()} order. Gradients flow to {@code mask}.
     */
    List<Hook> maskedHooks(NDArray mask) {
        if (mask.getShape().size() != components.size()) {
            throw new IllegalArgumentException("mask has " + mask.getShape().size() + " entries, expected one per component ("
                    + components.size() + ")");
        }
        List<Hook> hooks = new ArrayList<>(postNormHooks());
        for (Group g : groups) {
            NDArray a = ablated.get(g.hookName());
            hooks.add(new Hook(g.hookName(), x -> {
                NDArray slice = mask.get(new NDIndex(g.start() + ":" + (g.start() + g.count())));
                NDArray m = g.perHead() ? slice.reshape(new Shape(1, 1, g.count(), 1)) : slice.reshape(new Shape(1, 1, 1));
                return a == null ? x.mul(m) : x.sub(a).mul(m).add(a);
            }));
        }
        return hooks;
    }

    /** Groups of consecutive components that share a hook; components of one hook must be contiguous, heads ascending. */
    static List<Group> groups(List<Component> components) {
        List<Group> out = new ArrayList<>();
        int i = 0;
        while (i < components.size()) {
            Component c = components.get(i);
            int j = i + 1;
            while (j < components.size() && components.get(j).hookName().equals(c.hookName())) j++;
            for (int k = i; k < j; k++) {
                int expected = c.isMlp() ? -1 : k - i;
                if (components.get(k).head() != expected) {
                    throw new IllegalArgumentException("components of " + c.hookName() + " must be heads 0.. in order, found "
                            + components.subList(i, j));
                }
            }
            out.add(new Group(c.hookName(), i, j - i, !c.isMlp()));
            i = j;
        }
        return List.copyOf(out);
    }

    @Override
    public void close() {
        manager.close();
    }
}
