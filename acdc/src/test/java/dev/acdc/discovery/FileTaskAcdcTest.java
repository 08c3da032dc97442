package dev.acdc.discovery;

import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.datasets.gpt2.IoiTask;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ACDC on task files, on the tiny GPT-2 fixture: a file of the IOI task's prompts gives the built-in task's circuit
 * under its task metric, and on examples of different lengths (padded and masked) the fast path finds the
 * reference path's circuit.
 */
class FileTaskAcdcTest {
    @TempDir
    Path tmp;

    /** A fixture ({@code gpt2-tiny}, {@code gpt2-tokenizer}); the one place that knows where they live. */
    static Path fixture(String name) {
        return Fixtures.path("fixtures/" + name);
    }

    private ModelResolver offline() {
        return new ModelResolver(tmp.resolve("hub"), ModelResolver.DEFAULT_ENDPOINT, true, ModelResolver.Progress.NEVER,
                new PrintStream(new ByteArrayOutputStream()));
    }

    private static AcdcResult acdc(Task task, String metric, Ablation ablation, AcdcOptions options) {
        try (HookedTransformer m = new HookedTransformer(task.weights());
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(m.config()), task.clean(), ablation, task.corrupted(), List.of());
             NDManager scope = NDManager.newBaseManager()) {
            return new Acdc(p, task.metric(metric, p.cleanLogits(scope)), options).run();
        }
    }

    @ParameterizedTest(name = "logit-diff, {0} ablation")
    @EnumSource(value = Ablation.class, names = {"RESAMPLE", "ZERO"})
    void a_file_of_ioi_prompts_gives_the_builtin_ioi_circuit_under_the_logit_difference(Ablation ablation) throws IOException {
        Path model = fixture("gpt2-tiny");
        IoiTask ioi;
        try (HfTokenizer t = HfTokenizer.fromDirectory(fixture("gpt2-tokenizer"))) {
            ioi = new IoiTask(ModelDirectory.load(model).weights(), t, true, 10);
        }
        int[][] clean = ioi.clean().tokens();
        int[][] corrupted = ioi.corrupted().tokens();
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < clean.length; b++) {
            lines.add("{\"clean_ids\": " + Arrays.toString(clean[b]) + ", \"corrupted_ids\": " + Arrays.toString(corrupted[b])
                    + ", \"answer\": " + ioi.ioTokenIds()[b] + ", \"wrong_answer\": " + ioi.sTokenIds()[b] + "}");
        }
        Path file = Files.write(tmp.resolve("ioi10.jsonl"), lines);
        Task fromFile = Tasks.get("file:" + file, TaskOptions.defaults().withModel(model.toString()), offline());

        AcdcResult builtIn = acdc(ioi, IoiTask.LOGIT_DIFF, ablation, AcdcOptions.fast(0.01));
        AcdcResult same = acdc(fromFile, "logit-diff", ablation, AcdcOptions.fast(0.01));
        assertEquals(builtIn.circuit().edgeNames(), same.circuit().edgeNames());
        assertArrayEquals(builtIn.circuit().scores(), same.circuit().scores(), "every edge's effect, bit for bit");
        assertEquals(builtIn.metricFull(), same.metricFull(), 0.0);
        assertEquals(builtIn.metricFinal(), same.metricFinal(), 0.0);
        int kept = same.circuit().edgeCount();
        assertTrue(kept > 0 && kept < same.circuit().graph().edgeCount(), "neither empty nor everything: " + kept);
    }

    @ParameterizedTest(name = "{0} ablation")
    @EnumSource(value = Ablation.class, names = {"RESAMPLE", "ZERO"})
    void on_padded_examples_the_fast_path_finds_the_reference_paths_circuit(Ablation ablation) {
        Path example = Path.of("..", "docs", "example-task.jsonl");
        Task task = Tasks.get("file:" + example, TaskOptions.defaults().withModel(fixture("gpt2-tiny").toString()), offline());
        assertNotNull(task.clean().attendable(), "the example's prompts differ in length");
        for (String metric : List.of("kl", "logit-diff")) {
            for (double tau : new double[] {0.02}) {
                AcdcResult ref = acdc(task, metric, ablation, AcdcOptions.reference(tau));
                AcdcResult fast = acdc(task, metric, ablation, AcdcOptions.fast(tau));
                if (!ref.circuit().edgeNames().equals(fast.circuit().edgeNames())) {
                    assertTrue(FastPathOnLayerNormModelsTest.nearAnEffect(tau, ref) || FastPathOnLayerNormModelsTest.nearAnEffect(tau, fast),
                            metric + " τ = " + tau + ": circuits differ with no effect within rounding of τ");
                    continue;
                }
                double[] a = ref.circuit().scores();
                double[] b = fast.circuit().scores();
                for (int i = 0; i < a.length; i++) {
                    if (Double.isNaN(a[i])) assertTrue(Double.isNaN(b[i]), metric + " τ = " + tau + ", edge " + i);
                    else assertEquals(a[i], b[i], 1e-5 + 1e-4 * Math.abs(a[i]), metric + " τ = " + tau + ", effect of edge " + i);
                }
            }
        }
    }
}
