package dev.acdc.datasets.file;

import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.model.HookedTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.acdc.datasets.file.FileTaskFormatTest.assertRefusal;
import static dev.acdc.datasets.file.FileTaskFixtures.write;
import static org.junit.jupiter.api.Assertions.*;

/** {@code Tasks.get("file:PATH", …)}: the model, the tokenizer and the ground truth a task file is read with. */
class FileTaskLoadTest {
    @TempDir
    Path tmp;

    private ModelResolver offline() {
        return new ModelResolver(tmp.resolve("hub"), ModelResolver.DEFAULT_ENDPOINT, true, ModelResolver.Progress.NEVER,
                new PrintStream(new ByteArrayOutputStream()));
    }

    private Task load(Path file, TaskOptions options) {
        return Tasks.get("file:" + file, options, offline());
    }

    private static TaskOptions tiny() {
        return TaskOptions.defaults().withModel(FileTaskFixtures.tinyGpt2().toString());
    }

    @Test
    void file_names_are_tasks_and_a_file_task_needs_a_model() {
        assertTrue(Tasks.isTask("file:anything.jsonl"));
        assertFalse(Tasks.isTask("anything.jsonl"));
        Path f = write(tmp.resolve("t.jsonl"), List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2]}"));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> load(f, TaskOptions.defaults()));
        assertTrue(ex.getMessage().contains("needs a model: pass --model"), ex.getMessage());
    }

    @Test
    void a_missing_file_is_reported_before_the_model_is_looked_for() {
        Path missing = tmp.resolve("missing.jsonl");
        TaskFileException ex = assertThrows(TaskFileException.class, () -> load(missing, TaskOptions.defaults().withModel("no-such-model")));
        assertRefusal(ex, missing, 0, null, "no such file");
    }

    @Test
    void text_prompts_run_on_the_tiny_model_with_a_tokenizer_from_the_flag_or_from_the_model_directory() throws IOException {
        Path f = write(tmp.resolve("t.jsonl"), List.of(
                "{\"clean\": \"ab ba\", \"corrupted\": \"ab ab\", \"answer\": \" a\", \"wrong_answer\": \" b\"}",
                "{\"clean\": \"ba\", \"corrupted\": \"bb\", \"answer\": \" b\", \"wrong_answer\": \" a\"}"));
        Path letters = FileTaskFixtures.letterTokenizer(tmp.resolve("letters"));
        Task t = load(f, tiny().withTokenizerDir(letters));
        assertArrayEquals(new int[][] {{0, 1, 28, 0}, {1, 0, 0, 0}}, t.clean().tokens());
        assertArrayEquals(new boolean[] {true, true, false, false}, t.clean().attendable()[1]);
        try (HookedTransformer m = new HookedTransformer(t.weights()); NDManager scope = NDManager.newBaseManager()) {
            var clean = m.forward(scope, t.clean());
            assertEquals(0.0, t.metric("kl", clean).evaluate(clean), 1e-6);
            assertTrue(Double.isFinite(t.metric("prob-diff", clean).evaluate(clean)));
        }

        Path modelWithTokenizer = Files.createDirectories(tmp.resolve("tiny-with-tokenizer"));
        for (String name : List.of("config.json", "model.safetensors")) {
            Files.copy(FileTaskFixtures.tinyGpt2().resolve(name), modelWithTokenizer.resolve(name));
        }
        for (String name : List.of("vocab.json", "merges.txt")) Files.copy(letters.resolve(name), modelWithTokenizer.resolve(name));
        Task own = load(f, TaskOptions.defaults().withModel(modelWithTokenizer.toString()));
        assertArrayEquals(t.clean().tokens(), own.clean().tokens());
    }

    @Test
    void text_for_another_tokenizers_vocabulary_is_refused_naming_the_line() {
        Path f = write(tmp.resolve("t.jsonl"), List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2]}",
                "{\"clean\": \"When Mary and John\", \"corrupted\": \"When Anne and John\"}"));
        TaskFileException ex = assertThrows(TaskFileException.class, () -> load(f, tiny().withTokenizerDir(FileTaskFixtures.gpt2Tokenizer())));
        assertRefusal(ex, f, 2, "clean", "outside the vocabulary of model 'gpt2-tiny' (ids 0..100)");
        TaskFileException none = assertThrows(TaskFileException.class, () -> load(f, tiny()));
        assertRefusal(none, f, 2, "clean", "text needs a tokenizer, and the model has none: pass --tokenizer DIR");
    }

    @Test
    void the_defaults_ground_truth_is_read_relative_to_the_task_file_and_checked_against_the_models_graph() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mytask"));
        write(dir.resolve("truth.txt"), List.of("a1.2->output", "embed->a0.1.k"));
        Path f = write(dir.resolve("t.jsonl"), List.of("{\"defaults\": {\"ground_truth\": \"truth.txt\"}}",
                "{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]}"));
        Task t = load(f, tiny());
        assertEquals("truth.txt", t.defaultGroundTruth());
        assertEquals(List.of("a1.2->output", "embed->a0.1.k"), t.groundTruths().get("truth.txt"));

        write(dir.resolve("truth.txt"), List.of("a1.2->output", "a2.0->output"));
        TaskFileException ex = assertThrows(TaskFileException.class, () -> load(f, tiny()));
        assertRefusal(ex, dir.resolve("truth.txt").toAbsolutePath(), 2, null, "\"a2.0->output\" is not an edge of model 'gpt2-tiny'");
    }

    @Test
    void without_a_ground_truth_the_task_has_none_and_no_default() {
        Path f = write(tmp.resolve("t.jsonl"), List.of("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]}",
                "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [3, 4, 5]}"));
        Task t = load(f, tiny());
        assertTrue(t.groundTruths().isEmpty());
        assertNull(t.defaultGroundTruth());
        assertEquals("file:" + f, t.name());
        assertFalse(t.smokeRun(), "a file task runs on the model it names: nothing stands in for anything");
        assertTrue(t.description().contains("2 examples of 2 to 3 tokens (padded to 3)"), t.description());
        assertEquals(List.of("kl"), t.metricNames());
    }
}
