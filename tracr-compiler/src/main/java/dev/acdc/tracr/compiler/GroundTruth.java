package dev.acdc.tracr.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The circuit of a compiled model, read off its weights: every residual edge along which information
 * flows, the q/k/v inputs each head uses (the graph adds the direct-computation edges
 * {@code aL.H.q_input->aL.H.q} from them) and which RASP SOps each component implements.
 *
 * @param edges          residual edges, sorted
 * @param headInputs     for each head in the circuit, the subset of {q, k, v} it reads
 * @param componentNodes for each component ({@code aL.H}, {@code mL}), the SOp labels it implements
 */
public record GroundTruth(List<GroundTruthEdge> edges, Map<String, Set<String>> headInputs,
                          Map<String, List<String>> componentNodes) {
    public GroundTruth {
        edges = List.copyOf(edges);
        headInputs = java.util.Collections.unmodifiableMap(new TreeMap<>(headInputs));
        componentNodes = java.util.Collections.unmodifiableMap(new TreeMap<>(componentNodes));
    }

    /** Residual edges as {@code sender->receiver} and direct edges as {@code aL.H.q_input->aL.H.q}, sorted. */
    public List<String> toEdgeStrings() {
        TreeSet<String> out = new TreeSet<>();
        for (GroundTruthEdge e : edges) out.add(e.toString());
        for (var e : headInputs.entrySet()) {
            for (String in : e.getValue()) out.add(e.getKey() + "." + in + "_input->" + e.getKey() + "." + in);
        }
        return new ArrayList<>(out);
    }

    /** The same circuit without edges that only carry biases, BOS or PAD (closer to ACDC's published ground truth). */
    public GroundTruth withoutStructural() {
        List<GroundTruthEdge> kept = new ArrayList<>();
        for (GroundTruthEdge e : edges) if (!e.structural()) kept.add(e);
        Map<String, Set<String>> inputs = new TreeMap<>();
        for (var h : headInputs.entrySet()) {
            Set<String> used = new TreeSet<>();
            for (GroundTruthEdge e : kept) {
                if (e.receiver().startsWith(h.getKey() + ".")) used.add(e.receiver().substring(h.getKey().length() + 1));
            }
            inputs.put(h.getKey(), used);
        }
        return new GroundTruth(kept, inputs, componentNodes);
    }
}
