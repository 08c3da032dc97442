package dev.acdc.patching.load;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.patching.load.Gpt2TinyFixture.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The golden test end to end: HF checkpoint → loader → DJL forward pass → expected.json. */
class HookedTransformerGoldenTest {
    @TempDir
    Path tmp;

    /** [P, X] rows of a [1, P, X] array. */
    private static double[][] rows(NDArray a) {
        long[] s = a.getShape().getShape();
        int p = (int) s[1], x = (int) s[2];
        float[] flat = a.toFloatArray();
        double[][] out = new double[p][x];
        for (int i = 0; i < p; i++) for (int j = 0; j < x; j++) out[i][j] = flat[i * x + j];
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"model.safetensors", "model_prefixed.safetensors"})
    void logitsMatchExpectedJsonForBothKeyNamings(String weightsFile) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.copy(Gpt2TinyFixture.dir().resolve("config.json"), dir.resolve("config.json"));
        Files.copy(Gpt2TinyFixture.dir().resolve(weightsFile), dir.resolve("model.safetensors"));
        TransformerWeights w = ModelDirectory.load(dir).weights();
        try (HookedTransformer m = new HookedTransformer(w); NDManager scope = NDManager.newBaseManager()) {
            for (Case c : cases()) {
                double diff = maxAbsDiff(rows(m.forward(scope, new int[][] {c.ids()})), c.logits());
                assertTrue(diff < TOL, weightsFile + " " + c.name() + ": max |logit diff| " + diff + " ≥ " + TOL);
            }
        }
    }

    @Test
    void cachedActivationsMatchExpectedJson() {
        TransformerWeights w = ModelDirectory.load(Gpt2TinyFixture.dir()).weights();
        JsonObject act = expected().getAsJsonObject("activations");
        int[] ids = ints(act.getAsJsonArray("input_ids"));
        try (HookedTransformer m = new HookedTransformer(w); NDManager scope = NDManager.newBaseManager()) {
            ActivationCache cache = m.runWithCache(scope, ModelInput.of(new int[][] {ids}));
            assertTrue(maxAbsDiff(rows(cache.get(HookNames.EMBED)), matrix(act.getAsJsonArray("hook_embed"))) < TOL, "hook_embed");
            assertTrue(maxAbsDiff(rows(cache.get(HookNames.POS_EMBED)), matrix(act.getAsJsonArray("hook_pos_embed"))) < TOL, "hook_pos_embed");
            double[][][] residPre = cube(act.getAsJsonArray("resid_pre")), attnOut = cube(act.getAsJsonArray("attn_out")),
                    mlpOut = cube(act.getAsJsonArray("mlp_out")), residPost = cube(act.getAsJsonArray("resid_post"));
            for (int l = 0; l < 2; l++) {
                assertTrue(maxAbsDiff(rows(cache.get(HookNames.residPre(l))), residPre[l]) < TOL, "resid_pre " + l);
                assertTrue(maxAbsDiff(rows(cache.get(HookNames.attnOut(l))), attnOut[l]) < TOL, "attn_out " + l);
                assertTrue(maxAbsDiff(rows(cache.get(HookNames.mlpOut(l))), mlpOut[l]) < TOL, "mlp_out " + l);
                assertTrue(maxAbsDiff(rows(cache.get(HookNames.residPost(l))), residPost[l]) < TOL, "resid_post " + l);
            }
            assertTrue(maxAbsDiff(rows(cache.get(HookNames.LN_FINAL)), matrix(act.getAsJsonArray("ln_final"))) < TOL, "ln_final");
        }
    }
}
