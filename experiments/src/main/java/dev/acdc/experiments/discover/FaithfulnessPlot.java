package dev.acdc.experiments.discover;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.util.List;
import java.util.Map;

/**
 * Faithfulness curves of several methods in {@link RocPlot}'s style: f against the fraction of the edges, the x axis in
 * log scale so that MIB's small sizes can be told apart (the areas are taken on the linear axis). Each method keeps its
 * {@link MethodPalette} colour (a second ranking of the same method, e.g. CMD's, is dashed); the f = 1 line (the full
 * model) is dashed grey and not in the legend; the y axis runs a little beyond [0, 1] and beyond the curves.
 */
public final class FaithfulnessPlot {
    private FaithfulnessPlot() {}

    /**
     * @param title     the chart title (task, metric, ablation)
     * @param fractions the sizes as fractions of the edges, ascending
     * @param curves    per series label (method first, then ranking and CPR): f at each fraction
     */
    public static PlotImages render(String title, double[] fractions, Map<String, double[]> curves) {
        XYChart chart = new XYChartBuilder().width(720).height(560).title(title)
                .xAxisTitle("circuit size (fraction of edges, log scale)").yAxisTitle("faithfulness f").build();
        chart.getStyler().setXAxisLogarithmic(true);
        RocPlot.style(chart);
        // faithfulness rises to the right, so the upper left is where the curves are not
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        double lo = 0, hi = 1;
        for (double[] f : curves.values()) {
            for (double v : f) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        double pad = RocPlot.PAD * (hi - lo);
        chart.getStyler().setXAxisMin(fractions[0]).setXAxisMax(fractions[fractions.length - 1]).setYAxisMin(lo - pad).setYAxisMax(hi + pad);
        XYSeries full = chart.addSeries("f = 1 (full model)", new double[] {fractions[0], fractions[fractions.length - 1]}, new double[] {1, 1});
        full.setMarker(SeriesMarkers.NONE);
        full.setLineColor(MethodPalette.REFERENCE);
        full.setLineStyle(SeriesLines.DASH_DASH);
        full.setShowInLegend(false);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (var e : curves.entrySet()) {
            double[] y = e.getValue().clone();
            for (int i = 0; i < y.length; i++) if (!Double.isFinite(y[i])) y[i] = Double.NaN;
            XYSeries s = chart.addSeries(e.getKey(), fractions.clone(), y);
            boolean second = !seen.add(MethodPalette.method(e.getKey()));
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(MethodPalette.colour(e.getKey()));
            s.setLineColor(MethodPalette.colour(e.getKey()));
            s.setLineStyle(second ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                            : new BasicStroke(2f));
        }
        return PlotImages.of("the faithfulness plot", List.of(chart));
    }

    /** The PNG alone. */
    public static byte[] png(String title, double[] fractions, Map<String, double[]> curves) {
        return render(title, fractions, curves).png();
    }
}
