package dev.acdc.discovery.method;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class ComponentCircuitsTest {

    static final CircuitGraph GRAPH = CircuitGraph.of(TinyModel.CONFIG);   // 2 layers, 2 heads, MLPs, one embed node

    @Test
    void componentsArePerLayerQThenKThenVThenTheMlp() {
        List<Component> cs = ComponentCircuits.components(TinyModel.CONFIG);
        assertEquals(14, cs.size());
        assertEquals(List.of("a0.0.q", "a0.1.q", "a0.0.k", "a0.1.k", "a0.0.v", "a0.1.v", "m0"),
                cs.subList(0, 7).stream().map(Component::name).toList());
    }

    @Test
    void everyComponentKeptIsTheFullCircuit() {
        assertEquals(Circuit.full(GRAPH), ComponentCircuits.circuit(GRAPH, ComponentCircuits.components(TinyModel.CONFIG)));
    }

    @Test
    void nothingKeptLeavesOnlyTheEmbeddingToOutputEdge() {
        assertEquals(Set.of("embed->output"), ComponentCircuits.circuit(GRAPH, List.of()).edgeNames());
    }

    @Test
    void aKeptQueryKeepsItsInputsItsDirectEdgeAndTheHeadOutput() {
        Circuit c = ComponentCircuits.circuit(GRAPH, List.of(Component.q(1, 0)));
        assertEquals(new TreeSet<>(List.of("embed->output", "embed->a1.0.q", "a1.0.q->a1.0.hook_q", "a1.0->output")),
                c.edgeNames());
    }

    @Test
    void anMlpIsOneComponentInAndOut() {
        Circuit c = ComponentCircuits.circuit(GRAPH, List.of(Component.mlp(0), Component.v(1, 1)));
        assertEquals(new TreeSet<>(List.of("embed->output", "embed->m0", "m0->output", "embed->a1.1.v", "m0->a1.1.v",
                "a1.1.v->a1.1.hook_v", "a1.1->output")), c.edgeNames());
        // a1.1 sends to m1, which is dropped, so that edge is not kept
        assertFalse(c.contains("a1.1->m1"));
    }

    @Test
    void aHeadOutputSendsWhenAnyOfItsQkvIsKeptAndReceiversAreKept() {
        Circuit c = ComponentCircuits.circuit(GRAPH, List.of(Component.k(0, 1), Component.q(1, 0), Component.mlp(1)));
        assertTrue(c.contains("a0.1->a1.0.q"));
        assertTrue(c.contains("a0.1->m1"));
        assertTrue(c.contains("a0.1.k->a0.1.hook_k"));
        assertFalse(c.contains("a0.1.q->a0.1.hook_q"));
        assertFalse(c.contains("a0.1->a1.0.k"));
        assertFalse(c.contains("a0.0->m1"));
        assertTrue(c.contains("embed->a0.1.k"));
        assertFalse(c.contains("embed->a0.1.v"));
    }

    @Test
    void separateEmbeddingNodesOfTracrModelsAreAlwaysKept() {
        var config = dev.acdc.datasets.tracr.TracrTask.proportion(0, true).weights().config();
        CircuitGraph g = CircuitGraph.of(config);
        assertEquals(Set.of("pos_embed->output", "tok_embed->output"), ComponentCircuits.circuit(g, List.of()).edgeNames());
    }
}
