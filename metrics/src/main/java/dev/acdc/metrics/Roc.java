package dev.acdc.metrics;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.NodeMerging;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * ROC points of recovered circuits against a ground truth, over edges or over nodes.
 *
 * <p>TPR = |recovered ∩ truth| / |truth|; FPR = |recovered \ truth| / (|universe| − |truth|), the universe
 * being every tested edge of the graph (edges) or every model component (nodes: {@code embed} or
 * {@code tok_embed}/{@code pos_embed}, each head {@code aL.H}, each MLP {@code mL}, {@code output}); a
 * circuit's nodes are those touching a kept edge, q/k/v merged into their head and MLP input into the MLP
 * ({@link Circuit#nodeNames()}). {@link NodeMerging#ACDC_CODE} switches to the node counting of ACDC's
 * published code (q/k/v kept apart from the head output, MLP inputs dropped), to reproduce its numbers.
 */
public final class Roc {
    private Roc() {}

    /** The ROC point of a recovered edge set against a truth set over ids {@code 0..universe-1}. */
    public static RocPoint point(BitSet recovered, BitSet truth, int universe) {
        int positives = truth.cardinality();
        int negatives = universe - positives;
        checkRates(positives, negatives, universe);
        if (recovered.length() > universe || truth.length() > universe) {
            throw new IllegalArgumentException("ids must be below the universe size " + universe);
        }
        BitSet tp = (BitSet) recovered.clone();
        tp.and(truth);
        BitSet fp = (BitSet) recovered.clone();
        fp.andNot(truth);
        return new RocPoint((double) fp.cardinality() / negatives, (double) tp.cardinality() / positives);
    }

    /** The ROC point of a recovered set against a truth set, both within {@code universe}. */
    public static <T> RocPoint point(Set<T> recovered, Set<T> truth, Collection<T> universe) {
        Set<T> all = Set.copyOf(universe);
        for (T t : truth) if (!all.contains(t)) throw new IllegalArgumentException("ground truth element " + t + " is not in the universe");
        for (T t : recovered) if (!all.contains(t)) throw new IllegalArgumentException("recovered element " + t + " is not in the universe");
        int positives = truth.size();
        int negatives = all.size() - positives;
        checkRates(positives, negatives, all.size());
        int tp = 0;
        int fp = 0;
        for (T t : recovered) {
            if (truth.contains(t)) tp++; else fp++;
        }
        return new RocPoint((double) fp / negatives, (double) tp / positives);
    }

    /** Edge-level ROC point of a circuit against a ground-truth circuit of the same graph. */
    public static RocPoint edgePoint(Circuit recovered, Circuit truth) {
        sameGraph(recovered, truth);
        return point(recovered.bits(), truth.bits(), truth.graph().edgeCount());
    }

    /** Node-level ROC point: components touched by the circuit against the truth's components. */
    public static RocPoint nodePoint(Circuit recovered, Set<String> truthNodes) {
        return nodePoint(recovered, truthNodes, NodeMerging.COMPONENTS);
    }

    /** Node-level ROC point under a node merging (truth names must use the same merging). */
    public static RocPoint nodePoint(Circuit recovered, Set<String> truthNodes, NodeMerging merging) {
        return point(recovered.nodeNames(merging), truthNodes, recovered.graph().mergedNodeNames(merging));
    }

    /** Edge-level ROC curve of a method's circuits (one per threshold) against a ground truth. */
    public static RocCurve edgeCurve(List<Circuit> circuits, Circuit truth) {
        List<RocPoint> pts = new ArrayList<>(circuits.size());
        for (Circuit c : circuits) pts.add(edgePoint(c, truth));
        return RocCurve.of(pts);
    }

    /** Node-level ROC curve; the truth's nodes are the components its edges touch. */
    public static RocCurve nodeCurve(List<Circuit> circuits, Circuit truth) {
        return nodeCurve(circuits, truth, NodeMerging.COMPONENTS);
    }

    /**
     * Node-level ROC curve under a node merging; {@link NodeMerging#ACDC_CODE} reproduces the node counts of
     * ACDC's published code.
     */
    public static RocCurve nodeCurve(List<Circuit> circuits, Circuit truth, NodeMerging merging) {
        return nodeCurve(circuits, truth.nodeNames(merging), merging);
    }

    /** Node-level ROC curve against a ground-truth set of component names ({@code aL.H}, {@code mL}, …). */
    public static RocCurve nodeCurve(List<Circuit> circuits, Set<String> truthNodes) {
        return nodeCurve(circuits, truthNodes, NodeMerging.COMPONENTS);
    }

    /** Node-level ROC curve against ground-truth node names given under {@code merging}. */
    public static RocCurve nodeCurve(List<Circuit> circuits, Set<String> truthNodes, NodeMerging merging) {
        List<RocPoint> pts = new ArrayList<>(circuits.size());
        for (Circuit c : circuits) pts.add(nodePoint(c, truthNodes, merging));
        return RocCurve.of(pts);
    }

    /**
     * Edge-level ROC curve of a per-edge score ranking: one circuit per distinct finite score t, keeping the
     * edges scored ≥ t (NaN scores are never kept). O(E log E).
     *
     * @param scores one per tested edge of {@code truth.graph()}, higher = more important
     */
    public static RocCurve edgeCurveFromScores(double[] scores, Circuit truth) {
        CircuitGraph g = truth.graph();
        if (scores.length != g.edgeCount()) {
            throw new IllegalArgumentException("scores must have one entry per tested edge (" + g.edgeCount()
                    + "), found " + scores.length);
        }
        int positives = truth.edgeCount();
        int negatives = g.edgeCount() - positives;
        checkRates(positives, negatives, g.edgeCount());
        Integer[] order = new Integer[scores.length];
        int n = 0;
        for (int i = 0; i < scores.length; i++) if (!Double.isNaN(scores[i])) order[n++] = i;
        Integer[] ranked = Arrays.copyOf(order, n);
        Arrays.sort(ranked, (a, b) -> Double.compare(scores[b], scores[a]));
        List<RocPoint> pts = new ArrayList<>();
        int tp = 0;
        int fp = 0;
        for (int k = 0; k < ranked.length; k++) {
            if (truth.contains(ranked[k])) tp++; else fp++;
            boolean lastOfTie = k == ranked.length - 1 || scores[ranked[k + 1]] != scores[ranked[k]];
            if (lastOfTie) pts.add(new RocPoint((double) fp / negatives, (double) tp / positives));
        }
        return RocCurve.of(pts);
    }

    private static void checkRates(int positives, int negatives, int universe) {
        if (positives == 0) {
            throw new IllegalArgumentException("the ground truth is empty: TPR is undefined (universe of " + universe + ")");
        }
        if (negatives <= 0) {
            throw new IllegalArgumentException("the ground truth covers the whole universe of " + universe
                    + ": FPR is undefined");
        }
    }

    private static void sameGraph(Circuit a, Circuit b) {
        if (!a.graph().config().equals(b.graph().config())) {
            throw new IllegalArgumentException("circuit of graph '" + a.graph().config().name()
                    + "' compared with a ground truth of graph '" + b.graph().config().name() + "'");
        }
    }
}
