package dev.acdc.datasets.gpt2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.datasets.testing.SharedDatasets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CanonicalCircuitTest {

    static Stream<Arguments> circuits() {
        return Stream.of(
                Arguments.of("ioi", (Supplier<CanonicalCircuit>) IoiCircuit::canonical, 1041, 963, 78),
                Arguments.of("greaterthan", (Supplier<CanonicalCircuit>) GreaterThanCircuit::canonical, 262, 235, 27),
                Arguments.of("docstring", (Supplier<CanonicalCircuit>) DocstringCircuit::canonical, 37, 24, 13));
    }

    @ParameterizedTest(name = "{0}: {2} edges = {3} addition + {4} direct computation")
    @MethodSource("circuits")
    void canonical_circuits_have_the_published_sizes(String task, Supplier<CanonicalCircuit> circuit, int size, int addition, int direct) {
        CanonicalCircuit c = circuit.get();
        assertEquals(size, c.size());
        assertEquals(addition, c.additionEdges());
        assertEquals(direct, c.directComputationEdges());
    }

    @ParameterizedTest(name = "{0}: the edge set equals circuits.json")
    @MethodSource("circuits")
    void canonical_circuits_equal_the_shared_edge_sets(String task, Supplier<CanonicalCircuit> circuit, int size, int addition, int direct) {
        JsonObject shared = SharedDatasets.load("circuits.json").getAsJsonObject(task);
        assertEquals(new TreeSet<>(SharedDatasets.strings(shared.get("edges"))), new TreeSet<>(circuit.get().edgeStrings()));
        assertEquals(shared.getAsJsonObject("counts").get("non_placeholder_edges").getAsInt(), circuit.get().size());
    }

    @ParameterizedTest(name = "{0}: the raw hook-name edges map to ours")
    @MethodSource("circuits")
    void shared_hook_edges_translate_to_our_edges(String task, Supplier<CanonicalCircuit> circuit, int size, int addition, int direct) {
        JsonArray hooks = SharedDatasets.load("circuits.json").getAsJsonObject(task).getAsJsonArray("edges_hooks");
        List<String> ours = new ArrayList<>();
        for (JsonElement e : hooks) ours.add(HookEdges.toOurs(e.getAsJsonArray()));
        assertEquals(new TreeSet<>(ours), new TreeSet<>(circuit.get().edgeStrings()));
        assertEquals(hooks.size(), ours.size());
    }

    @ParameterizedTest(name = "{0}: the per-kind breakdown matches")
    @MethodSource("circuits")
    void per_kind_breakdown_matches_the_shared_counts(String task, Supplier<CanonicalCircuit> circuit, int size, int addition, int direct) {
        JsonObject breakdown = SharedDatasets.load("circuits.json").getAsJsonObject(task).getAsJsonObject("breakdown_by_kind");
        Map<String, Long> expected = new TreeMap<>();
        breakdown.entrySet().forEach(en -> expected.put(en.getKey(), en.getValue().getAsLong()));
        Map<String, Long> got = circuit.get().edges().stream()
                .collect(Collectors.groupingBy(CanonicalCircuitTest::kind, TreeMap::new, Collectors.counting()));
        assertEquals(expected, got);
    }

    private static String kind(EdgeName e) {
        if (e.isDirectComputation()) return "direct computation aL.H.x_input->aL.H.x";
        return type(e.sender()) + " -> " + (e.receiver().startsWith("a") ? "head q/k/v" : type(e.receiver()));
    }

    private static String type(String node) {
        if (node.startsWith("a")) return "head";
        if (node.startsWith("m")) return "mlp";
        return node;
    }

    @ParameterizedTest(name = "{0}x{1}, mlps={2}: {3} edges")
    @CsvSource({"12, 12, true, 32923", "4, 8, false, 1377", "2, 8, false, 305"})
    void the_full_graph_has_acdcs_edge_counts(int layers, int heads, boolean mlps, int count) {
        assertEquals(count, AcdcGraphEdges.all(layers, heads, mlps).size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"a0.1->a3.0.k", "embed->m0", "m3->a5.5.q", "a9.1->m9", "a3.6.q_input->a3.6.q", "m11->output"})
    void edge_names_round_trip_through_text(String text) {
        assertEquals(text, EdgeName.parse(text).toString());
    }

    @ParameterizedTest(name = "{0} is rejected")
    @CsvSource({"output->m0", "a0.1->embed", "a3.6.q_input->a3.0.q", "a0.1-a3.0.k"})
    void malformed_edge_names_are_rejected_with_a_message(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EdgeName.parse(text));
        assertTrue(e.getMessage().contains("'") || e.getMessage().contains("->"), e.getMessage());
    }

    @ParameterizedTest(name = "IOI group {0} has {1} heads")
    @CsvSource({"name mover, 3", "backup name mover, 8", "negative, 2", "s2 inhibition, 4", "induction, 4", "duplicate token, 3", "previous token, 2"})
    void ioi_groups_hold_26_heads(String group, int count) {
        assertEquals(count, IoiCircuit.GROUPS.get(group).size());
        assertEquals(26, IoiCircuit.GROUPS.values().stream().mapToInt(List::size).sum());
    }
}
