package dev.acdc.datasets.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.EdgeNotation;
import dev.acdc.datasets.Task;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class Gpt2TasksTest {
    private static final String TOKENIZER = "fixtures/gpt2-tokenizer";
    private static final String TINY = "fixtures/gpt2-tiny";
    private static TextTokenizer tokenizer;
    private static TransformerWeights tiny;

    @BeforeAll
    static void load() {
        tokenizer = HfTokenizer.fromDirectory(Fixtures.path(TOKENIZER));
        tiny = ModelDirectory.load(Fixtures.path(TINY)).weights();
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) tokenizer.close();
    }


    // ------------------------------------------------------------------ canonical circuits in the real graphs

    @ParameterizedTest(name = "{0}: {2} edges, every one an edge of the {1} graph")
    @CsvSource({"ioi, gpt2-small, 1041", "greater-than, gpt2-small, 262", "docstring, attn-only-4l, 37"})
    void canonical_circuits_parse_in_the_real_graphs_with_the_published_sizes(String task, String preset, int size) {
        CanonicalCircuit c = switch (task) {
            case "ioi" -> IoiCircuit.canonical();
            case "greater-than" -> GreaterThanCircuit.canonical();
            default -> DocstringCircuit.canonical();
        };
        TransformerConfig config = Presets.byName(preset).orElseThrow();
        CircuitGraph g = CircuitGraph.of(config);
        List<String> edges = EdgeNotation.toGraph(c.edgeStrings());
        assertEquals(size, edges.size());
        List<String> bad = new ArrayList<>();
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (String e : edges) {
            try {
                ids.add(g.edge(e).id());
            } catch (IllegalArgumentException ex) {
                bad.add(ex.getMessage());
            }
        }
        assertEquals(List.of(), bad);
        assertEquals(size, ids.size(), "distinct graph edges");
    }

    // ------------------------------------------------------------------ IOI and greater-than on the tiny fixture

    @Test
    void ioi_on_the_tiny_fixture_builds_15_token_inputs_and_finite_metrics() {
        IoiTask t = new IoiTask(tiny, tokenizer, true);
        assertTrue(t.smokeRun());
        assertEquals("ioi", t.name());
        assertEquals(List.of("kl", "logit-diff"), t.metricNames());
        assertShape(t, 100, 15);
        assertFiniteMetrics(t);
        // the reduction is id % 101, applied to the real ids
        List<IoiTokens> real = IoiTask.tokens(tokenizer, 100);
        assertEquals(real.get(0).inputs().clean()[0] % 101, t.clean().tokens()[0][0]);
        assertEquals(real.get(3).ioTokenId() % 101, t.ioTokenIds()[3]);
    }

    @Test
    void greater_than_on_the_tiny_fixture_builds_inputs_and_finite_metrics() {
        GreaterThanTask t = new GreaterThanTask(tiny, tokenizer, true);
        assertTrue(t.smokeRun());
        assertEquals(List.of("kl", "prob-diff"), t.metricNames());
        List<GreaterThanTokens> real = GreaterThanTask.tokens(tokenizer, 100);
        assertShape(t, 100, real.get(0).inputs().length());
        assertEquals(100, t.candidateTokenIds().length);
        // clean and corrupted differ only at YY
        int[][] c = t.clean().tokens();
        int[][] k = t.corrupted().tokens();
        for (int p = 0; p < c[0].length; p++) {
            if (p != GreaterThanDataset.YY_POSITION) assertEquals(c[0][p], k[0][p], "position " + p);
        }
        assertFiniteMetrics(t);
    }

    @Test
    void the_real_tokenizer_without_smoke_run_rejects_ids_outside_the_tiny_vocabulary() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new IoiTask(tiny, tokenizer, false));
        assertTrue(ex.getMessage().contains("outside the vocabulary of 101"), ex.getMessage());
        assertEquals(1, ex.getMessage().lines().count());
    }

    @Test
    void prompt_count_is_the_first_n_of_the_acdc_dataset() {
        IoiTask t = new IoiTask(tiny, tokenizer, true, 7);
        assertEquals(7, t.clean().batch());
        assertThrows(IllegalArgumentException.class, () -> new IoiTask(tiny, tokenizer, true, 201));
        assertEquals(IoiDataset.acdc().prompts().subList(0, 3), IoiTask.prompts(3));
    }

    @Test
    void real_tokenizer_gives_the_acdc_shapes() {
        assertEquals(15, IoiTask.tokens(tokenizer, 100).get(0).inputs().length());
        assertEquals(100, IoiTask.tokens(tokenizer, 100).size());
        assertEquals(100, GreaterThanTask.tokens(tokenizer, 100).size());
    }

    @Test
    void ground_truth_on_a_stand_in_model_keeps_only_its_graphs_edges() {
        IoiTask t = new IoiTask(tiny, tokenizer, true, 2);
        Map<String, List<String>> gt = t.groundTruths();
        assertEquals("canonical", t.defaultGroundTruth());
        CircuitGraph g = CircuitGraph.of(tiny.config());
        assertFalse(gt.get("canonical").isEmpty());
        for (String e : gt.get("canonical")) assertNotNull(g.edge(e));
        assertTrue(gt.get("canonical").size() < 1041);
    }

    @Test
    void docstring_metric_is_correct_minus_max_wrong_negated() {
        try (NDManager m = NDManager.newBaseManager()) {
            // B=2, P=1, V=4
            NDArray logits = m.create(new float[] {1, 5, 2, 3, 0, 1, 4, 2}, new ai.djl.ndarray.types.Shape(2, 1, 4));
            // row 0: correct 1 (5), wrong {2,3} max 3 -> 2 ; row 1: correct 2 (4), wrong {0,3} max 2 -> 2 ; mean 2
            double v = DocstringTask.correctMinusMaxWrong(logits, new int[] {1, 2}, new int[][] {{2, 3}, {0, 3}}).getFloat();
            assertEquals(2.0, v, 1e-6);
            NDArray lastRows = logits.reshape(2, 4);
            assertEquals(2.0, DocstringTask.correctMinusMaxWrongOfRows(lastRows, new int[] {1, 2}, new int[][] {{2, 3}, {0, 3}})
                    .getFloat(), 1e-6);
        }
    }

    private static void assertShape(Task t, int batch, int len) {
        assertEquals(batch, t.clean().batch());
        assertEquals(len, t.clean().length());
        assertEquals(batch, t.corrupted().batch());
        assertEquals(len, t.corrupted().length());
    }

    private static void assertFiniteMetrics(Task t) {
        try (HookedTransformer model = new HookedTransformer(t.weights()); NDManager scope = NDManager.newBaseManager()) {
            NDArray clean = model.forward(scope, t.clean());
            NDArray corrupted = model.forward(scope, t.corrupted());
            for (String name : t.metricNames()) {
                double onClean = t.metric(name, clean).evaluate(clean);
                double onCorrupted = t.metric(name, clean).evaluate(corrupted);
                assertTrue(Double.isFinite(onClean) && Double.isFinite(onCorrupted), name + ": " + onClean + ", " + onCorrupted);
                // the compact scored rows, as a patcher that unembeds only those computes them
                Metric metric = t.metric(name, clean);
                NDArray rows = metric.scoredPositions().orElseThrow().select(corrupted);
                assertEquals(onCorrupted, metric.evaluateRows(rows), 1e-6, name + " of the scored rows");
                if (name.equals("kl")) {
                    assertEquals(0.0, onClean, 1e-5, "KL of the clean output against itself");
                    assertTrue(onCorrupted > 0, "KL of the corrupted output");
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> t.metric("nope", null));
    }
}
