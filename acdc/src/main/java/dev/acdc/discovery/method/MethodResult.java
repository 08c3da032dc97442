package dev.acdc.discovery.method;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one method produced on one task.
 *
 * @param method     the method's CLI name ({@code acdc}, {@code sp}, {@code hisp}, {@code eap}, {@code eap-ig})
 * @param points     circuits, one per hyperparameter value, in sweep order
 * @param edgeScores a score per edge id, higher meaning more important, for methods that rank edges
 *                   (EAP: |attribution|); null otherwise
 * @param nodeScores a score per component (node name as in {@code Circuit.nodeNames}), higher meaning more
 *                   important, for methods that rank components (HISP, SP's final mask logits); null otherwise
 * @param seconds    wall-clock time of the whole method
 */
public record MethodResult(String method, List<SweepPoint> points, double[] edgeScores, Map<String, Double> nodeScores,
                           double seconds) {
    public MethodResult {
        Objects.requireNonNull(method, "method");
        points = List.copyOf(points);
        nodeScores = nodeScores == null ? null : Map.copyOf(nodeScores);
    }
}
