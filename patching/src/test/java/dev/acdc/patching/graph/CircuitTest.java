package dev.acdc.patching.graph;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitTest {

    private final CircuitGraph g = CircuitGraph.of(GraphConfigs.attnOnly(2));

    @Test
    void full_and_empty_circuits_hold_all_or_no_tested_edges() {
        assertEquals(305, Circuit.full(g).edgeCount());
        assertTrue(Circuit.empty(g).isEmpty());
        assertEquals(Circuit.full(g), Circuit.empty(g).complement());
    }

    @Test
    void set_operations_combine_edge_sets() {
        Circuit a = Circuit.ofNames(g, List.of("a0.1->a1.0.k", "embed->output"));
        Circuit b = Circuit.ofNames(g, List.of("embed->output", "a1.3->output"));
        assertEquals(Set.of("a0.1->a1.0.k", "embed->output", "a1.3->output"), a.union(b).edgeNames());
        assertEquals(Set.of("embed->output"), a.intersection(b).edgeNames());
        assertEquals(Set.of("a0.1->a1.0.k"), a.minus(b).edgeNames());
        assertTrue(a.contains("a0.1->a1.0.k"));
        assertFalse(a.without(g.edge("a0.1->a1.0.k")).contains("a0.1->a1.0.k"));
    }

    @Test
    void node_names_merge_head_inputs_into_the_head() {
        Circuit c = Circuit.ofNames(g, List.of("a0.1->a1.0.k", "a1.0.k->a1.0.hook_k"));
        assertEquals(Set.of("a0.1", "a1.0"), c.nodeNames());
        assertEquals(3, c.nodes().size());   // a0.1, a1.0.k, a1.0.hook_k: merged only by name
    }

    @Test
    void node_names_merge_mlp_input_into_the_mlp_and_keep_embed_and_output() {
        CircuitGraph gpt2 = CircuitGraph.of(GraphConfigs.gpt2Small());
        Circuit c = Circuit.ofNames(gpt2, List.of("embed->m0", "m0->output"));
        assertEquals(List.of("embed", "m0", "output"), List.copyOf(c.nodeNames()));
    }

    @Test
    void acdc_code_counting_drops_mlp_inputs_and_keeps_q_input_apart_from_computed_q() {
        // filter_nodes renames blocks.L.hook_q_input to blocks.L.hook_q, not to the computed q blocks.L.attn.hook_q
        CircuitGraph gpt2 = CircuitGraph.of(GraphConfigs.gpt2Small());
        Circuit c = Circuit.ofNames(gpt2, List.of("embed->m0", "a0.3.q->a0.3.hook_q", "m1->a2.0.v"));
        assertEquals(Set.of("embed", "a0.3.q", "a0.3.hook_q", "m1", "a2.0.v"), c.nodeNames(NodeMerging.ACDC_CODE));
        assertEquals(Set.of("embed", "m0", "a0.3", "m1", "a2.0"), c.nodeNames(NodeMerging.COMPONENTS));
        assertEquals(1 + 144 * 7 + 12 + 1, gpt2.mergedNodeNames(NodeMerging.ACDC_CODE).size());
    }

    @Test
    void circuits_reject_edges_of_other_graphs_and_naming_the_edge() {
        CircuitGraph other = CircuitGraph.of(GraphConfigs.attnOnly(4));
        Edge foreign = other.edge("a3.0->output");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Circuit.ofEdges(g, List.of(foreign)));
        assertTrue(ex.getMessage().contains("a3.0->output"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Circuit.full(g).union(Circuit.full(other)));
        BitSet tooLong = new BitSet();
        tooLong.set(305);
        assertThrows(IllegalArgumentException.class, () -> Circuit.of(g, tooLong));
    }

    @Test
    void scores_select_circuits_by_threshold_and_top_k() {
        double[] scores = new double[g.edgeCount()];
        scores[5] = 3;
        scores[7] = 2;
        scores[9] = 2;
        Circuit top2 = Circuit.topK(g, scores, 2);
        assertArrayEquals(new int[] {5, 7}, top2.edgeIds());
        assertArrayEquals(new int[] {5, 7, 9}, Circuit.atLeast(g, scores, 2).edgeIds());
        assertEquals(3.0, top2.score(5));
        assertThrows(IllegalArgumentException.class, () -> Circuit.empty(g).withScores(new double[3]));
    }

    @Test
    void circuits_are_immutable_views() {
        BitSet bits = new BitSet();
        bits.set(3);
        Circuit c = Circuit.of(g, bits);
        bits.set(4);
        c.bits().set(5);
        assertArrayEquals(new int[] {3}, c.edgeIds());
    }
}
