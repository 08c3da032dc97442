package dev.acdc.metrics;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.NodeMerging;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Two kinds of curve: one point per circuit of a method's sweep ({@link #edgeCurve}, {@link #nodeCurve}), and
 * the curve of a per-edge score ranking ({@link #edgeCurveFromScores}, {@link #nodeCurveFromEdgeScores}). Both
 * levels of a ranking go through {@link #rankingCurve}, which holds the one tie rule: tied scores are kept
 * together.
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
     * Edge-level ROC curve of a per-edge score ranking, under the {@linkplain #rankingCurve tie rule}: one
     * point per distinct score t, keeping the edges scored ≥ t. O(E log E).
     *
     * @param scores one per tested edge of {@code truth.graph()}, higher = more important
     */
    public static RocCurve edgeCurveFromScores(double[] scores, Circuit truth) {
        CircuitGraph g = truth.graph();
        if (scores.length != g.edgeCount()) {
            throw new IllegalArgumentException("scores must have one entry per tested edge (" + g.edgeCount()
                    + "), found " + scores.length);
        }
        boolean[] positive = new boolean[scores.length];
        for (int i = 0; i < positive.length; i++) positive[i] = truth.contains(i);
        return rankingCurve(scores, positive);
    }

    /** Node-level ROC curve of a per-edge score ranking, components merged as {@link NodeMerging#COMPONENTS}. */
    public static RocCurve nodeCurveFromEdgeScores(double[] scores, Circuit truth) {
        return nodeCurveFromEdgeScores(scores, truth, NodeMerging.COMPONENTS);
    }

    /**
     * Node-level ROC curve of a per-edge score ranking, under the same {@linkplain #rankingCurve tie rule} as
     * the edge curve. The circuit at threshold t keeps the edges scored ≥ t, and a node is in it when it touches
     * one of them, so a (merged) node's score is the highest score of the edges it touches; nodes touching no
     * scored edge never enter. Each point of this curve is the node point of the edge curve's circuit at the same
     * threshold.
     *
     * @param scores one per tested edge of {@code truth.graph()}, higher = more important
     */
    public static RocCurve nodeCurveFromEdgeScores(double[] scores, Circuit truth, NodeMerging merging) {
        CircuitGraph g = truth.graph();
        if (scores.length != g.edgeCount()) {
            throw new IllegalArgumentException("scores must have one entry per tested edge (" + g.edgeCount()
                    + "), found " + scores.length);
        }
        List<String> universe = g.mergedNodeNames(merging);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < universe.size(); i++) index.put(universe.get(i), i);
        double[] nodeScores = new double[universe.size()];
        Arrays.fill(nodeScores, Double.NaN);
        for (int id = 0; id < scores.length; id++) {
            if (Double.isNaN(scores[id])) continue;
            for (int node : new int[] {g.senderIndex(id), g.receiverIndex(id)}) {
                String name = merging.mergedName(g.nodes().get(node));
                if (name == null) continue;
                int n = index.get(name);
                if (Double.isNaN(nodeScores[n]) || scores[id] > nodeScores[n]) nodeScores[n] = scores[id];
            }
        }
        boolean[] positive = new boolean[universe.size()];
        for (String t : truth.nodeNames(merging)) positive[index.get(t)] = true;
        return rankingCurve(nodeScores, positive);
    }

    /**
     * The ROC curve of a ranking of items (edges or nodes), the one place where tied scores are resolved.
     *
     * <p><b>Tie rule.</b> The curve has one point per distinct score t: the items scored ≥ t are kept. Items with
     * equal scores are kept together, never one at a time in an arbitrary order (such as by id), so the curve
     * does not depend on how items are numbered, and a ranking that ties everything yields only the point of
     * keeping everything (pessimistic AUC 0, trapezoidal AUC 0.5). NaN scores are never kept; −0.0 and 0.0 tie.
     * This is the rule of threshold sweeps (ACDC's τ, a score threshold), and of scikit-learn's
     * {@code roc_curve}. O(n log n).
     *
     * @param scores   one per item, higher = more important
     * @param positive one per item: whether it is in the ground truth
     */
    public static RocCurve rankingCurve(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException("expected one label per score (" + scores.length + "), found " + positive.length);
        }
        int positives = 0;
        for (boolean p : positive) if (p) positives++;
        int negatives = scores.length - positives;
        checkRates(positives, negatives, scores.length);
        Integer[] ranked = java.util.stream.IntStream.range(0, scores.length).filter(i -> !Double.isNaN(scores[i]))
                .boxed().toArray(Integer[]::new);
        Arrays.sort(ranked, (a, b) -> Double.compare(scores[b], scores[a]));
        List<RocPoint> pts = new ArrayList<>();
        int tp = 0;
        int fp = 0;
        for (int k = 0; k < ranked.length; k++) {
            if (positive[ranked[k]]) tp++; else fp++;
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
