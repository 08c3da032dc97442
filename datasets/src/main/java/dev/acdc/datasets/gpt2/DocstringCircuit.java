package dev.acdc.datasets.gpt2;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The docstring circuit of Heimersheim and Janiak (2023) on attn-only-4l, as ACDC's
 * {@code get_docstring_subgraph_true_edges} (acdc/docstring/utils.py) lists it by hand: 37 edges
 * (24 addition, 13 direct computation) over heads 0.5, 1.2, 1.4, 2.0, 3.0 and 3.6.
 *
 * <p>{@code embed} and 0.5 feed 1.2 (q, k), 2.0 (q, k) and 1.4 (v); 2.0's v reads 1.4. The output heads
 * 3.0 and 3.6 read 1.4 in q, 2.0 and 1.2 in k, {@code embed} and 0.5 in v, and write to {@code output}.
 * 0.5 reads {@code embed} in v only.
 */
public final class DocstringCircuit {
    private static final int LAYERS = 4;
    private static final int HEADS = 8;

    /** The six heads. */
    public static final Map<String, List<String>> GROUPS = Map.of("heads", List.of("a0.5", "a1.2", "a1.4", "a2.0", "a3.0", "a3.6"));

    private DocstringCircuit() {}

    /** The canonical docstring circuit (37 edges). Built once; immutable. */
    public static CanonicalCircuit canonical() {
        return Holder.CIRCUIT;
    }

    private static final class Holder {
        static final CanonicalCircuit CIRCUIT = derive();
    }

    private static CanonicalCircuit derive() {
        Set<EdgeName> edges = new LinkedHashSet<>();
        edges.add(EdgeName.of("a0.5", "a1.4.v"));
        edges.add(EdgeName.directComputation("a0.5.v"));
        edges.add(EdgeName.of("embed", "a0.5.v"));
        edges.add(EdgeName.directComputation("a2.0.q"));
        edges.add(EdgeName.of("embed", "a2.0.q"));
        edges.add(EdgeName.of("a0.5", "a2.0.q"));
        edges.add(EdgeName.directComputation("a2.0.k"));
        edges.add(EdgeName.of("embed", "a2.0.k"));
        edges.add(EdgeName.of("a0.5", "a2.0.k"));
        edges.add(EdgeName.directComputation("a2.0.v"));
        edges.add(EdgeName.of("a1.4", "a2.0.v"));
        edges.add(EdgeName.directComputation("a1.4.v"));
        edges.add(EdgeName.of("embed", "a1.4.v"));
        edges.add(EdgeName.directComputation("a1.2.q"));
        edges.add(EdgeName.directComputation("a1.2.k"));
        edges.add(EdgeName.of("embed", "a1.2.q"));
        edges.add(EdgeName.of("embed", "a1.2.k"));
        edges.add(EdgeName.of("a0.5", "a1.2.q"));
        edges.add(EdgeName.of("a0.5", "a1.2.k"));
        for (String head : List.of("a3.0", "a3.6")) {
            edges.add(EdgeName.of(head, "output"));
            edges.add(EdgeName.directComputation(head + ".q"));
            edges.add(EdgeName.of("a1.4", head + ".q"));
            edges.add(EdgeName.directComputation(head + ".v"));
            edges.add(EdgeName.of("embed", head + ".v"));
            edges.add(EdgeName.of("a0.5", head + ".v"));
            edges.add(EdgeName.directComputation(head + ".k"));
            edges.add(EdgeName.of("a2.0", head + ".k"));
            edges.add(EdgeName.of("a1.2", head + ".k"));
        }
        if (edges.size() != 37) throw new AssertionError("the docstring circuit lists 37 edges, built " + edges.size());
        return new CanonicalCircuit("docstring", LAYERS, HEADS, false, GROUPS, edges);
    }
}
