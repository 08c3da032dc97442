package dev.acdc.discovery;

import ai.djl.ndarray.NDManager;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The receivers ACDC decides, in the order it decides them, as the reference walks its graph.
 *
 * <p>The reference's own test ({@code tests/acdc/test_acdc.py::test_induction_several_steps}, acdc at bc99ace8)
 * runs ten steps on a 2-layer, 8-head attention-only model whose output keeps heads 1.6 and 1.5, and expects
 * effect sizes on exactly the edges into: the output; {@code attn.hook_q}, {@code hook_k}, {@code hook_v} of heads
 * 6 and 5; and {@code hook_v_input} of head 6. Its ten steps are the output, the two kept heads' {@code hook_result}
 * nodes (placeholders, no edge tested), the six computed q/k/v, and the first head input, which is a v input:
 * v inputs come before k and q inputs. Here a model whose other layer-1 heads write nothing (W_O = 0) makes the
 * output keep exactly those two heads, and the walk must be the reference's.
 */
class ReceiverWalkTest {

    static final TransformerConfig ATTN_ONLY = new TransformerConfig("attn-only-2x8", 2, 16, 8, 2, 0, 11, 11, 8,
            TransformerConfig.Normalization.LAYERNORM, 1e-5, TransformerConfig.Activation.GELU_NEW, true, 1 / Math.sqrt(2), false);

    @Test
    void afterTheOutputComeTheComputedVKQOfTheKeptHeadsThenTheirVInputs() {
        TransformerWeights w = FastPathOnLayerNormModelsTest.randomWeights(ATTN_ONLY, 31);
        Tensor wo = w.get(WeightNames.wO(1));                                   // [H, d, D]
        int perHead = wo.dim(1) * wo.dim(2);
        for (int h = 0; h < 8; h++) {
            if (h == 5 || h == 6) continue;
            for (int i = h * perHead; i < (h + 1) * perHead; i++) wo.data()[i] = 0f;
        }
        List<String> decided = new ArrayList<>();
        try (HookedTransformer m = new HookedTransformer(w);
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(ATTN_ONLY), FastPathOnLayerNormModelsTest.tokens(ATTN_ONLY, 8, 8, 32),
                     Ablation.RESAMPLE, FastPathOnLayerNormModelsTest.tokens(ATTN_ONLY, 8, 8, 33), List.of());
             NDManager scope = NDManager.newBaseManager()) {
            Metric kl = Metrics.klDivergence(p.cleanLogits(scope), ScoredPositions.last());
            AcdcResult r = new Acdc(p, kl, AcdcOptions.reference(1e-9)).run(AcdcJournal.none(), progress -> {
                if (!progress.skipped()) decided.add(progress.receiver().name());
            });
            List<String> outputKeeps = r.circuit().edgeNames().stream()
                    .filter(e -> e.startsWith("a1.") && e.endsWith("->output")).toList();
            assertEquals(List.of("a1.5->output", "a1.6->output"), outputKeeps.stream().sorted().toList(),
                    "the output keeps exactly the two live layer-1 heads");
            assertTrue(r.circuit().edgeNames().contains("a1.6.v->a1.6.hook_v"), "head 1.6 keeps its value");
        }
        assertEquals(List.of("output", "a1.6.hook_v", "a1.5.hook_v", "a1.6.hook_k", "a1.5.hook_k", "a1.6.hook_q", "a1.5.hook_q",
                "a1.6.v"), decided.subList(0, 8));
    }
}
