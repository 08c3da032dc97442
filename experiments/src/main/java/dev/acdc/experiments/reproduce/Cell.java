package dev.acdc.experiments.reproduce;

import java.util.List;

/**
 * One method on one task, metric and ablation: its AUCs against the task's ground truth and every ROC point.
 *
 * @param task        task name
 * @param metric      the metric the method optimised or was scored with
 * @param ablation    resample or zero (CLI names)
 * @param method      method name
 * @param groundTruth the ground truth scored against
 * @param edgeAuc     pessimistic edge-level AUC (the paper's)
 * @param nodeAuc     pessimistic node-level AUC
 * @param edgeAucTrapezoid trapezoidal edge-level AUC
 * @param nodeAucTrapezoid trapezoidal node-level AUC
 * @param seconds     the method's wall-clock time
 * @param points      one per circuit of the sweep
 */
public record Cell(String task, String metric, String ablation, String method, String groundTruth, double edgeAuc,
                   double nodeAuc, double edgeAucTrapezoid, double nodeAucTrapezoid, double seconds, List<Point> points) {

    /** One circuit of a sweep and where it lies on the ROC plane. */
    public record Point(String parameter, double value, int edgesKept, double edgeFpr, double edgeTpr, double nodeFpr,
                        double nodeTpr) {}

    public Cell {
        points = List.copyOf(points);
    }
}
