package dev.acdc.experiments.discover;

import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** ROC curves of several methods on one PNG: the staircase each pessimistic AUC measures, edge and node level. */
public final class RocPlot {
    private RocPlot() {}

    /**
     * @param title  the chart title (task, ablation, ground truth)
     * @param curves per method: {edge curve, node curve}
     */
    public static byte[] png(String title, Map<String, RocCurve[]> curves) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(640).height(520).title(title)
                .xAxisTitle("false positive rate").yAxisTitle("true positive rate").build();
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE);
        for (var e : curves.entrySet()) {
            String[] level = {"edge", "node"};
            for (int k = 0; k < 2; k++) {
                RocCurve c = e.getValue()[k];
                List<RocPoint> f = c.frontier();
                double[] x = f.stream().mapToDouble(RocPoint::fpr).toArray();
                double[] y = f.stream().mapToDouble(RocPoint::tpr).toArray();
                chart.addSeries(String.format(Locale.ROOT, "%s %s (AUC %.3f)", e.getKey(), level[k], c.pessimisticAuc()),
                        stepX(x), stepY(y));
            }
        }
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render roc.png: " + e.getMessage(), e);
        }
    }

    /** The staircase the pessimistic AUC measures: up at each point's FPR ({@code shape='hv'} reversed). */
    private static double[] stepX(double[] x) {
        double[] r = new double[Math.max(1, 2 * x.length - 1)];
        for (int i = 0; i < x.length; i++) {
            r[2 * i] = x[i];
            if (i + 1 < x.length) r[2 * i + 1] = x[i + 1];
        }
        return r;
    }

    private static double[] stepY(double[] y) {
        double[] r = new double[Math.max(1, 2 * y.length - 1)];
        for (int i = 0; i < y.length; i++) {
            r[2 * i] = y[i];
            if (i + 1 < y.length) r[2 * i + 1] = y[i];
        }
        return r;
    }
}
