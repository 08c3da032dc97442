package dev.acdc.discovery.method;

import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.patching.graph.Circuit;

import java.util.List;

/**
 * Edge- and node-level ROC curves of one method's result against a ground truth: the one pipeline every
 * method's output goes through, so AUCs of different methods are comparable.
 *
 * <p>Edge level: when the method ranks edges ({@link MethodResult#edgeScores()}), the curve of that ranking
 * (one point per distinct score, exact); otherwise one point per circuit of the sweep. Node level: one point
 * per circuit of the sweep (a node is in a circuit when it touches a kept edge; q/k/v inputs merge into their
 * head, the MLP input into the MLP).
 *
 * @param edge the edge-level curve
 * @param node the node-level curve
 */
public record MethodRoc(RocCurve edge, RocCurve node) {

    public static MethodRoc of(MethodResult result, Circuit truth) {
        List<Circuit> circuits = result.points().stream().map(SweepPoint::circuit).toList();
        if (circuits.isEmpty() && result.edgeScores() == null) {
            throw new IllegalArgumentException(result.method() + " produced no circuit and no edge scores");
        }
        RocCurve edge = result.edgeScores() != null
                ? Roc.edgeCurveFromScores(result.edgeScores(), truth)
                : Roc.edgeCurve(circuits, truth);
        RocCurve node = Roc.nodeCurve(circuits.isEmpty() ? List.of(Circuit.full(truth.graph())) : circuits, truth.nodeNames());
        return new MethodRoc(edge, node);
    }
}
