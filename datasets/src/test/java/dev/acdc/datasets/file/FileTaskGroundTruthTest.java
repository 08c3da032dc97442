package dev.acdc.datasets.file;

import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.acdc.datasets.file.FileTaskFormatTest.assertRefusal;
import static dev.acdc.datasets.file.FileTaskFixtures.write;
import static org.junit.jupiter.api.Assertions.*;

/** Ground-truth files: one edge per line or a JSON list, checked against the model's graph, refusals naming the line. */
class FileTaskGroundTruthTest {
    /** The tiny GPT-2 fixture's shape: 2 layers, 4 heads, MLPs. */
    static final CircuitGraph GRAPH = CircuitGraph.of(TransformerConfig.gpt2Style("tiny", 2, 32, 4, 128, 101, 16, 1e-5));

    @TempDir
    Path tmp;

    @Test
    void one_edge_per_line_with_comments_blank_lines_and_the_compilers_direct_edge_spelling() {
        Path f = write(tmp.resolve("truth.txt"), List.of("# heads that matter", "a1.2->output", "", "embed->a0.1.k   # keys",
                "a1.2.q_input->a1.2.q", "a1.2->output"));
        assertEquals(List.of("a1.2->output", "a1.2.q->a1.2.hook_q", "embed->a0.1.k"), GroundTruthFile.read(f, GRAPH));
    }

    @Test
    void a_json_list_of_edges() {
        Path f = write(tmp.resolve("truth.json"), List.of("[", "  \"a0.3->m1\",", "  \"m1->output\"", "]"));
        assertEquals(List.of("a0.3->m1", "m1->output"), GroundTruthFile.read(f, GRAPH));
    }

    @Test
    void an_unknown_edge_is_refused_naming_its_line() {
        Path f = write(tmp.resolve("truth.txt"), List.of("a1.2->output", "# a comment", "a5.0->output"));
        TaskFileException ex = assertThrows(TaskFileException.class, () -> GroundTruthFile.read(f, GRAPH));
        assertRefusal(ex, f, 3, null, "\"a5.0->output\" is not an edge of model 'tiny'");
        Path g = write(tmp.resolve("backwards.txt"), List.of("a1.2->a0.1.q"));
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(g, GRAPH)), g, 1, null, "is not an edge");
        Path h = write(tmp.resolve("nonsense.txt"), List.of("a1.2->output", "a1.2 output"));
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(h, GRAPH)), h, 2, null, "expected sender->receiver");
    }

    @Test
    void an_unknown_edge_in_a_json_list_is_refused_naming_its_line() {
        Path f = write(tmp.resolve("truth.json"), List.of("[", "  \"a0.3->m1\",", "  \"a0.9->m1\"", "]"));
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(f, GRAPH)), f, 3, null, "\"a0.9->m1\" is not an edge");
        Path g = write(tmp.resolve("numbers.json"), List.of("[\"a0.3->m1\",", " 7]"));
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(g, GRAPH)), g, 2, null, "expected an edge as a string");
        Path h = write(tmp.resolve("broken.json"), List.of("[\"a0.3->m1\"", "\"m1->output\"]"));
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(h, GRAPH)), h, 2, null, "malformed JSON list");
    }

    @Test
    void a_file_without_edges_or_with_every_edge_or_missing_is_refused() {
        Path empty = write(tmp.resolve("empty.txt"), List.of("# nothing yet"));
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(empty, GRAPH)), empty, 0, null, "lists no edges");
        Path all = write(tmp.resolve("all.txt"), GRAPH.edges().stream().map(e -> e.name()).toList());
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(all, GRAPH)), all, 0, null, "every one of the");
        Path missing = tmp.resolve("missing.txt");
        assertRefusal(assertThrows(TaskFileException.class, () -> GroundTruthFile.read(missing, GRAPH)), missing, 0, null, "no such file");
    }
}
