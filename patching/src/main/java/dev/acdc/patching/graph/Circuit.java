package dev.acdc.patching.graph;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.ArrayList;

/**
 * An immutable set of tested edges of one {@link CircuitGraph}: a bit set over edge ids (a view, not a
 * rebuilt graph), with optional per-edge scores (for ACDC the metric change when the edge was tested; for
 * SP, EAP the edge's importance).
 *
 * <p>Placeholder edges are not members: a circuit says which tested edges are kept. Node membership
 * follows ACDC's node-level ROC: a node is in the circuit when it touches a kept edge, with a head's
 * q/k/v inputs and computed q/k/v merged into the head and an MLP's input merged into its output
 * ({@link #nodeNames()}).
 */
public final class Circuit {

    private final CircuitGraph graph;
    private final BitSet kept;
    private final double[] scores;   // null, or one per tested edge

    private Circuit(CircuitGraph graph, BitSet kept, double[] scores) {
        this.graph = graph;
        this.kept = kept;
        this.scores = scores;
    }

    // ------------------------------------------------------------------ construction

    /** Every tested edge of the graph. */
    public static Circuit full(CircuitGraph graph) {
        BitSet all = new BitSet(graph.edgeCount());
        all.set(0, graph.edgeCount());
        return new Circuit(graph, all, null);
    }

    /** No edge. */
    public static Circuit empty(CircuitGraph graph) {
        return new Circuit(Objects.requireNonNull(graph, "graph"), new BitSet(), null);
    }

    /** The edges whose ids are set in {@code kept} (copied); ids must be below {@code graph.edgeCount()}. */
    public static Circuit of(CircuitGraph graph, BitSet kept) {
        Objects.requireNonNull(graph, "graph");
        if (kept.length() > graph.edgeCount()) {
            throw new IllegalArgumentException("edge id " + (kept.length() - 1) + " is not a tested edge of graph '"
                    + graph.config().name() + "' (ids 0.." + (graph.edgeCount() - 1) + ")");
        }
        return new Circuit(graph, (BitSet) kept.clone(), null);
    }

    /** The edges with these ids. */
    public static Circuit ofIds(CircuitGraph graph, int... ids) {
        BitSet bits = new BitSet(graph.edgeCount());
        for (int id : ids) {
            if (id < 0 || id >= graph.edgeCount()) {
                throw new IllegalArgumentException("edge id " + id + " is not a tested edge of graph '"
                        + graph.config().name() + "' (ids 0.." + (graph.edgeCount() - 1) + ")");
            }
            bits.set(id);
        }
        return new Circuit(graph, bits, null);
    }

    /** These edges, which must be tested edges of {@code graph}. */
    public static Circuit ofEdges(CircuitGraph graph, Collection<Edge> edges) {
        BitSet bits = new BitSet(graph.edgeCount());
        for (Edge e : edges) bits.set(checkedId(graph, e));
        return new Circuit(graph, bits, null);
    }

    /** The edges with these names, e.g. {@code a0.1->a3.0.k}. */
    public static Circuit ofNames(CircuitGraph graph, Collection<String> names) {
        BitSet bits = new BitSet(graph.edgeCount());
        for (String n : names) bits.set(graph.edge(n).id());
        return new Circuit(graph, bits, null);
    }

    /** The edges whose score is at least {@code threshold} (NaN scores never), scores attached. */
    public static Circuit atLeast(CircuitGraph graph, double[] scores, double threshold) {
        checkScores(graph, scores);
        BitSet bits = new BitSet(graph.edgeCount());
        for (int i = 0; i < scores.length; i++) if (scores[i] >= threshold) bits.set(i);
        return new Circuit(graph, bits, scores.clone());
    }

    /**
     * The {@code k} edges with the highest scores (ties broken by lower id; NaN scores last), scores attached.
     */
    public static Circuit topK(CircuitGraph graph, double[] scores, int k) {
        checkScores(graph, scores);
        if (k < 0 || k > scores.length) {
            throw new IllegalArgumentException("k must be in 0.." + scores.length + ", found " + k);
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            double sa = Double.isNaN(scores[a]) ? Double.NEGATIVE_INFINITY : scores[a];
            double sb = Double.isNaN(scores[b]) ? Double.NEGATIVE_INFINITY : scores[b];
            int c = Double.compare(sb, sa);
            return c != 0 ? c : Integer.compare(a, b);
        });
        BitSet bits = new BitSet(graph.edgeCount());
        for (int i = 0; i < k; i++) bits.set(order[i]);
        return new Circuit(graph, bits, scores.clone());
    }

    /** This circuit with per-edge scores attached (one per tested edge of the graph; copied). */
    public Circuit withScores(double[] newScores) {
        checkScores(graph, newScores);
        return new Circuit(graph, kept, newScores.clone());
    }

    private static void checkScores(CircuitGraph graph, double[] scores) {
        Objects.requireNonNull(scores, "scores");
        if (scores.length != graph.edgeCount()) {
            throw new IllegalArgumentException("scores must have one entry per tested edge of graph '"
                    + graph.config().name() + "' (" + graph.edgeCount() + "), found " + scores.length);
        }
    }

    private static int checkedId(CircuitGraph graph, Edge e) {
        if (e.id() >= graph.edgeCount() || !graph.edge(e.id()).equals(e)) {
            throw new IllegalArgumentException("edge " + e + " (id " + e.id() + ", " + e.kind()
                    + ") is not a tested edge of graph '" + graph.config().name() + "'");
        }
        return e.id();
    }

    // ------------------------------------------------------------------ queries

    public CircuitGraph graph() { return graph; }

    public boolean contains(int edgeId) { return kept.get(edgeId); }

    public boolean contains(Edge edge) { return edge.id() < graph.edgeCount() && kept.get(edge.id()) && graph.edge(edge.id()).equals(edge); }

    public boolean contains(String edgeName) { return kept.get(graph.edge(edgeName).id()); }

    /** Number of kept edges. */
    public int edgeCount() { return kept.cardinality(); }

    public boolean isEmpty() { return kept.isEmpty(); }

    /** Ids of the kept edges, ascending. */
    public int[] edgeIds() { return kept.stream().toArray(); }

    /** The kept edges, by ascending id. */
    public List<Edge> edges() {
        List<Edge> out = new ArrayList<>(kept.cardinality());
        for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) out.add(graph.edge(i));
        return Collections.unmodifiableList(out);
    }

    /** A copy of the membership bits (bit i = edge id i kept). */
    public BitSet bits() { return (BitSet) kept.clone(); }

    public boolean hasScores() { return scores != null; }

    /** The score of an edge (kept or not). */
    public double score(int edgeId) {
        if (scores == null) throw new IllegalStateException("this circuit has no scores; attach them with withScores");
        return scores[edgeId];
    }

    /** A copy of the per-edge scores, indexed by edge id. */
    public double[] scores() {
        if (scores == null) throw new IllegalStateException("this circuit has no scores; attach them with withScores");
        return scores.clone();
    }

    /** The graph nodes that touch a kept edge, in the graph's topological order. */
    public Set<Node> nodes() {
        boolean[] touched = touched();
        Set<Node> out = new LinkedHashSet<>();
        for (int i = 0; i < touched.length; i++) if (touched[i]) out.add(graph.nodes().get(i));
        return Collections.unmodifiableSet(out);
    }

    /**
     * The model components in the circuit, as ACDC's node-level ROC counts them: every node touching a kept
     * edge, q/k/v merged into their head ({@code aL.H}), the MLP input into the MLP ({@code mL}); plus
     * {@code embed} (or {@code tok_embed}, {@code pos_embed}) and {@code output}. Topological order.
     */
    public Set<String> nodeNames() {
        return nodeNames(NodeMerging.COMPONENTS);
    }

    /** The merged names of the nodes touching a kept edge, under the given merging; topological order. */
    public Set<String> nodeNames(NodeMerging merging) {
        boolean[] touched = touched();
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < touched.length; i++) {
            if (!touched[i]) continue;
            String name = merging.mergedName(graph.nodes().get(i));
            if (name != null) out.add(name);
        }
        return Collections.unmodifiableSet(out);
    }

    private boolean[] touched() {
        boolean[] touched = new boolean[graph.nodeCount()];
        for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
            touched[graph.senderIndex(i)] = true;
            touched[graph.receiverIndex(i)] = true;
        }
        return touched;
    }

    /** The kept edges' names, sorted, for reports and diffs. */
    public Set<String> edgeNames() {
        Set<String> out = new TreeSet<>();
        for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) out.add(graph.edge(i).name());
        return Collections.unmodifiableSet(out);
    }

    // ------------------------------------------------------------------ set operations (scores kept from this)

    public Circuit union(Circuit other) {
        BitSet b = bits();
        b.or(compatible(other).kept);
        return new Circuit(graph, b, scores);
    }

    public Circuit intersection(Circuit other) {
        BitSet b = bits();
        b.and(compatible(other).kept);
        return new Circuit(graph, b, scores);
    }

    /** The edges of this circuit that are not in {@code other}. */
    public Circuit minus(Circuit other) {
        BitSet b = bits();
        b.andNot(compatible(other).kept);
        return new Circuit(graph, b, scores);
    }

    /** The tested edges of the graph not in this circuit. */
    public Circuit complement() {
        BitSet b = bits();
        b.flip(0, graph.edgeCount());
        return new Circuit(graph, b, scores);
    }

    public Circuit with(Edge edge) {
        BitSet b = bits();
        b.set(checkedId(graph, edge));
        return new Circuit(graph, b, scores);
    }

    public Circuit without(Edge edge) {
        BitSet b = bits();
        b.clear(checkedId(graph, edge));
        return new Circuit(graph, b, scores);
    }

    private Circuit compatible(Circuit other) {
        if (other.graph != graph && !other.graph.config().equals(graph.config())) {
            throw new IllegalArgumentException("circuits of different graphs: '" + graph.config().name() + "' and '"
                    + other.graph.config().name() + "'");
        }
        return other;
    }

    /** Equal when over the same config with the same kept edges and the same scores (or both none). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Circuit c && c.graph.config().equals(graph.config()) && c.kept.equals(kept)
                && Arrays.equals(c.scores, scores);
    }

    @Override
    public int hashCode() {
        return kept.hashCode() * 31 + Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        return "Circuit[" + graph.config().name() + ": " + edgeCount() + "/" + graph.edgeCount() + " edges]";
    }
}
