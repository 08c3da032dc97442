package dev.acdc.experiments;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphCommandTest {

    @ParameterizedTest(name = "{0}: {1} edges")
    @CsvSource({"gpt2-small, 32923, 32491, 432", "attn-only-2l, 305, 257, 48", "attn-only-4l, 1377, 1281, 96"})
    void json_reports_acdc_edge_counts(String model, int edges, int addition, int direct) {
        CliRun r = run("graph", "--model", model, "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"edges\":" + edges), r.out());
        assertTrue(r.out().contains("\"addition_edges\":" + addition), r.out());
        assertTrue(r.out().contains("\"direct_edges\":" + direct), r.out());
        assertTrue(r.out().contains("\"nodes\":"), r.out());
    }

    @Test
    void text_output_lists_nodes_and_edges() {
        CliRun r = run("graph", "--model", "gpt2-small");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("32923") && r.out().contains("1034"), r.out());
    }

    @Test
    void unknown_model_is_one_line_error_with_exit_2() {
        CliRun r = run("graph", "--model", "gpt5");
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("'gpt5'") && r.err().contains("gpt2-small"), r.err());
    }

    @Test
    void tracr_reverse_has_four_one_head_layers_and_two_embedding_nodes() {
        CliRun r = run("graph", "--model", "tracr:reverse", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"model\":\"tracr:reverse\""), r.out());
        // 4 layers × 1 head (q, k, v direct edges) = 12 direct-computation edges
        assertTrue(r.out().contains("\"direct_edges\":12"), r.out());
    }
}
