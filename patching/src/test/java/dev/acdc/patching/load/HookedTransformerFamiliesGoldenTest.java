package dev.acdc.patching.load;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.acdc.patching.load.HfFixture.TOL;
import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end for every Hugging Face family fixture: config.json and model.safetensors through the loader into the
 * runtime, against the logits and named activations transformers 4.47 computed, for every prompt, one prompt per
 * pass and both in one batch.
 */
class HookedTransformerFamiliesGoldenTest {

    static Stream<String> fixtures() {
        return HfFixture.NAMES.stream();
    }

    private static int[][] allPrompts(HfFixture f) {
        return f.cases().stream().map(HfFixture.Case::ids).toArray(int[][]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void logitsMatchTransformersForEveryPromptAloneAndBatched(String name) {
        HfFixture f = HfFixture.load(name);
        LoadedModel loaded = ModelDirectory.load(f.dir());
        assertEquals(LoadedModel.Format.HF_DECODER, loaded.format());
        try (HookedTransformer m = new HookedTransformer(loaded.weights()); NDManager scope = NDManager.newBaseManager()) {
            for (HfFixture.Case c : f.cases()) {
                double alone = HfFixture.maxAbsDiff(m.forward(scope, new int[][] {c.ids()}), 0, c.logits(), c.name() + " logits");
                assertTrue(alone < TOL, name + " " + c.name() + ": max |logit diff| " + alone);
            }
            NDArray batched = m.forward(scope, allPrompts(f));
            for (int b = 0; b < f.cases().size(); b++) {
                HfFixture.Case c = f.cases().get(b);
                double diff = HfFixture.maxAbsDiff(batched, b, c.logits(), c.name() + " logits (batched)");
                assertTrue(diff < TOL, name + " " + c.name() + " batched: max |logit diff| " + diff);
            }
        }
    }

    /** Read-only hooks on every fixture name: the fused (unsplit) path, where ln1.hook_normalized exists. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyNamedActivationMatchesOnTheFusedPathAloneAndBatched(String name) {
        HfFixture f = HfFixture.load(name);
        try (HookedTransformer m = new HookedTransformer(ModelDirectory.load(f.dir()).weights()); NDManager scope = NDManager.newBaseManager()) {
            for (int b = 0; b < f.cases().size(); b++) {
                HfFixture.Case c = f.cases().get(b);
                compare(name + " " + c.name(), f, c, read(m, scope, f, new int[][] {c.ids()}), 0);
            }
            Map<String, NDArray> batched = read(m, scope, f, allPrompts(f));
            for (int b = 0; b < f.cases().size(); b++) {
                HfFixture.Case c = f.cases().get(b);
                compare(name + " " + c.name() + " (batched)", f, c, batched, b);
            }
        }
    }

    /** runWithCache splits the q/k/v inputs per head; every activation but ln1's normalized stream is cached. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyCachedActivationMatchesOnTheSplitPath(String name) {
        HfFixture f = HfFixture.load(name);
        try (HookedTransformer m = new HookedTransformer(ModelDirectory.load(f.dir()).weights()); NDManager scope = NDManager.newBaseManager()) {
            ActivationCache cache = m.runWithCache(scope, ModelInput.of(allPrompts(f)));
            Map<String, NDArray> cached = new HashMap<>();
            for (String h : f.hookNames()) if (cache.contains(h)) cached.put(h, cache.get(h));
            for (int b = 0; b < f.cases().size(); b++) {
                HfFixture.Case c = f.cases().get(b);
                compare(name + " " + c.name() + " (cached)", f, c, cached, b);
                double logits = HfFixture.maxAbsDiff(cache.logits(), b, c.logits(), "logits");
                assertTrue(logits < TOL, name + " cached logits: " + logits);
            }
            for (int l = 0; l < m.config().nLayers(); l++) {
                assertFalse(cache.contains(HookNames.ln1Normalized(l)), "a split pass normalizes per head, not the stream");
                assertTrue(cached.containsKey(HookNames.z(l)));
            }
        }
    }

    private static Map<String, NDArray> read(HookedTransformer m, NDManager scope, HfFixture f, int[][] prompts) {
        Map<String, NDArray> seen = new HashMap<>();
        List<Hook> hooks = new ArrayList<>();
        for (String h : f.hookNames()) {
            hooks.add(new Hook(h, x -> {
                seen.put(h, x);
                return x;
            }));
        }
        m.runWithHooks(scope, ModelInput.of(prompts), hooks);
        assertEquals(f.hookNames().size(), seen.size(), "every fixture hook fired once: " + seen.keySet());
        return seen;
    }

    private static void compare(String what, HfFixture f, HfFixture.Case c, Map<String, NDArray> got, int row) {
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (String h : f.hookNames()) {
            NDArray a = got.get(h);
            if (a == null) continue;
            double diff = HfFixture.maxAbsDiff(a, row, c.activations().get(h), h);
            if (!(diff < TOL)) failures.add(h + " " + diff);
            compared++;
        }
        assertEquals(got.size(), compared, what + ": activations compared");
        assertTrue(compared >= f.hookNames().size() - 2, what + ": only " + compared + " of " + f.hookNames().size() + " compared");
        assertTrue(failures.isEmpty(), what + ": max |diff| ≥ " + TOL + " at " + failures);
    }
}
