package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ComponentPatchingTest {

    static final List<Component> CS = ComponentCircuits.components(TinyModel.CONFIG);

    @Test
    void ablatedValuesAreTheCorruptedRunTheCleanMeanOrNothing() {
        ModelInput clean = TinyModel.tokens(1), corrupted = TinyModel.tokens(2);
        try (HookedTransformer model = new HookedTransformer(TinyModel.weights(5));
             NDManager s = NDManager.newBaseManager();
             ComponentPatching zero = new ComponentPatching(model, CS, Ablation.ZERO, clean, corrupted);
             ComponentPatching resample = new ComponentPatching(model, CS, Ablation.RESAMPLE, clean, corrupted);
             ComponentPatching mean = new ComponentPatching(model, CS, Ablation.MEAN, clean, corrupted);
             ComponentPatching perPos = new ComponentPatching(model, CS, Ablation.MEAN_PER_POSITION, clean, corrupted)) {
            ActivationCache c = model.runWithCache(s, corrupted);
            ActivationCache k = model.runWithCache(s, clean);
            for (String hook : List.of(HookNames.k(1), HookNames.mlpOut(0))) {
                assertNull(zero.ablated(hook));
                assertArrayEquals(c.get(hook).toFloatArray(), resample.ablated(hook).toFloatArray(), 1e-5f);
                NDArray m = k.get(hook).mean(new int[] {0}, true).mean(new int[] {1}, true);
                assertEquals(m.getShape(), mean.ablated(hook).getShape());
                assertArrayEquals(m.toFloatArray(), mean.ablated(hook).toFloatArray(), 1e-5f);
                assertArrayEquals(k.get(hook).mean(new int[] {0}, true).toFloatArray(), perPos.ablated(hook).toFloatArray(), 1e-5f);
            }
        }
    }

    /**
     * SP and HISP take their ablated values from {@link ComponentPatching#of}. The ACDC code caches them with a plain
     * forward on the corrupted data ({@code do_random_resample_caching(model, validation_patch_data)} in SP,
     * {@code (model, test_patch_data)} in launch_sixteen_heads.py); its tracr position scramble is applied in ACDC
     * runs only. So on tracr-reverse with the scramble on, every cached q, k, v and MLP output is the plain
     * corrupted run's, not the scrambled run's.
     */
    @Test
    void resampleValuesOfSpAndHispAreAPlainCorruptedRunWithoutTheTracrPositionScramble() {
        dev.acdc.datasets.tracr.TracrTask task = dev.acdc.datasets.tracr.TracrTask.reverse(0, true);
        assertFalse(task.corruptedHooks().isEmpty(), "the task scrambles positions in its corrupted run");
        Problems.with(task, Ablation.RESAMPLE, "l2", 0, p -> {
            List<Component> cs = ComponentCircuits.components(p.model().config());
            try (NDManager s = NDManager.newBaseManager(); ComponentPatching patching = ComponentPatching.of(p, cs)) {
                ActivationCache plain = p.model().runWithCache(s, task.corrupted());
                boolean scrambleMatters = false;
                for (ComponentPatching.Group g : patching.groups()) {
                    assertArrayEquals(plain.get(g.hookName()).toFloatArray(), patching.ablated(g.hookName()).toFloatArray(), 0f,
                            g.hookName());
                    List<NDArray> seen = new java.util.ArrayList<>();
                    List<dev.acdc.patching.model.Hook> hooks = new java.util.ArrayList<>(task.corruptedHooks());
                    hooks.add(new dev.acdc.patching.model.Hook(g.hookName(), x -> { seen.add(x); return x; }));
                    p.model().runWithHooks(s, task.corrupted(), hooks);
                    scrambleMatters |= !Arrays.equals(seen.get(0).toFloatArray(), plain.get(g.hookName()).toFloatArray());
                }
                assertTrue(scrambleMatters, "not vacuous: the scrambled run differs at some masked hook point");
            }
            return null;
        });
    }

    @Test
    void masksOfOneGiveTheCleanRunAndAMaskOfZeroTheCorruptedActivation() {
        ModelInput clean = TinyModel.tokens(1), corrupted = TinyModel.tokens(2);
        try (HookedTransformer model = new HookedTransformer(TinyModel.weights(5));
             NDManager s = NDManager.newBaseManager();
             ComponentPatching resample = new ComponentPatching(model, CS, Ablation.RESAMPLE, clean, corrupted)) {
            float[] ones = new float[CS.size()];
            Arrays.fill(ones, 1f);
            assertArrayEquals(model.forward(s, clean).toFloatArray(),
                    model.runWithHooks(s, clean, resample.maskedHooks(s.create(ones))).toFloatArray(), 1e-4f);
            // all masks at 0 changes the output (the clean embeddings still reach the output directly)
            float[] zeros = new float[CS.size()];
            NDArray patched = model.runWithHooks(s, clean, resample.maskedHooks(s.create(zeros)));
            assertFalse(Arrays.equals(model.forward(s, clean).toFloatArray(), patched.toFloatArray()));
            // one component at 0: its activation is exactly the corrupted one
            float[] oneOff = ones.clone();
            int idx = CS.indexOf(Component.v(0, 1));
            oneOff[idx] = 0f;
            ActivationCache pc = model.runWithCache(s, clean, resample.maskedHooks(s.create(oneOff)));
            ActivationCache cc = model.runWithCache(s, corrupted);
            ActivationCache kc = model.runWithCache(s, clean);
            NDArray v = pc.get(HookNames.v(0));
            assertArrayEquals(cc.get(HookNames.v(0)).get(":, :, 1").toFloatArray(), v.get(":, :, 1").toFloatArray(), 1e-5f);
            assertArrayEquals(kc.get(HookNames.v(0)).get(":, :, 0").toFloatArray(), v.get(":, :, 0").toFloatArray(), 1e-5f);
        }
    }
}
