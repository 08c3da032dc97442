package dev.acdc.experiments.discover;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Faithfulness curves of several methods on one PNG, in {@link RocPlot}'s style: f against the fraction of the
 * edges, the x axis in log scale so that MIB's small sizes can be told apart (the areas are taken on the linear axis).
 */
public final class FaithfulnessPlot {
    private FaithfulnessPlot() {}

    /**
     * @param title     the chart title (task, metric, ablation)
     * @param fractions the sizes as fractions of the edges, ascending
     * @param curves    per series name (method, ranking, CPR): f at each fraction
     */
    public static byte[] png(String title, double[] fractions, Map<String, double[]> curves) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(640).height(520).title(title)
                .xAxisTitle("circuit size (fraction of edges, log scale)").yAxisTitle("faithfulness f").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisMin(fractions[0]).setXAxisMax(fractions[fractions.length - 1]);
        chart.addSeries("f = 1 (full model)", new double[] {fractions[0], fractions[fractions.length - 1]}, new double[] {1, 1})
                .setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH);
        for (var e : curves.entrySet()) {
            double[] y = e.getValue().clone();
            for (int i = 0; i < y.length; i++) if (!Double.isFinite(y[i])) y[i] = Double.NaN;
            chart.addSeries(e.getKey(), fractions.clone(), y);
        }
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render faithfulness.png: " + e.getMessage(), e);
        }
    }
}
