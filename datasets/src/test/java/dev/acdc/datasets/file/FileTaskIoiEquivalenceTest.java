package dev.acdc.datasets.file;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.datasets.gpt2.IoiPrompt;
import dev.acdc.datasets.gpt2.IoiTask;
import dev.acdc.datasets.gpt2.IoiTokens;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A task file holding the built-in IOI task's prompts computes what the IOI task computes: the same inputs and,
 * on the tiny GPT-2 fixture standing in for GPT-2 (ids reduced as the IOI smoke run reduces them), the same
 * metric values on the clean, corrupted and edge-patched outputs. The circuit ACDC finds is compared through the
 * command line in {@code FileTaskCliTest}.
 */
class FileTaskIoiEquivalenceTest {
    @TempDir
    Path tmp;

    private ModelResolver offline() {
        return new ModelResolver(tmp.resolve("hub"), ModelResolver.DEFAULT_ENDPOINT, true, ModelResolver.Progress.NEVER,
                new PrintStream(new ByteArrayOutputStream()));
    }

    /** The IOI task's token ids and answers, one JSON line per prompt. */
    static List<String> asTaskFile(IoiTask ioi) {
        int[][] clean = ioi.clean().tokens();
        int[][] corrupted = ioi.corrupted().tokens();
        int[] io = ioi.ioTokenIds();
        int[] s = ioi.sTokenIds();
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < clean.length; b++) {
            JsonObject o = new JsonObject();
            o.add("clean_ids", ids(clean[b]));
            o.add("corrupted_ids", ids(corrupted[b]));
            o.addProperty("answer", io[b]);
            o.addProperty("wrong_answer", s[b]);
            lines.add(o.toString());
        }
        return lines;
    }

    private static JsonArray ids(int[] ids) {
        JsonArray a = new JsonArray();
        for (int id : ids) a.add(id);
        return a;
    }

    @ParameterizedTest(name = "{0} ablation")
    @EnumSource(value = Ablation.class, names = {"RESAMPLE", "ZERO"})
    void a_task_file_of_the_ioi_prompts_gives_the_ioi_tasks_inputs_and_metric_values_exactly(Ablation ablation) {
        Path tiny = FileTaskFixtures.tinyGpt2();
        TaskOptions options = TaskOptions.defaults().withModel(tiny.toString()).withTokenizerDir(FileTaskFixtures.gpt2Tokenizer());
        Task ioi = Tasks.get(IoiTask.NAME, options, offline());
        assertTrue(ioi.smokeRun(), "the tiny fixture stands in for GPT-2");
        Path file = FileTaskFixtures.write(tmp.resolve("ioi.jsonl"), asTaskFile((IoiTask) ioi));
        Task fromFile = Tasks.get("file:" + file, TaskOptions.defaults().withModel(tiny.toString()), offline());

        assertArrayEquals(ioi.clean().tokens(), fromFile.clean().tokens());
        assertArrayEquals(ioi.corrupted().tokens(), fromFile.corrupted().tokens());
        assertNull(fromFile.clean().attendable(), "IOI's prompts have one length: nothing padded");
        assertEquals(List.of("kl", "logit-diff", "prob-diff"), fromFile.metricNames());
        assertEquals(ioi.metricNames(), fromFile.metricNames().subList(0, 2));

        try (HookedTransformer model = new HookedTransformer(fromFile.weights());
             EdgePatcher patcher = EdgePatcher.create(model, CircuitGraph.of(model.config()), fromFile.clean(), ablation,
                     fromFile.corrupted(), List.of());
             NDManager scope = NDManager.newBaseManager()) {
            NDArray clean = patcher.cleanLogits(scope);
            BitSet removed = new BitSet();
            for (int id = 0; id < patcher.graph().edgeCount(); id += 3) removed.set(id);
            NDArray patched = patcher.logits(scope, removed);
            NDArray allRemoved = patcher.logits(scope, everyEdge(patcher.graph()));
            for (String name : ioi.metricNames()) {
                Metric builtIn = ioi.metric(name, clean);
                Metric fromTheFile = fromFile.metric(name, clean);
                for (NDArray out : List.of(clean, patched, allRemoved)) {
                    assertEquals(builtIn.evaluate(out), fromTheFile.evaluate(out), 0.0, name);
                }
                assertNotEquals(builtIn.evaluate(clean), builtIn.evaluate(allRemoved), name + " must tell the outputs apart");
            }
        }
    }

    private static BitSet everyEdge(CircuitGraph g) {
        BitSet all = new BitSet();
        all.set(0, g.edgeCount());
        return all;
    }

    @Test
    void the_ioi_prompts_as_text_encode_to_the_ids_and_answers_the_ioi_task_uses() {
        int n = IoiTask.DEFAULT_PROMPTS;
        List<IoiPrompt> prompts = IoiTask.prompts(n);
        List<String> lines = new ArrayList<>();
        for (IoiPrompt p : prompts) {
            JsonObject o = new JsonObject();
            o.addProperty("clean", p.cleanInput());
            o.addProperty("corrupted", p.corruptedInput());
            o.addProperty("answer", p.ioAnswer());
            o.addProperty("wrong_answer", p.sAnswer());
            lines.add(o.toString());
        }
        Path file = FileTaskFixtures.write(tmp.resolve("ioi-text.jsonl"), lines);
        try (HfTokenizer t = HfTokenizer.fromDirectory(FileTaskFixtures.gpt2Tokenizer())) {
            List<IoiTokens> expected = IoiTask.tokens(t, n);
            FileExamples e = FileExamples.encode(TaskFile.read(file), t, "gpt2", Presets.gpt2Small());
            assertEquals(n, e.size());
            for (int i = 0; i < n; i++) {
                FileExamples.Encoded got = e.examples().get(i);
                assertArrayEquals(expected.get(i).inputs().clean(), got.clean(), "prompt " + i);
                assertArrayEquals(expected.get(i).inputs().corrupted(), got.corrupted(), "prompt " + i);
                assertEquals(expected.get(i).ioTokenId(), got.answer(), "prompt " + i);
                assertEquals(expected.get(i).sTokenId(), got.wrongAnswer(), "prompt " + i);
            }
        }
    }
}
