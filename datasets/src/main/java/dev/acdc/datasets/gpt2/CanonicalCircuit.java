package dev.acdc.datasets.gpt2;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A task's published circuit as a set of counted edges of ACDC's graph (addition plus
 * direct-computation edges; placeholder edges are never part of it), with the head groups it was
 * built from.
 *
 * @param task the task name
 * @param layers the model's layer count
 * @param heads heads per layer
 * @param mlps whether the model has MLPs
 * @param groups group name to member nodes ({@code aL.H} or {@code mL}), in the source's order
 * @param edges the edges; kept sorted by their text
 */
public record CanonicalCircuit(
        String task, int layers, int heads, boolean mlps, Map<String, List<String>> groups, Set<EdgeName> edges) {
    public CanonicalCircuit {
        Map<String, List<String>> g = new LinkedHashMap<>();
        groups.forEach((k, v) -> g.put(k, List.copyOf(v)));
        groups = Collections.unmodifiableMap(g);
        edges = Collections.unmodifiableSortedSet(new TreeSet<>(edges));
        Set<EdgeName> full = AcdcGraphEdges.all(layers, heads, mlps);
        for (EdgeName e : edges) {
            if (!full.contains(e)) {
                throw new IllegalArgumentException(task + " circuit edge " + e + " is not an edge of the " + layers + "x" + heads
                        + (mlps ? "" : " attention-only") + " graph");
            }
        }
    }

    /** The size in ACDC's counting: addition plus direct-computation edges. */
    public int size() {
        return edges.size();
    }

    public long additionEdges() {
        return edges.stream().filter(e -> !e.isDirectComputation()).count();
    }

    public long directComputationEdges() {
        return edges.stream().filter(EdgeName::isDirectComputation).count();
    }

    /** The edges as {@code sender->receiver} strings, sorted. */
    public List<String> edgeStrings() {
        return edges.stream().map(EdgeName::toString).toList();
    }
}
