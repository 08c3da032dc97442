package dev.acdc.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.datasets.gpt2.IoiTask;
import dev.acdc.experiments.discover.TaskRun;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code --task file:PATH} through the command line: the shipped example on the tiny GPT-2 fixture, the built-in
 * IOI task's circuit reproduced from a file of its prompts, tasks without a ground truth in discover, roc and
 * reproduce, task-info, and every bad input (one line, exit 2, nothing written).
 */
class FileTaskCliTest {
    /** The example shipped with the project (tests run in the module directory). */
    static final Path EXAMPLE = Path.of("..", "docs", "example-task.jsonl");
    static final Path EXAMPLE_TRUTH = Path.of("..", "docs", "example-ground-truth.txt");

    @TempDir
    Path tmp;

    /** A fixture ({@code gpt2-tiny}, {@code gpt2-tokenizer}); the one place that knows where they live. */
    static Path fixture(String name) {
        return Fixtures.path("fixtures/" + name);
    }

    private Path write(String name, String... lines) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static JsonObject json(CliRun r) {
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out().strip()).getAsJsonObject();
    }

    @ParameterizedTest(name = "--ablation {0}")
    @ValueSource(strings = {"resample", "zero"})
    void the_shipped_example_runs_on_the_tiny_gpt2_and_reports_its_circuit_without_tpr_or_fpr(String ablation) throws IOException {
        Path out = tmp.resolve("example");
        JsonObject line = json(run("discover", "--task", "file:" + EXAMPLE, "--model", fixture("gpt2-tiny").toString(),
                "--threshold", "0.01", "--ablation", ablation, "--json", "--out", out.toString()));
        assertEquals("file:" + EXAMPLE, line.get("task").getAsString());
        assertEquals("kl", line.get("metric").getAsString());
        assertTrue(line.get("tpr").isJsonNull() && line.get("fpr").isJsonNull(), "no ground truth, no rates: " + line);
        assertFalse(line.get("smoke_run").getAsBoolean());
        int kept = line.get("edges_kept").getAsInt();
        assertTrue(kept > 0 && kept < line.get("edges_total").getAsInt(), line.toString());
        JsonObject circuit = JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject();
        assertTrue(circuit.get("ground_truth").isJsonNull());
        assertFalse(circuit.has("false_positives") || circuit.has("false_negatives"), "no ground truth, no errors to list");
        for (var e : circuit.getAsJsonArray("edges")) assertFalse(e.getAsJsonObject().has("in_ground_truth"), e.toString());
        assertFalse(Files.readString(out.resolve("circuit.dot")).contains("false"), "no ground truth, no legend of errors");
        assertEquals(ablation, circuit.getAsJsonObject("options").get("ablation").getAsString());
        assertTrue(Files.exists(out.resolve("circuit.svg")));
    }

    @Test
    void the_summary_line_says_there_is_no_ground_truth_and_a_given_ground_truth_file_gives_rates() {
        Path model = fixture("gpt2-tiny");
        CliRun plain = run("discover", "--task", "file:" + EXAMPLE, "--model", model.toString(), "--threshold", "0.05",
                "--out", tmp.resolve("plain").toString());
        assertEquals(0, plain.code(), plain.err());
        assertTrue(plain.out().contains("no ground truth"), plain.out());
        JsonObject scored = json(run("discover", "--task", "file:" + EXAMPLE, "--model", model.toString(), "--threshold", "0.05",
                "--ground-truth", EXAMPLE_TRUTH.toString(), "--json", "--out", tmp.resolve("scored").toString()));
        double tpr = scored.get("tpr").getAsDouble();
        double fpr = scored.get("fpr").getAsDouble();
        assertTrue(tpr >= 0 && tpr <= 1 && fpr >= 0 && fpr <= 1, scored.toString());
    }

    @Test
    void a_task_file_of_the_ioi_prompts_gives_the_circuit_the_builtin_ioi_task_gives() throws IOException {
        Path model = fixture("gpt2-tiny");
        Path tokenizer = fixture("gpt2-tokenizer");
        IoiTask ioi = (IoiTask) Tasks.get(IoiTask.NAME, TaskOptions.defaults().withModel(model.toString()).withTokenizerDir(tokenizer)
                .withOffline(true));
        int[][] clean = ioi.clean().tokens();
        int[][] corrupted = ioi.corrupted().tokens();
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < clean.length; b++) {
            lines.add("{\"clean_ids\": " + Arrays.toString(clean[b]) + ", \"corrupted_ids\": " + Arrays.toString(corrupted[b])
                    + ", \"answer\": " + ioi.ioTokenIds()[b] + ", \"wrong_answer\": " + ioi.sTokenIds()[b] + "}");
        }
        Path file = write("ioi.jsonl", lines.toArray(String[]::new));

        JsonObject builtIn = json(run("discover", "--task", "ioi", "--model", model.toString(), "--tokenizer", tokenizer.toString(),
                "--offline", "--threshold", "0.01", "--json", "--out", tmp.resolve("ioi").toString()));
        JsonObject fromFile = json(run("discover", "--task", "file:" + file, "--model", model.toString(),
                "--threshold", "0.01", "--json", "--out", tmp.resolve("file").toString()));
        assertEquals(builtIn.get("edges_kept"), fromFile.get("edges_kept"));
        assertEquals(builtIn.get("metric_value").getAsDouble(), fromFile.get("metric_value").getAsDouble(), 0.0);

        JsonObject a = JsonParser.parseString(Files.readString(tmp.resolve("ioi/circuit.json"))).getAsJsonObject();
        JsonObject b = JsonParser.parseString(Files.readString(tmp.resolve("file/circuit.json"))).getAsJsonObject();
        assertEquals(a.get("metric_full").getAsDouble(), b.get("metric_full").getAsDouble(), 0.0);
        assertEquals(a.get("metric_final").getAsDouble(), b.get("metric_final").getAsDouble(), 0.0);
        assertEquals(a.get("tested_edges"), b.get("tested_edges"));
        JsonArray ea = a.getAsJsonArray("edges");
        JsonArray eb = b.getAsJsonArray("edges");
        assertEquals(ea.size(), eb.size());
        int kept = 0;
        for (int i = 0; i < ea.size(); i++) {
            JsonObject withoutTruth = ea.get(i).getAsJsonObject().deepCopy();
            withoutTruth.remove("in_ground_truth");   // the built-in task has a ground truth, the file has none
            assertEquals(withoutTruth, eb.get(i), "edge " + i + ": name, kept and effect");   // effects compared as written: bit for bit
            if (ea.get(i).getAsJsonObject().get("kept").getAsBoolean()) kept++;
        }
        assertTrue(kept > 0 && kept < ea.size(), "a circuit that is neither empty nor the whole graph: " + kept);
    }

    @Test
    void roc_without_a_ground_truth_reports_circuit_sizes_only_and_with_one_its_aucs() throws IOException {
        Path model = fixture("gpt2-tiny");
        Path out = tmp.resolve("roc");
        JsonObject summary = json(run("roc", "--task", "file:" + EXAMPLE, "--model", model.toString(), "--methods", "acdc",
                "--thresholds", "0.01,0.1", "--json", "--out", out.toString()));
        assertTrue(summary.get("ground_truth").isJsonNull());
        assertFalse(summary.keySet().stream().anyMatch(k -> k.startsWith("auc.")), summary.toString());
        List<String> csv = Files.readAllLines(out.resolve("roc.csv"));
        assertEquals(3, csv.size());
        assertTrue(csv.get(1).matches("acdc,threshold,0\\.01,\\d+,,,,"), csv.get(1));
        assertFalse(Files.exists(out.resolve("roc.png")), "no ROC curve without a ground truth");

        Path scored = tmp.resolve("roc-scored");
        JsonObject withTruth = json(run("roc", "--task", "file:" + EXAMPLE, "--model", model.toString(), "--methods", "acdc",
                "--thresholds", "0.01,0.1", "--ground-truth", EXAMPLE_TRUTH.toString(), "--json", "--out", scored.toString()));
        assertEquals(EXAMPLE_TRUTH.toString(), withTruth.get("ground_truth").getAsString());
        double auc = withTruth.get("auc.acdc.edge").getAsDouble();
        assertTrue(auc >= 0 && auc <= 1, withTruth.toString());
        assertTrue(Files.exists(scored.resolve("roc.png")));
    }

    @Test
    void reproduce_runs_a_task_file_whose_defaults_name_a_ground_truth_and_refuses_one_without() throws IOException {
        Path model = fixture("gpt2-tiny");
        Files.copy(EXAMPLE_TRUTH, tmp.resolve("truth.txt"));
        List<String> example = Files.readAllLines(EXAMPLE);
        List<String> lines = new ArrayList<>();
        lines.add("{\"defaults\": {\"ground_truth\": \"truth.txt\"}}");
        lines.addAll(example.subList(1, example.size()));
        Path file = write("with-truth.jsonl", lines.toArray(String[]::new));
        Path out = tmp.resolve("rep");
        JsonObject flat = json(run("reproduce", "--tasks", "file:" + file, "--methods", "acdc", "--ablation", "resample",
                "--metrics", "kl", "--quick", "--model", model.toString(), "--out", out.toString(), "--json"));
        double auc = flat.get("auc.file:" + file + ".kl.resample.acdc.edge").getAsDouble();
        assertTrue(auc >= 0 && auc <= 1, flat.toString());
        assertTrue(Files.exists(out.resolve("roc-" + TaskRun.fileName("file:" + file) + "-kl-resample.png")));

        Path refused = tmp.resolve("refused");
        CliRun r = run("reproduce", "--tasks", "file:" + EXAMPLE, "--methods", "acdc", "--quick", "--model", model.toString(),
                "--out", refused.toString());
        assertOneLineBadInput(r, refused, "has none", "ground_truth");
    }

    @Test
    void task_info_checks_a_task_file_against_the_model_and_describes_it() {
        JsonObject info = json(run("task-info", "--task", "file:" + EXAMPLE, "--model", fixture("gpt2-tiny").toString(), "--json"));
        assertEquals(8, info.get("size").getAsInt());
        assertEquals(11, info.get("seq_len").getAsInt());
        assertEquals(7, info.get("min_len").getAsInt());
        assertTrue(info.get("padded").getAsBoolean());
        assertEquals(List.of("kl", "logit-diff", "prob-diff"), List.copyOf(info.getAsJsonObject("metrics").keySet()));
        assertTrue(info.get("ground_truth").isJsonNull());
        JsonObject first = info.getAsJsonArray("examples").get(0).getAsJsonObject();
        assertEquals(2, first.get("line").getAsInt(), "line 1 is the defaults line");
        assertEquals(8, first.get("answer").getAsInt());
        assertEquals(6, first.getAsJsonArray("positions").get(0).getAsInt());
    }

    @Test
    void a_task_name_becomes_a_file_name_without_slashes_or_colons() {
        assertEquals("file-docs-example-task.jsonl", TaskRun.fileName("file:docs/example-task.jsonl"));
        assertEquals("ioi", TaskRun.fileName("ioi"));
    }

    static void assertOneLineBadInput(CliRun r, Path out, String... parts) {
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "stderr should mention '" + p + "': " + r.err());
        assertFalse(Files.exists(out), "nothing written: " + out);
    }

    /** Every bad input the issue names, through discover: one line naming the file, line and field; exit 2; nothing written. */
    @Test
    void every_bad_input_is_one_line_exit_two_and_nothing_written() throws IOException {
        String model = fixture("gpt2-tiny").toString();
        String tokenizer = fixture("gpt2-tokenizer").toString();
        String ok = "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6]}";
        String okAnswers = "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6], \"answer\": 7, \"wrong_answer\": 8}";
        Path missing = tmp.resolve("missing.jsonl");
        Path malformed = write("malformed.jsonl", ok, ok, "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6]");
        Path outsideVocab = write("vocab.jsonl", ok, "{\"clean_ids\": [1, 2, 500], \"corrupted_ids\": [4, 5, 6]}");
        Path textOutsideVocab = write("text.jsonl", ok, "{\"clean\": \"When Mary and John\", \"corrupted\": \"When Anne and John\"}");
        Path notUnicode = write("surrogate.jsonl", ok, ok, "{\"clean\": \"a\\ud800b\", \"corrupted_ids\": [1, 2]}");
        Path twoTokens = write("answer.jsonl", okAnswers, "{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4], \"answer\": \" Mary and\", \"wrong_answer\": 5}");
        Path lengths = write("lengths.jsonl", ok, "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5]}");
        Path ragged = write("ragged.jsonl", ok, "{\"clean_ids\": [1, 2], \"corrupted_ids\": [4, 5]}");
        Path badEdges = write("edges.txt", "a1.0->output", "a1.9->output");
        Path badDefaultsTruth = write("defaults-truth.jsonl", "{\"defaults\": {\"ground_truth\": \"edges.txt\"}}", ok);
        String[][] cases = {
                {"file:" + missing, "--model", model, "|", missing + ": no such file"},
                {"file:" + malformed, "--model", model, "|", malformed + " line 3: malformed JSON"},
                {"file:" + outsideVocab, "--model", model, "|", outsideVocab + " line 2, field clean_ids: id 500 (element 2) is outside the vocabulary"},
                {"file:" + textOutsideVocab, "--model", model, "--tokenizer", tokenizer, "|", textOutsideVocab + " line 2, field clean:", "outside the vocabulary"},
                {"file:" + notUnicode, "--model", model, "--tokenizer", tokenizer, "|", notUnicode + " line 3, field clean: the tokenizer cannot encode this text"},
                {"file:" + twoTokens, "--model", model, "--tokenizer", tokenizer, "|", twoTokens + " line 2, field answer:", "an answer must be a single token"},
                {"file:" + lengths, "--model", model, "|", lengths + " line 2, field corrupted_ids: 3 tokens in clean_ids but 2 in corrupted_ids"},
                {"file:" + malformed.getFileName(), "|", "no such file"},   // the file is read before the model is asked for
                {"file:" + ragged, "|", "needs a model: pass --model"},
                {"file:" + ragged, "--model", model, "--ablation", "mean", "|", "--ablation mean", "pads its examples"},
                {"file:" + ragged, "--model", model, "--data", "acdc-code", "|", "--data acdc-code", "has only our data"},
                {"file:" + ragged, "--model", model, "--ground-truth", badEdges.toString(), "|", badEdges + " line 2: \"a1.9->output\" is not an edge"},
                {"file:" + ragged, "--model", model, "--ground-truth", tmp.resolve("nope.txt").toString(), "|", "--ground-truth", "no such file"},
                {"file:" + badDefaultsTruth, "--model", model, "|", badEdges.toAbsolutePath() + " line 2: \"a1.9->output\" is not an edge"},
        };
        for (int i = 0; i < cases.length; i++) {
            int bar = Arrays.asList(cases[i]).indexOf("|");
            Path out = tmp.resolve("out" + i);
            List<String> args = new ArrayList<>(List.of("discover", "--task"));
            args.addAll(Arrays.asList(cases[i]).subList(0, bar));
            args.addAll(List.of("--threshold", "0.01", "--out", out.toString()));
            assertOneLineBadInput(run(args.toArray(String[]::new)), out,
                    Arrays.copyOfRange(cases[i], bar + 1, cases[i].length));
        }
    }

    @Test
    void roc_and_task_info_refuse_a_bad_file_the_same_way() throws IOException {
        String model = fixture("gpt2-tiny").toString();
        Path bad = write("bad.jsonl", "{\"clean_ids\": [1], \"corrupted_ids\": [2]}", "{\"clean_ids\": [1], \"corupted_ids\": [2]}");
        Path out = tmp.resolve("roc");
        assertOneLineBadInput(run("roc", "--task", "file:" + bad, "--model", model, "--out", out.toString()), out,
                bad + " line 2, field corupted_ids: unknown field");
        CliRun info = run("task-info", "--task", "file:" + bad, "--model", model);
        assertOneLineBadInput(info, out, bad + " line 2, field corupted_ids: unknown field");
    }
}
