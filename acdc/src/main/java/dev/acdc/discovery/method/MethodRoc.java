package dev.acdc.discovery.method;

import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.patching.graph.Circuit;

import java.util.List;

/**
 * Edge- and node-level ROC curves of one method's result against a ground truth: the one pipeline every
 * method's output goes through, so AUCs of different methods are comparable.
 *
 * <p>Both levels are always built from the same thing, so they treat ties alike:
 * <ul>
 *   <li>a method that ranks edges ({@link MethodResult#edgeScores()}: EAP, EAP-IG): both curves come from the
 *   scores, through {@link Roc#rankingCurve}'s tie rule (one point per distinct score; tied edges, and the nodes
 *   they touch, are kept together, never one by one in id order);</li>
 *   <li>any other method (ACDC, SP, HISP): one point per circuit of its sweep at both levels; ties were resolved
 *   by the method when it built its circuits (HISP: as the ACDC code's {@code launch_sixteen_heads.py} sorts).</li>
 * </ul>
 * A node is in a circuit when it touches a kept edge; q/k/v inputs merge into their head, the MLP input into the
 * MLP.
 *
 * @param edge the edge-level curve
 * @param node the node-level curve
 */
public record MethodRoc(RocCurve edge, RocCurve node) {

    public static MethodRoc of(MethodResult result, Circuit truth) {
        if (result.edgeScores() != null) {
            return new MethodRoc(Roc.edgeCurveFromScores(result.edgeScores(), truth),
                    Roc.nodeCurveFromEdgeScores(result.edgeScores(), truth));
        }
        List<Circuit> circuits = result.points().stream().map(SweepPoint::circuit).toList();
        if (circuits.isEmpty()) {
            throw new IllegalArgumentException(result.method() + " produced no circuit and no edge scores");
        }
        return new MethodRoc(Roc.edgeCurve(circuits, truth), Roc.nodeCurve(circuits, truth.nodeNames()));
    }
}
