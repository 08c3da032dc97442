package dev.acdc.tracr.compiler;

import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.tracr.lib.Library;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every ground-truth edge of every library model names an edge of the model's CircuitGraph. */
class GroundTruthInGraphTest {
    private static final Pattern DIRECT = Pattern.compile("a(\\d+)\\.(\\d+)\\.([qkv])_input->a\\1\\.\\2\\.\\3");

    static List<String> programs() {
        return Library.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void everyGroundTruthEdgeIsAnEdgeOfTheCircuitGraph(String name) {
        Library.Entry e = Library.get(name);
        CompiledModel m = RaspCompiler.compile(name, e.build(Map.of(), e.defaultMaxSeqLen()), e.defaultVocab(), e.defaultMaxSeqLen());
        CircuitGraph g = CircuitGraph.of(m.config());
        List<String> missing = new ArrayList<>();
        for (String edge : m.groundTruth().toEdgeStrings()) {
            // the graph spells direct-computation edges aL.H.q->aL.H.hook_q (datasets' EdgeNotation)
            Matcher d = DIRECT.matcher(edge);
            String graphName = d.matches()
                    ? "a" + d.group(1) + "." + d.group(2) + "." + d.group(3) + "->a" + d.group(1) + "." + d.group(2) + ".hook_" + d.group(3)
                    : edge;
            try {
                g.edge(graphName);
            } catch (RuntimeException ex) {
                missing.add(graphName + " (" + ex.getMessage() + ")");
            }
        }
        assertEquals(List.of(), missing);
    }
}
