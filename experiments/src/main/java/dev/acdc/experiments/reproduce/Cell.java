package dev.acdc.experiments.reproduce;

import java.util.List;

/**
 * One method on one task, metric and ablation: its AUCs against the task's ground truth and every ROC point.
 *
 * <p>Two node countings: {@code node} counts nodes as the ACDC code did for the paper's tables
 * ({@code filter_nodes}: a head's output, inputs and computed q/k/v apart, MLP inputs dropped;
 * {@code NodeMerging.ACDC_CODE}), so it compares like for like with the published node AUCs;
 * {@code nodeComponents} is ours, as the paper describes node ROC (q/k/v into the head, the MLP input into the MLP;
 * {@code NodeMerging.COMPONENTS}).
 *
 * @param task                      task name
 * @param metric                    the metric the method optimised or was scored with
 * @param ablation                  resample or zero (CLI names)
 * @param method                    method name
 * @param groundTruth               the ground truth scored against
 * @param edgeAuc                   pessimistic edge-level AUC (the paper's)
 * @param nodeAuc                   pessimistic node-level AUC, nodes counted as the ACDC code did
 * @param nodeAucComponents         pessimistic node-level AUC, components merged (ours)
 * @param edgeAucTrapezoid          trapezoidal edge-level AUC
 * @param nodeAucTrapezoid          trapezoidal node-level AUC, nodes counted as the ACDC code did
 * @param nodeAucComponentsTrapezoid trapezoidal node-level AUC, components merged
 * @param seconds                   the method's wall-clock time
 * @param points                    one per circuit of the sweep
 */
public record Cell(String task, String metric, String ablation, String method, String groundTruth, double edgeAuc,
                   double nodeAuc, double nodeAucComponents, double edgeAucTrapezoid, double nodeAucTrapezoid,
                   double nodeAucComponentsTrapezoid, double seconds, List<Point> points) {

    /** One circuit of a sweep and where it lies on the ROC planes (node: as the ACDC code counted; components: ours). */
    public record Point(String parameter, double value, int edgesKept, double edgeFpr, double edgeTpr, double nodeFpr,
                        double nodeTpr, double nodeFprComponents, double nodeTprComponents) {}

    public Cell {
        points = List.copyOf(points);
    }
}
