package dev.acdc.patching.graph;

import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graph of the Hugging Face families: parallel residual (Pythia) and grouped key/value heads (Llama, Qwen2, Gemma). */
class FamilyGraphTest {

    private static TransformerConfig preset(String name) {
        return Presets.byName(name).orElseThrow();
    }

    /** The package documentation's formula for the tested edges. */
    private static long formula(TransformerConfig c) {
        long L = c.nLayers(), H = c.nHeads(), G = c.nKeyValueHeads(), R = H + 2 * G;
        long M = c.attentionOnly() ? 0 : 1, p = c.architecture().parallelResidual() ? 1 : 0;
        long E = c.separateEmbeddingNodes() ? 2 : 1;
        long embed = E * (1 + M * L + R * L);
        long heads = H * (R * L * (L - 1) / 2 + M * (L * (L + 1) / 2 - p * L) + L);
        long mlps = M * ((R + 1) * L * (L - 1) / 2 + L);
        return embed + heads + mlps + R * L;
    }

    @ParameterizedTest(name = "{0}: {1} tested edges")
    @CsvSource({"pythia-70m, 3724, 144", "qwen2.5-0.5b, 80245, 432", "gpt2-small, 32923, 432", "gemma-2-2b, 51026, 416"})
    void family_presets_have_the_hand_counted_edges(String name, int edges, int direct) {
        CircuitGraph g = CircuitGraph.of(preset(name));
        assertEquals(edges, g.edgeCount());
        assertEquals(direct, g.directEdgeCount());
        assertEquals(edges - direct, g.additionEdgeCount());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2-small", "attn-only-2l", "attn-only-4l", "pythia-70m", "pythia-160m", "qwen2.5-0.5b", "llama-3.2-1b", "gemma-2-2b"})
    void the_documented_formula_counts_every_preset(String name) {
        TransformerConfig c = preset(name);
        assertEquals(formula(c), CircuitGraph.of(c).edgeCount());
    }

    @Test
    void parallel_residual_mlp_reads_only_earlier_layers() {
        CircuitGraph g = CircuitGraph.of(preset("pythia-70m"));
        assertTrue(g.find(Node.head(0, 3), Node.mlpIn(0)).isEmpty());
        assertTrue(g.find(Node.head(0, 3), Node.mlpIn(1)).isPresent());
        assertEquals(List.of(Node.embed()), g.sendersOf(Node.mlpIn(0), SenderOrder.ACDC));
        // an MLP still reads the earlier layers' MLPs and heads, and still sends to the next layer
        assertEquals(1 + 2 * (8 + 1), g.inEdges(Node.mlpIn(2)).size());   // embed, layers 0 and 1: heads and MLP
        assertTrue(g.find(Node.mlpOut(1), Node.headInput(2, 0, Node.Channel.Q)).isPresent());
        // pythia has one key/value head per query head: per-head names as for GPT-2
        assertTrue(g.contains(Node.headInput(3, 7, Node.Channel.K)));
    }

    @Test
    void grouped_attention_has_key_and_value_receivers_per_group() {
        CircuitGraph g = CircuitGraph.of(preset("qwen2.5-0.5b"));    // 24 layers, 14 query heads, 2 key/value heads
        Node k = g.receiver("a3.kv1.k");
        assertEquals(Node.kvInput(3, 1, Node.Channel.K), k);
        assertTrue(k.isKvGroup());
        assertFalse(g.contains(Node.headInput(3, 1, Node.Channel.K)));
        assertTrue(g.contains(Node.headInput(3, 13, Node.Channel.Q)));
        Edge direct = g.edge("a3.kv1.v->a3.kv1.hook_v");
        assertEquals(EdgeKind.DIRECT, direct.kind());
        assertEquals(EdgeKind.ADDITION, g.edge("a0.13->a3.kv0.k").kind());
        assertEquals(EdgeKind.ADDITION, g.edge("m2->a3.kv1.v").kind());
        // query heads 0..6 read group 0, 7..13 group 1 (HF repeat_kv: head h reads group h / (H/G))
        for (int h = 0; h < 14; h++) {
            Node head = Node.head(3, h);
            int group = h / 7;
            assertEquals(EdgeKind.PLACEHOLDER, g.find(Node.kvQkv(3, group, Node.Channel.K), head).orElseThrow().kind());
            assertEquals(EdgeKind.PLACEHOLDER, g.find(Node.kvQkv(3, group, Node.Channel.V), head).orElseThrow().kind());
            assertTrue(g.find(Node.kvQkv(3, 1 - group, Node.Channel.K), head).isEmpty());
            assertEquals(EdgeKind.PLACEHOLDER, g.find(Node.headQkv(3, h, Node.Channel.Q), head).orElseThrow().kind());
        }
        // a key/value receiver has the senders of a query receiver of its layer
        assertEquals(g.sendersOf(g.receiver("a5.3.q"), SenderOrder.ACDC), g.sendersOf(g.receiver("a5.kv0.k"), SenderOrder.ACDC));
        // placeholders: per head q, k, v into the head; per MLP its input into its output
        assertEquals(24 * 14 * 3 + 24, g.placeholderEdgeCount());
        // nodes: embed, per layer 14 × (head, q, hook_q) + 2 × (k, hook_k, v, hook_v) + MLP in and out, output
        assertEquals(1 + 24 * (14 * 3 + 2 * 4 + 2) + 1, g.nodeCount());
    }

    @Test
    void grouped_receivers_follow_the_reference_derived_order() {
        CircuitGraph g = CircuitGraph.of(preset("qwen2.5-0.5b"));
        List<String> expected = new ArrayList<>(List.of("output", "m23",
                "a23.kv1.hook_v", "a23.kv0.hook_v", "a23.kv1.hook_k", "a23.kv0.hook_k"));
        for (int h = 13; h >= 0; h--) expected.add("a23." + h + ".hook_q");
        expected.addAll(List.of("a23.kv1.v", "a23.kv0.v", "a23.kv1.k", "a23.kv0.k"));
        for (int h = 13; h >= 0; h--) expected.add("a23." + h + ".q");
        expected.add("m22");
        List<String> actual = g.receiversInOrder().subList(0, expected.size()).stream().map(Node::name).toList();
        assertEquals(expected, actual);
        // ids follow that order: the first tested edges go into the output, the direct edges of a23's groups come next
        assertEquals("output", g.edges().get(0).receiver().name());
    }

    @Test
    void every_grouped_edge_name_round_trips() {
        CircuitGraph g = CircuitGraph.of(preset("llama-3.2-1b"));
        for (Edge e : g.edges()) assertEquals(e, g.edge(e.name()));
        for (int i = 0; i < g.nodes().size(); i++) assertEquals(i, g.nodeIndex(g.nodes().get(i)));
        for (Edge e : g.allEdges()) {
            assertTrue(g.nodeIndex(e.sender()) < g.nodeIndex(e.receiver()), e.name());
        }
    }

    @Test
    void grouped_nodes_name_their_layer_and_group() {
        Node v = Node.kvQkv(2, 0, Node.Channel.V);
        assertEquals("a2.kv0.hook_v", v.name());
        assertEquals(v, Node.parseReceiver("a2.kv0.hook_v"));
        assertEquals("a2.kv0", v.componentName());
        assertThrows(IllegalArgumentException.class, () -> Node.parseReceiver("a2.kv0.q"));
        assertThrows(IllegalArgumentException.class, () -> Node.parseReceiver("a2.kv0"));
        assertThrows(IllegalArgumentException.class, () -> Node.kvInput(2, 0, Node.Channel.Q));
    }
}
