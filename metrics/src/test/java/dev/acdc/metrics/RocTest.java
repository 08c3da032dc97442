package dev.acdc.metrics;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.NodeMerging;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RocTest {

    private static final CircuitGraph G = CircuitGraph.of(new TransformerConfig("attn-only-2l", 2, 512, 8, 64, 0,
            48262, 48262, 2048, TransformerConfig.Normalization.LAYERNORM, 1e-5,
            TransformerConfig.Activation.GELU_NEW, true, 0.125, false));

    private final Circuit truth = Circuit.ofNames(G, List.of("a0.1->a1.0.k", "a1.0.k->a1.0.hook_k", "a1.0->output"));

    @Test
    void edge_point_counts_true_and_false_positives() {
        Circuit recovered = Circuit.ofNames(G, List.of("a0.1->a1.0.k", "a1.0->output", "embed->output"));
        RocPoint pt = Roc.edgePoint(recovered, truth);
        assertEquals(2.0 / 3, pt.tpr(), 1e-12);
        assertEquals(1.0 / (305 - 3), pt.fpr(), 1e-12);
    }

    @Test
    void node_point_merges_qkv_into_heads_over_all_components() {
        // truth nodes: a0.1, a1.0, output; universe: embed, 16 heads, output = 18
        assertEquals(Set.of("a0.1", "a1.0", "output"), truth.nodeNames());
        Circuit recovered = Circuit.ofNames(G, List.of("embed->a1.0.q"));   // nodes: embed, a1.0
        RocPoint pt = Roc.nodePoint(recovered, truth.nodeNames());
        assertEquals(1.0 / 3, pt.tpr(), 1e-12);
        assertEquals(1.0 / 15, pt.fpr(), 1e-12);
    }

    @Test
    void acdc_code_counting_keeps_every_head_node_apart_and_drops_mlp_inputs() {
        // universe: embed, 16 × (aL.H, aL.H.q|k|v, aL.H.hook_q|hook_k|hook_v), output
        assertEquals(1 + 16 * 7 + 1, G.mergedNodeNames(NodeMerging.ACDC_CODE).size());
        assertEquals(Set.of("a0.1", "a1.0.k", "a1.0.hook_k", "a1.0", "output"), truth.nodeNames(NodeMerging.ACDC_CODE));
        Circuit recovered = Circuit.ofNames(G, List.of("embed->a1.0.q"));   // nodes: embed, a1.0.q
        RocPoint pt = Roc.nodePoint(recovered, truth.nodeNames(NodeMerging.ACDC_CODE), NodeMerging.ACDC_CODE);
        assertEquals(0.0, pt.tpr(), 1e-12);
        assertEquals(2.0 / (114 - 5), pt.fpr(), 1e-12);
    }

    @Test
    void curves_of_nested_circuits_reach_auc_one_when_truth_comes_first() {
        Circuit bigger = truth.union(Circuit.ofNames(G, List.of("embed->output")));
        RocCurve edges = Roc.edgeCurve(List.of(truth, bigger, Circuit.full(G)), truth);
        assertEquals(1.0, edges.pessimisticAuc(), 1e-12);
        RocCurve nodes = Roc.nodeCurve(List.of(truth, bigger), truth);
        assertEquals(1.0, nodes.pessimisticAuc(), 1e-12);
    }

    @Test
    void score_ranking_curve_matches_threshold_circuits() {
        double[] scores = new double[G.edgeCount()];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < scores.length; i++) scores[i] = Math.floor(r.nextDouble() * 50);   // ties on purpose
        for (Circuit c : List.of(truth)) for (int id : c.edgeIds()) scores[id] += 30;
        RocCurve fromScores = Roc.edgeCurveFromScores(scores, truth);
        List<Circuit> thresholds = java.util.stream.DoubleStream.of(scores).distinct().boxed()
                .map(t -> Circuit.atLeast(G, scores, t)).toList();
        RocCurve fromCircuits = Roc.edgeCurve(thresholds, truth);
        assertEquals(fromCircuits.frontier(), fromScores.frontier());
        assertEquals(fromCircuits.pessimisticAuc(), fromScores.pessimisticAuc(), 1e-12);
        assertTrue(fromScores.pessimisticAuc() > 0.5);
    }

    @Test
    void undefined_rates_are_reported() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Roc.edgePoint(truth, Circuit.empty(G)));
        assertTrue(empty.getMessage().contains("ground truth is empty"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Roc.edgePoint(truth, Circuit.full(G)));
        assertThrows(IllegalArgumentException.class,
                () -> Roc.point(Set.of("x"), Set.of("a"), List.of("a", "b")));
        BitSet big = new BitSet();
        big.set(10);
        assertThrows(IllegalArgumentException.class, () -> Roc.point(big, big, 5));
    }
}
