package dev.acdc.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A ROC curve from a method's circuits (one point per threshold) and its areas, computed as in the ACDC
 * paper ({@code notebooks/make_plotly_plots.py}: {@code discard_non_pareto_optimal} then
 * {@code pessimistic_auc}):
 * <ol>
 *   <li>add the points (0, 0) and (1, 1) (the empty and the full circuit);</li>
 *   <li>drop dominated points: a point goes when another has strictly lower FPR and strictly higher TPR;</li>
 *   <li>sort by FPR, then TPR;</li>
 *   <li>pessimistic AUC = Σᵢ (1 − FPRᵢ)(TPRᵢ − TPRᵢ₋₁): the area under the staircase that steps up only
 *       at each point's FPR (the step function {@code shape='hv'} the paper plots);</li>
 *   <li>trapezoidal AUC over the same points, for comparison.</li>
 * </ol>
 */
public final class RocCurve {

    private final List<RocPoint> points;
    private final List<RocPoint> frontier;

    private RocCurve(List<RocPoint> points) {
        this.points = List.copyOf(points);
        this.frontier = paretoFrontier(points);
    }

    /** A curve through these points (in any order). */
    public static RocCurve of(List<RocPoint> points) {
        return new RocCurve(points);
    }

    /** The points as given. */
    public List<RocPoint> points() {
        return points;
    }

    /** (0, 0) and (1, 1) added, dominated points removed, duplicates merged, sorted by FPR then TPR. */
    public List<RocPoint> frontier() {
        return frontier;
    }

    /** The ACDC paper's AUC: Σᵢ (1 − FPRᵢ)(TPRᵢ − TPRᵢ₋₁) over the frontier. */
    public double pessimisticAuc() {
        double area = 0;
        for (int i = 1; i < frontier.size(); i++) {
            area += (1 - frontier.get(i).fpr()) * (frontier.get(i).tpr() - frontier.get(i - 1).tpr());
        }
        return area;
    }

    /** The trapezoidal AUC over the frontier: Σᵢ (FPRᵢ − FPRᵢ₋₁)(TPRᵢ + TPRᵢ₋₁)/2. */
    public double trapezoidalAuc() {
        double area = 0;
        for (int i = 1; i < frontier.size(); i++) {
            RocPoint a = frontier.get(i - 1);
            RocPoint b = frontier.get(i);
            area += (b.fpr() - a.fpr()) * (b.tpr() + a.tpr()) / 2;
        }
        return area;
    }

    static List<RocPoint> paretoFrontier(List<RocPoint> given) {
        List<RocPoint> all = new ArrayList<>(given.size() + 2);
        all.add(new RocPoint(0, 0));
        all.addAll(given);
        all.add(new RocPoint(1, 1));
        // sorted by FPR: a point is dominated iff the best TPR among strictly smaller FPRs exceeds its TPR
        List<RocPoint> sorted = new ArrayList<>(new TreeSet<>(all));
        List<RocPoint> kept = new ArrayList<>();
        double bestTprBefore = Double.NEGATIVE_INFINITY;   // max TPR over points with strictly smaller FPR
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            double groupMax = Double.NEGATIVE_INFINITY;
            while (j < sorted.size() && sorted.get(j).fpr() == sorted.get(i).fpr()) {
                if (!(bestTprBefore > sorted.get(j).tpr())) kept.add(sorted.get(j));
                groupMax = Math.max(groupMax, sorted.get(j).tpr());
                j++;
            }
            bestTprBefore = Math.max(bestTprBefore, groupMax);
            i = j;
        }
        return List.copyOf(kept);
    }

    @Override
    public String toString() {
        return String.format("RocCurve[%d points, %d on the frontier, AUC %.4f (trapezoid %.4f)]",
                points.size(), frontier.size(), pessimisticAuc(), trapezoidalAuc());
    }
}
