package dev.acdc.datasets.file;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Examples of different lengths, padded on the right and masked, compute what each computes alone: the clean
 * logits at every real position, and every metric of an edge-patched run (the batch's metric is the mean of
 * the examples' own). Run on the tiny GPT-2 fixture (causal) and on a random model without a causal mask, where
 * only the attendable mask keeps padding out of real positions.
 */
class FileTaskPaddingTest {
    @TempDir
    Path tmp;

    private static final List<String> EXAMPLES = List.of(
            "{\"clean_ids\": [5, 17, 42, 8], \"corrupted_ids\": [5, 17, 42, 60], \"answer\": 8, \"wrong_answer\": 60}",
            "{\"clean_ids\": [12, 64, 7, 33, 51, 12, 64], \"corrupted_ids\": [12, 64, 7, 33, 86, 12, 64], \"answer\": 7, \"wrong_answer\": 3}",
            "{\"clean_ids\": [9, 58, 36, 14, 70], \"corrupted_ids\": [9, 58, 36, 14, 95], \"answer\": 70, \"wrong_answer\": 95, \"positions\": [-2]}");

    private ModelResolver offline() {
        return new ModelResolver(tmp.resolve("hub"), ModelResolver.DEFAULT_ENDPOINT, true, ModelResolver.Progress.NEVER,
                new PrintStream(new ByteArrayOutputStream()));
    }

    private Path model(String which) {
        if (which.equals("gpt2-tiny")) return FileTaskFixtures.tinyGpt2();
        TransformerConfig causal = TransformerConfig.gpt2Style("bidirectional", 2, 16, 2, 32, 101, 16, 1e-5);
        TransformerConfig c = new TransformerConfig(causal.name(), causal.nLayers(), causal.dModel(), causal.nHeads(), causal.dHead(),
                causal.dMlp(), causal.dVocab(), causal.dVocabOut(), causal.nCtx(), causal.normalization(), causal.layerNormEps(),
                causal.activation(), false, causal.attentionScale(), causal.separateEmbeddingNodes());
        Random r = new Random(7);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : TransformerWeights.expectedShapes(c).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            float[] d = t.data();
            boolean gain = e.getKey().endsWith(".w") && e.getValue().length == 1;
            for (int i = 0; i < d.length; i++) d[i] = gain ? (float) (1 + 0.1 * r.nextGaussian()) : (float) (0.5 * r.nextGaussian());
            m.put(e.getKey(), t);
        }
        Path dir = tmp.resolve("bidirectional");
        ModelDirectory.save(dir, TransformerWeights.of(c, m));
        return dir;
    }

    private Task task(Path model, String name, List<String> lines) {
        Path file = FileTaskFixtures.write(tmp.resolve(name + ".jsonl"), lines);
        return Tasks.get("file:" + file, TaskOptions.defaults().withModel(model.toString()), offline());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2-tiny", "bidirectional"})
    void a_padded_batch_computes_what_each_example_computes_alone(String which) {
        Path model = model(which);
        Task batch = task(model, "batch", EXAMPLES);
        assertNotNull(batch.clean().attendable(), "the examples differ in length, so the batch is padded");
        for (Ablation ablation : List.of(Ablation.RESAMPLE, Ablation.ZERO)) {
            double[][] alone = new double[EXAMPLES.size()][];
            for (int b = 0; b < EXAMPLES.size(); b++) {
                Task one = task(model, "example" + b, List.of(EXAMPLES.get(b)));
                alone[b] = metricsAndCheckLogits(one, batch, b, ablation);
            }
            double[] together = metricsAndCheckLogits(batch, null, -1, ablation);
            for (int k = 0; k < together.length; k++) {
                double mean = (alone[0][k] + alone[1][k] + alone[2][k]) / 3;
                assertEquals(mean, together[k], 1e-5 * Math.max(1, Math.abs(mean)),
                        which + " " + ablation + " " + batch.metricNames().get(k / 3) + " on output " + k % 3);
            }
        }
    }

    /**
     * Every metric of the task on the clean run, on a run with every third edge removed and on a run with every edge
     * removed; for a one-example task, also checks its clean logits against row {@code row} of {@code batch}'s.
     */
    private static double[] metricsAndCheckLogits(Task task, Task batch, int row, Ablation ablation) {
        try (HookedTransformer model = new HookedTransformer(task.weights());
             EdgePatcher patcher = EdgePatcher.create(model, CircuitGraph.of(model.config()), task.clean(), ablation, task.corrupted(), List.of());
             NDManager scope = NDManager.newBaseManager()) {
            NDArray clean = patcher.cleanLogits(scope);
            if (batch != null) {
                try (HookedTransformer batchModel = new HookedTransformer(batch.weights())) {
                    NDArray padded = batchModel.forward(scope, batch.clean());
                    int length = task.clean().length();
                    float[] own = clean.toFloatArray();
                    float[] inBatch = padded.get(row + ", :" + length + ", :").toFloatArray();
                    assertEquals(own.length, inBatch.length);
                    for (int i = 0; i < own.length; i++) assertEquals(own[i], inBatch[i], 1e-5, "logit " + i + " of row " + row);
                }
            }
            BitSet everyThird = new BitSet();
            for (int id = 0; id < patcher.graph().edgeCount(); id += 3) everyThird.set(id);
            BitSet all = new BitSet();
            all.set(0, patcher.graph().edgeCount());
            List<NDArray> outs = List.of(clean, patcher.logits(scope, everyThird), patcher.logits(scope, all));
            double[] values = new double[task.metricNames().size() * outs.size()];
            int k = 0;
            for (String name : task.metricNames()) {
                var metric = task.metric(name, clean);
                for (NDArray out : outs) values[k++] = metric.evaluate(out);
            }
            return values;
        }
    }
}
