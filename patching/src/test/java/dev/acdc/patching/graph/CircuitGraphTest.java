package dev.acdc.patching.graph;

import dev.acdc.patching.model.TransformerConfig;
import org.jgrapht.Graph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitGraphTest {

    private static CircuitGraph gpt2;

    @BeforeAll
    static void buildGpt2() {
        gpt2 = CircuitGraph.of(GraphConfigs.gpt2Small());
    }

    static Stream<Arguments> counts() {
        return Stream.of(
                Arguments.of(GraphConfigs.gpt2Small(), 32_923, 32_491, 432),
                Arguments.of(GraphConfigs.attnOnly(2), 305, 257, 48),
                Arguments.of(GraphConfigs.attnOnly(4), 1_377, 1_281, 96));
    }

    @ParameterizedTest(name = "{0} has {1} edges")
    @MethodSource("counts")
    void edge_counts_match_acdc(TransformerConfig config, int edges, int addition, int direct) {
        CircuitGraph g = config.equals(gpt2.config()) ? gpt2 : CircuitGraph.of(config);
        assertEquals(edges, g.edgeCount());
        assertEquals(addition, g.additionEdgeCount());
        assertEquals(direct, g.directEdgeCount());
        assertEquals(edges, g.edges().size());
    }

    @Test
    void gpt2_small_has_acdc_node_and_placeholder_counts() {
        // embed + 144 × (head, 3 inputs, 3 computed q/k/v) + 12 × (MLP in, MLP out) + output
        assertEquals(1 + 144 * 7 + 24 + 1, gpt2.nodeCount());
        assertEquals(144 * 3 + 12, gpt2.placeholderEdgeCount());
        assertEquals(158, gpt2.componentNames().size());
    }

    @Test
    void edge_ids_are_positions_and_tested_edges_come_first() {
        List<Edge> all = gpt2.allEdges();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i).id());
            assertEquals(i < gpt2.edgeCount(), all.get(i).tested());
        }
    }

    @Test
    void ids_are_stable_across_constructions() {
        CircuitGraph again = CircuitGraph.of(GraphConfigs.gpt2Small());
        assertEquals(gpt2.allEdges(), again.allEdges());
        assertEquals("a11.11->output", gpt2.edge(1).name());
    }

    /** The first receivers of a layer as the reference walks them: hook_v, hook_k, hook_q, then v, k, q inputs. */
    private static List<String> layerReceivers(int layer, int heads, boolean mlp) {
        List<String> names = new java.util.ArrayList<>();
        if (mlp) names.add("m" + layer + " (in)");
        for (String c : List.of("v", "k", "q")) for (int h = heads - 1; h >= 0; h--) names.add("a" + layer + "." + h + ".hook_" + c);
        for (String c : List.of("v", "k", "q")) for (int h = heads - 1; h >= 0; h--) names.add("a" + layer + "." + h + "." + c);
        return names;
    }

    private static List<String> receiverNames(CircuitGraph g) {
        return g.receiversInOrder().stream()
                .map(n -> n.kind() == NodeKind.MLP_IN ? n.name() + " (in)" : n.name()).toList();
    }

    @Test
    void gpt2_small_receivers_follow_the_reverse_of_transformer_lens_hook_firing() {
        List<String> expected = new java.util.ArrayList<>();
        expected.add("output");
        for (int layer = 11; layer >= 0; layer--) expected.addAll(layerReceivers(layer, 12, true));
        List<String> actual = receiverNames(gpt2);
        assertEquals(expected, actual);
        // spelled out, so that the helper above cannot hide a mistake
        assertEquals(List.of("output", "m11 (in)", "a11.11.hook_v", "a11.10.hook_v"), actual.subList(0, 4));
        assertEquals(List.of("a11.0.hook_v", "a11.11.hook_k"), actual.subList(13, 15));
        assertEquals(List.of("a11.0.hook_q", "a11.11.v"), actual.subList(37, 39));
        assertEquals(List.of("a11.0.q", "m10 (in)"), actual.subList(73, 75));
        assertEquals("a0.0.q", actual.get(actual.size() - 1));
        assertEquals(1 + 12 * (1 + 72), actual.size());
    }

    @Test
    void attention_only_two_layer_receivers_follow_the_reverse_of_transformer_lens_hook_firing() {
        List<String> actual = receiverNames(CircuitGraph.of(GraphConfigs.attnOnly(2)));
        assertEquals(List.of("output",
                "a1.7.hook_v", "a1.6.hook_v", "a1.5.hook_v", "a1.4.hook_v", "a1.3.hook_v", "a1.2.hook_v", "a1.1.hook_v", "a1.0.hook_v",
                "a1.7.hook_k", "a1.6.hook_k", "a1.5.hook_k", "a1.4.hook_k", "a1.3.hook_k", "a1.2.hook_k", "a1.1.hook_k", "a1.0.hook_k",
                "a1.7.hook_q", "a1.6.hook_q", "a1.5.hook_q", "a1.4.hook_q", "a1.3.hook_q", "a1.2.hook_q", "a1.1.hook_q", "a1.0.hook_q",
                "a1.7.v", "a1.6.v", "a1.5.v", "a1.4.v", "a1.3.v", "a1.2.v", "a1.1.v", "a1.0.v",
                "a1.7.k", "a1.6.k", "a1.5.k", "a1.4.k", "a1.3.k", "a1.2.k", "a1.1.k", "a1.0.k",
                "a1.7.q", "a1.6.q", "a1.5.q", "a1.4.q", "a1.3.q", "a1.2.q", "a1.1.q", "a1.0.q",
                "a0.7.hook_v"), actual.subList(0, 50));
        assertEquals("a0.0.q", actual.get(actual.size() - 1));
        assertEquals(1 + 2 * 48, actual.size());
    }

    @Test
    void receivers_come_in_reverse_topological_order() {
        CircuitGraph small = CircuitGraph.of(GraphConfigs.smallGpt2Style());
        List<Node> order = small.receiversInOrder();
        Map<Node, Integer> pos = new HashMap<>();
        for (int i = 0; i < order.size(); i++) pos.put(order.get(i), i);
        Graph<Node, Edge> g = small.asGraph();
        for (Node r : order) {
            // the receivers next downstream of r (directly, or through a head output / MLP output) come earlier
            for (Edge out : g.outgoingEdgesOf(r)) {
                Node c = out.receiver();
                List<Node> next = pos.containsKey(c) ? List.of(c)
                        : g.outgoingEdgesOf(c).stream().map(Edge::receiver).toList();
                for (Node n : next) assertTrue(pos.get(n) < pos.get(r), n + " must be processed before " + r);
            }
        }
        for (Edge e : gpt2.allEdges()) {
            assertTrue(gpt2.senderIndex(e.id()) < gpt2.receiverIndex(e.id()), "nodes() is topological: " + e);
        }
    }

    @Test
    void senders_of_output_start_with_last_mlp_then_heads_descending_and_end_with_embed() {
        List<Node> s = gpt2.sendersOf(Node.output(), SenderOrder.ACDC);
        assertEquals(157, s.size());
        assertEquals(Node.mlpOut(11), s.get(0));
        assertEquals(Node.head(11, 11), s.get(1));
        assertEquals(Node.head(11, 0), s.get(12));
        assertEquals(Node.mlpOut(10), s.get(13));
        assertEquals(Node.embed(), s.get(s.size() - 1));
    }

    @Test
    void heads_ascending_order_reverses_heads_within_each_layer_only() {
        List<Node> s = gpt2.sendersOf(Node.output(), SenderOrder.HEADS_ASCENDING);
        assertEquals(Node.mlpOut(11), s.get(0));
        assertEquals(Node.head(11, 0), s.get(1));
        assertEquals(Node.head(11, 11), s.get(12));
        assertEquals(Node.embed(), s.get(s.size() - 1));
        assertEquals(Set.copyOf(gpt2.sendersOf(Node.output(), SenderOrder.ACDC)), Set.copyOf(s));
    }

    @Test
    void reversed_groups_start_with_embed_then_layer_zero() {
        List<Node> s = gpt2.sendersOf(Node.output(), SenderOrder.GROUPS_REVERSED);
        assertEquals(Node.embed(), s.get(0));
        assertEquals(Node.head(0, 11), s.get(1));
        assertEquals(Node.mlpOut(0), s.get(13));
        List<Node> both = gpt2.sendersOf(Node.output(), SenderOrder.GROUPS_REVERSED_HEADS_ASCENDING);
        assertEquals(Node.head(0, 0), both.get(1));
    }

    @Test
    void ids_follow_acdc_testing_order() {
        int next = 0;
        for (Node r : gpt2.receiversInOrder()) {
            for (Edge e : gpt2.inEdges(r)) assertEquals(next++, e.id(), e.name());
        }
        assertEquals(gpt2.edgeCount(), next);
    }

    @Test
    void heads_send_to_same_layer_mlp_but_not_same_layer_heads() {
        assertEquals(EdgeKind.ADDITION, gpt2.edge("a3.5->m3").kind());
        assertTrue(gpt2.find(Node.head(3, 5), Node.headInput(3, 1, Node.Channel.K)).isEmpty());
        assertTrue(gpt2.find(Node.mlpOut(3), Node.headInput(3, 1, Node.Channel.K)).isEmpty());
        assertTrue(gpt2.find(Node.mlpOut(3), Node.mlpIn(3)).isEmpty());
        assertEquals(EdgeKind.ADDITION, gpt2.edge("m3->a4.0.q").kind());
        assertEquals(EdgeKind.PLACEHOLDER, gpt2.find(Node.mlpIn(3), Node.mlpOut(3)).orElseThrow().kind());
        assertEquals(EdgeKind.PLACEHOLDER,
                gpt2.find(Node.headQkv(3, 0, Node.Channel.V), Node.head(3, 0)).orElseThrow().kind());
    }

    @Test
    void direct_edges_go_from_head_input_to_computed_qkv() {
        Edge e = gpt2.edge("a3.0.k->a3.0.hook_k");
        assertEquals(EdgeKind.DIRECT, e.kind());
        assertEquals(List.of(Node.headInput(3, 0, Node.Channel.K)),
                gpt2.sendersOf(Node.headQkv(3, 0, Node.Channel.K), SenderOrder.ACDC));
    }

    @Test
    void every_tested_edge_name_round_trips() {
        Set<String> names = new HashSet<>();
        for (Edge e : gpt2.edges()) {
            assertEquals(e, gpt2.edge(e.name()));
            assertTrue(names.add(e.name()), "duplicate name " + e.name());
        }
        assertEquals(Node.mlpOut(2), gpt2.sender("m2"));
        assertEquals(Node.mlpIn(2), gpt2.receiver("m2"));
    }

    @Test
    void design_example_edge_is_a_residual_edge_into_a_key_input() {
        Edge e = gpt2.edge("a0.1->a3.0.k");
        assertEquals(Node.head(0, 1), e.sender());
        assertEquals(Node.headInput(3, 0, Node.Channel.K), e.receiver());
        assertEquals(EdgeKind.ADDITION, e.kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a3.0->a1.0.q", "a0.1->a0.2.k", "a12.0->output", "nonsense", "m3->m3", "a0.0->a1.0.x"})
    void bad_edge_names_are_rejected_with_the_name_in_the_message(String name) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> gpt2.edge(name));
        assertTrue(ex.getMessage().contains(name.split("->")[0]), ex.getMessage());
    }

    @Test
    void unknown_node_names_the_graph() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> gpt2.inEdges(Node.head(12, 0)));
        assertTrue(ex.getMessage().contains("a12.0") && ex.getMessage().contains("gpt2-small"), ex.getMessage());
    }

    @Test
    void tracr_config_has_two_embedding_nodes() {
        CircuitGraph g = CircuitGraph.of(GraphConfigs.tracr(2, 1, true));
        assertTrue(g.contains(Node.tokEmbed()) && g.contains(Node.posEmbed()));
        assertFalse(g.contains(Node.embed()));
        List<Node> s = g.sendersOf(Node.output(), SenderOrder.ACDC);
        assertEquals(List.of(Node.tokEmbed(), Node.posEmbed()), s.subList(s.size() - 2, s.size()));
        // receivers: 2 layers × (3 inputs + MLP) + output = 9; each embedding sends to all of them
        assertEquals(9, g.outEdges(Node.tokEmbed()).size());
        assertTrue(g.componentNames().containsAll(List.of("tok_embed", "pos_embed", "a0.0", "m1", "output")));
    }

    @Test
    void tracr_count_is_attention_only_count_plus_second_embedding() {
        CircuitGraph one = CircuitGraph.of(GraphConfigs.attnOnly(2));
        CircuitGraph two = CircuitGraph.of(new TransformerConfig("tracr-like", 2, 512, 8, 64, 0, 48262, 48262,
                2048, TransformerConfig.Normalization.NONE, 0, TransformerConfig.Activation.RELU, false, 1, true));
        assertEquals(one.edgeCount() + one.outEdges(Node.embed()).size(), two.edgeCount());
    }

    @Test
    void jgrapht_view_is_a_dag_with_every_node_and_edge() {
        CircuitGraph small = CircuitGraph.of(GraphConfigs.smallGpt2Style());
        Graph<Node, Edge> view = small.asGraph();
        assertEquals(small.nodeCount(), view.vertexSet().size());
        assertEquals(small.allEdges().size(), view.edgeSet().size());
        assertEquals(1 + 3 * 4 + 3, view.inDegreeOf(Node.output()));
        assertTrue(view.getType().isDirected() && !view.getType().isModifiable());
        assertThrows(UnsupportedOperationException.class, () -> view.addVertex(Node.head(20, 0)));
    }

    @Test
    void nodes_map_to_transformerlens_hook_points() {
        assertEquals("blocks.0.hook_resid_pre", gpt2.hookName(Node.embed()));
        assertEquals("blocks.11.hook_resid_post", gpt2.hookName(Node.output()));
        assertEquals("blocks.3.hook_k_input", gpt2.hookName(gpt2.receiver("a3.0.k")));
        assertEquals("blocks.3.attn.hook_k", gpt2.hookName(gpt2.receiver("a3.0.hook_k")));
        assertEquals("blocks.3.attn.hook_result", gpt2.hookName(gpt2.sender("a3.0")));
        assertEquals("blocks.2.hook_mlp_in", gpt2.hookName(gpt2.receiver("m2")));
        assertEquals("blocks.2.hook_mlp_out", gpt2.hookName(gpt2.sender("m2")));
        CircuitGraph tracr = CircuitGraph.of(GraphConfigs.tracr(1, 1, false));
        assertEquals("hook_pos_embed", tracr.hookName(Node.posEmbed()));
    }

    @Test
    void out_edges_of_a_head_reach_later_inputs_same_layer_mlp_and_output() {
        // head in layer 10: layer 11's 36 inputs, m10, m11, output
        assertEquals(36 + 2 + 1, gpt2.outEdges(Node.head(10, 3)).size());
        assertEquals(0, gpt2.outEdges(Node.output()).size());
    }
}
