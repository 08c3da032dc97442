package dev.acdc.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class TaskInfoCommandTest {
    @TempDir
    Path tmp;

    private static Path fixture(String rel) {
        return Fixtures.path(rel);
    }

    private static void assertOneLineBadInput(CliRun r, String... parts) {
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "stderr should mention '" + p + "': " + r.err());
    }

    @Test
    void ioi_json_with_a_tokenizer_gives_the_dataset_and_the_canonical_circuit() {
        Path tok = fixture("fixtures/gpt2-tokenizer");
        CliRun r = run("task-info", "--task", "ioi", "--tokenizer", tok.toString(), "--hf-cache", tmp.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("ioi", o.get("task").getAsString());
        assertEquals(100, o.get("size").getAsInt());
        assertEquals(15, o.get("seq_len").getAsInt());
        assertEquals(1041, o.get("canonical_edges").getAsInt());
        assertTrue(o.get("canonical_nodes").getAsInt() > 26);
        assertTrue(o.getAsJsonObject("metrics").has("logit-diff"));
        JsonArray ex = o.getAsJsonArray("examples");
        assertEquals(3, ex.size());
        JsonObject e0 = ex.get(0).getAsJsonObject();
        assertTrue(e0.get("clean").getAsString().startsWith("Then,"), e0.toString());
        assertEquals(15, e0.getAsJsonArray("clean_ids").size());
        assertEquals(15, e0.getAsJsonArray("corrupted_ids").size());
    }

    @Test
    void greater_than_text_output_names_the_metric_and_circuit() {
        Path tok = fixture("fixtures/gpt2-tokenizer");
        CliRun r = run("task-info", "--task", "greater-than", "--tokenizer", tok.toString(), "--prompts", "5");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prob-diff"), r.out());
        assertTrue(r.out().contains("262 edges"), r.out());
        assertTrue(r.out().contains("lasted from the year"), r.out());
        assertTrue(r.out().contains("prompts           5"), r.out());
    }

    @Test
    void docstring_without_a_tokenizer_prints_text_prompts_and_the_37_edge_circuit() {
        CliRun r = run("task-info", "--task", "docstring", "--hf-cache", tmp.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(37, o.get("canonical_edges").getAsInt());
        assertEquals(50, o.get("size").getAsInt());
        assertTrue(o.get("seq_len").isJsonNull());
        JsonObject e0 = o.getAsJsonArray("examples").get(0).getAsJsonObject();
        assertTrue(e0.get("clean").getAsString().contains(":param"), e0.toString());
        assertFalse(e0.has("clean_ids"));
    }

    @Test
    void the_tokenizer_of_a_cached_gpt2_is_used_without_the_tokenizer_flag() throws java.io.IOException {
        Path tok = fixture("fixtures/gpt2-tokenizer");
        Path snap = java.nio.file.Files.createDirectories(tmp.resolve("models--gpt2").resolve("snapshots").resolve("abc"));
        java.nio.file.Files.writeString(snap.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        java.nio.file.Files.writeString(snap.resolve("model.safetensors"), "not read by task-info");
        java.nio.file.Files.copy(tok.resolve("tokenizer.json"), snap.resolve("tokenizer.json"));
        CliRun r = run("task-info", "--task", "ioi", "--hf-cache", tmp.toString(), "--prompts", "4", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(snap.toAbsolutePath().normalize().toString(), o.get("tokenizer").getAsString());
        assertEquals(4, o.get("size").getAsInt());
        assertEquals(15, o.get("seq_len").getAsInt());
    }

    @Test
    void tracr_reverse_and_induction_are_described_from_the_built_task() {
        CliRun r = run("task-info", "--task", "tracr-reverse", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("tracr-reverse", o.get("task").getAsString());
        assertTrue(o.get("size").getAsInt() > 0 && o.get("seq_len").getAsInt() > 1, o.toString());
        assertEquals(java.util.List.of("l2", "kl"), new java.util.ArrayList<>(o.getAsJsonObject("metrics").keySet()));
        assertEquals("l2", o.get("default_metric").getAsString());
        assertTrue(o.get("canonical_edges").getAsInt() > 0 && o.get("canonical_nodes").getAsInt() > 0, o.toString());
        JsonObject e0 = o.getAsJsonArray("examples").get(0).getAsJsonObject();
        assertEquals(o.get("seq_len").getAsInt(), e0.getAsJsonArray("clean_ids").size());

        CliRun text = run("task-info", "--task", "induction");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("nll") && text.out().contains("canonical circuit"), text.out());
        assertOneLineBadInput(run("task-info", "--task", "tracr-proportion", "--prompts", "3"), "--prompts", "fixed");
    }

    @Test
    void help_lists_the_tasks_metrics_ablations_and_methods_from_the_registries() {
        for (String command : java.util.List.of("discover", "roc", "reproduce", "task-info")) {
            CliRun r = run(command, "--help");
            assertEquals(0, r.code(), r.err());
            for (String t : dev.acdc.datasets.Tasks.names()) {
                String metrics = String.join(", ", dev.acdc.datasets.Tasks.metricNames(t));
                assertTrue(r.out().lines().anyMatch(l -> l.strip().matches(java.util.regex.Pattern.quote(t) + " +" + java.util.regex.Pattern.quote(metrics))),
                        command + ": " + r.out());
            }
            if (command.equals("task-info")) continue;
            for (String m : dev.acdc.experiments.discover.MethodFactory.NAMES) assertTrue(r.out().contains(m), command + " " + m);
            java.util.List<String> ablations = command.equals("reproduce") ? dev.acdc.experiments.reproduce.ReproduceCommand.ABLATIONS
                    : dev.acdc.experiments.discover.TaskRun.ABLATIONS;
            assertTrue(r.out().contains("Ablations: " + String.join(", ", ablations)), command + ": " + r.out());
            assertTrue(r.out().contains("Methods: " + String.join(", ", dev.acdc.experiments.discover.MethodFactory.NAMES)), r.out());
        }
    }

    @Test
    void ioi_without_any_tokenizer_asks_for_one() {
        CliRun r = run("task-info", "--task", "ioi", "--hf-cache", tmp.toString());
        assertOneLineBadInput(r, "--tokenizer", "gpt2");
    }

    @Test
    void unknown_task_lists_the_tasks() {
        assertOneLineBadInput(run("task-info", "--task", "nope"), "nope", "ioi", "greater-than", "docstring");
    }

    @Test
    void tokenizer_directory_without_a_tokenizer_is_bad_input() {
        assertOneLineBadInput(run("task-info", "--task", "ioi", "--tokenizer", tmp.toString()), "--tokenizer", tmp.toString());
    }
}
