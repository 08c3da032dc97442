package dev.acdc.datasets;

import dev.acdc.patching.load.ModelLoadException;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TasksTest {
    @TempDir
    Path tmp;

    private ModelResolver emptyOfflineCache() {
        return new ModelResolver(tmp.resolve("hub"), ModelResolver.DEFAULT_ENDPOINT, true, ModelResolver.Progress.NEVER,
                new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void names_list_the_gpt2_and_tracr_tasks() {
        assertEquals(List.of("tracr-reverse", "tracr-proportion", "induction", "ioi", "greater-than", "docstring"), Tasks.names());
    }

    @Test
    void the_metric_names_known_without_building_a_task_are_those_the_built_task_offers() {
        for (String name : java.util.List.of("tracr-reverse", "tracr-proportion", "induction")) {
            assertEquals(Tasks.get(name, TaskOptions.defaults()).metricNames(), Tasks.metricNames(name), name);
        }
        assertEquals(dev.acdc.datasets.gpt2.IoiTask.METRICS, Tasks.metricNames("ioi"));
        for (String name : Tasks.names()) assertFalse(Tasks.metricNames(name).isEmpty(), name);
    }

    @Test
    void unknown_task_names_the_known_ones() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Tasks.get("nope", TaskOptions.defaults()));
        assertTrue(ex.getMessage().contains("ioi"), ex.getMessage());
    }

    @Test
    void tracr_tasks_are_compiled_with_the_acdc_data_and_the_position_scramble_by_default() {
        Task reverse = Tasks.get("tracr-reverse", TaskOptions.defaults());
        assertEquals(6, reverse.clean().batch());
        assertEquals(4, reverse.clean().length());
        assertEquals(1, reverse.corruptedHooks().size(), "positions are scrambled in the corrupted run");
        assertEquals(15, reverse.groundTruths().get("published").size());
        assertEquals(10, Tasks.get("tracr-proportion", TaskOptions.defaults()).groundTruths().get("published").size());
    }

    @Test
    void the_acdc_code_data_variant_builds_the_tracr_tasks_as_the_acdc_code_ran_them_and_only_those() {
        TaskOptions acdcCode = TaskOptions.defaults().withData(DataVariant.ACDC_CODE);
        Task proportion = Tasks.get("tracr-proportion", acdcCode);
        assertEquals("tracr-proportion:acdc-code", proportion.name());
        assertEquals(4, proportion.clean().length(), "no BOS");
        assertEquals("tracr-reverse:acdc-code", Tasks.get("tracr-reverse", acdcCode).name());
        for (String other : List.of("induction", "ioi", "greater-than", "docstring")) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Tasks.get(other, acdcCode.withOffline(true)));
            assertTrue(ex.getMessage().startsWith("--data acdc-code: task " + other + " has only our data"), ex.getMessage());
        }
    }

    @Test
    void an_unavailable_model_gives_one_line_saying_where_it_looked_and_how_to_provide_it() {
        for (String task : List.of("ioi", "greater-than")) {
            ModelLoadException ex = assertThrows(ModelLoadException.class,
                    () -> Tasks.get(task, TaskOptions.defaults().withOffline(true), emptyOfflineCache()));
            String m = ex.getMessage();
            assertEquals(1, m.lines().count(), m);
            assertTrue(m.contains("'gpt2'") && m.contains(tmp.resolve("hub").toString()), m);
            assertTrue(m.contains("pass its directory"), m);
        }
    }

    @Test
    void docstring_without_a_model_directory_says_how_to_provide_attn_only_4l() {
        ModelLoadException ex = assertThrows(ModelLoadException.class,
                () -> Tasks.get("docstring", TaskOptions.defaults().withOffline(true), emptyOfflineCache()));
        assertEquals(1, ex.getMessage().lines().count());
        assertTrue(ex.getMessage().contains("attn-only-4l"), ex.getMessage());
    }

    @Test
    void a_model_directory_without_a_tokenizer_asks_for_one() {
        Path tiny = Fixtures.path("fixtures/gpt2-tiny");
        ModelLoadException ex = assertThrows(ModelLoadException.class,
                () -> Tasks.get("ioi", TaskOptions.defaults().withModel(tiny.toString()), emptyOfflineCache()));
        assertTrue(ex.getMessage().contains("--tokenizer"), ex.getMessage());
    }

    @Test
    void the_default_model_gpt2_is_taken_from_the_hf_cache_and_flagged_when_it_is_not_gpt2_small() throws java.io.IOException {
        Path tiny = Fixtures.path("fixtures/gpt2-tiny");
        Path tok = Fixtures.path("fixtures/gpt2-tokenizer");
        // a cache whose "gpt2" snapshot holds the tiny fixture's weights and GPT-2's tokenizer
        Path repo = tmp.resolve("hub").resolve("models--gpt2");
        Path snap = java.nio.file.Files.createDirectories(repo.resolve("snapshots").resolve("0000000000000000000000000000000000000000"));
        java.nio.file.Files.createDirectories(repo.resolve("refs"));
        java.nio.file.Files.writeString(repo.resolve("refs").resolve("main"), "0000000000000000000000000000000000000000");
        for (String f : List.of("config.json", "model.safetensors")) java.nio.file.Files.copy(tiny.resolve(f), snap.resolve(f));
        java.nio.file.Files.copy(tok.resolve("tokenizer.json"), snap.resolve("tokenizer.json"));
        Task t = Tasks.get("greater-than", TaskOptions.defaults().withOffline(true), emptyOfflineCache());
        assertTrue(t.smokeRun());
        assertEquals(101, t.weights().config().dVocab());
    }

    @Test
    void the_tiny_fixture_given_explicitly_is_used_as_a_smoke_run() {
        Path tiny = Fixtures.path("fixtures/gpt2-tiny");
        Path tok = Fixtures.path("fixtures/gpt2-tokenizer");
        TaskOptions o = TaskOptions.defaults().withModel(tiny.toString()).withTokenizerDir(tok).withOffline(true);
        for (String task : List.of("ioi", "greater-than")) {
            Task t = Tasks.get(task, o, emptyOfflineCache());
            assertTrue(t.smokeRun(), task);
            assertEquals(task, t.name());
            assertEquals(101, t.weights().config().dVocab());
            assertEquals(100, t.clean().batch());
        }
    }
}
