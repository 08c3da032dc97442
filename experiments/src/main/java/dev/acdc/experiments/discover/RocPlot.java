package dev.acdc.experiments.discover;

import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROC curves of several methods: an edge-level panel and a node-level panel side by side, each method in its {@link
 * MethodPalette} colour in both, drawn as the staircase its pessimistic AUC measures. The axes run a little beyond
 * [0, 1] so that a curve along x = 0 or y = 1 is not hidden by the frame; the chance diagonal is dashed grey and not
 * in the legend; where the paper plotted the same task, metric and ablation, its points are drawn as open markers of
 * the method's colour ("… paper"). ACDC's curve is drawn first and widest, so that a method with the same staircase,
 * drawn over it in a thinner line, hides neither.
 */
public final class RocPlot {
    private RocPlot() {}

    /** How far the axes run beyond [0, 1]. */
    static final double PAD = 0.04;
    static final int PANEL_WIDTH = 620, PANEL_HEIGHT = 560;

    /** The levels, in panel order. */
    static final List<String> LEVELS = List.of("edge", "node");

    /**
     * @param title  the figure's title (task, ablation, ground truth); each panel adds its level
     * @param curves per method: {edge curve, node curve}
     * @param paper  per method: the paper's {edge, node} points (either may be null); empty for none
     */
    public static PlotImages render(String title, Map<String, RocCurve[]> curves, Map<String, PaperRocPoints.Series[]> paper) {
        List<XYChart> panels = new ArrayList<>();
        for (int k = 0; k < LEVELS.size(); k++) panels.add(panel(title + " · " + LEVELS.get(k) + "s", curves, paper, k));
        return PlotImages.of("the ROC plot", panels);
    }

    /** The PNG alone (callers that write no SVG). */
    public static byte[] png(String title, Map<String, RocCurve[]> curves) {
        return render(title, curves, Map.of()).png();
    }

    static XYChart panel(String title, Map<String, RocCurve[]> curves, Map<String, PaperRocPoints.Series[]> paper, int level) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("false positive rate").yAxisTitle("true positive rate").build();
        chart.getStyler().setXAxisMin(-PAD).setXAxisMax(1 + PAD).setYAxisMin(-PAD).setYAxisMax(1 + PAD);
        style(chart);
        XYSeries chance = chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1});
        chance.setMarker(SeriesMarkers.NONE);
        chance.setLineColor(MethodPalette.REFERENCE);
        chance.setLineStyle(SeriesLines.DASH_DASH);
        chance.setShowInLegend(false);
        // ACDC first and widest: a method drawn over it with the same staircase leaves ACDC's wide line showing on both sides
        List<String> order = new ArrayList<>(curves.keySet());
        if (order.remove(dev.acdc.discovery.method.AcdcMethod.NAME)) order.add(0, dev.acdc.discovery.method.AcdcMethod.NAME);
        for (String method : order) {
            RocCurve c = curves.get(method)[level];
            List<RocPoint> f = c.frontier();
            double[] x = f.stream().mapToDouble(RocPoint::fpr).toArray();
            double[] y = f.stream().mapToDouble(RocPoint::tpr).toArray();
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "%s (AUC %.3f)", method, c.pessimisticAuc()), stepX(x), stepY(y));
            boolean acdc = method.equals(dev.acdc.discovery.method.AcdcMethod.NAME);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(MethodPalette.colour(method));
            s.setLineStyle(new BasicStroke(acdc ? 4.5f : 2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        }
        for (var e : paper.entrySet()) {
            PaperRocPoints.Series p = e.getValue()[level];
            if (p == null || p.fpr().length == 0) continue;
            XYSeries s = chart.addSeries(e.getKey() + " paper", p.fpr(), p.tpr());
            s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(MethodPalette.colour(e.getKey()));
        }
        return chart;
    }

    /** The look both plots share: white, light grid, legend inside the lower right on a translucent box. */
    static void style(XYChart chart) {
        var st = chart.getStyler();
        st.setLegendPosition(Styler.LegendPosition.InsideSE);
        st.setChartTitleFont(st.getChartTitleFont().deriveFont(13f));
        st.setPlotGridLinesColor(new java.awt.Color(0xe6, 0xe6, 0xe6));
        st.setChartBackgroundColor(java.awt.Color.WHITE);
        st.setLegendBackgroundColor(new java.awt.Color(255, 255, 255, 220));
        st.setAntiAlias(true);
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

    /** The paper's {edge, node} points for each method it plotted on this task, metric and ablation. */
    public static Map<String, PaperRocPoints.Series[]> paperPoints(String task, String metric, String ablation, List<String> methods,
                                                                   boolean nodesCountedAsPaper) {
        Map<String, PaperRocPoints.Series[]> m = new java.util.LinkedHashMap<>();
        for (String method : methods) {
            var edge = PaperRocPoints.get(task, metric, ablation, method, "edge");
            var node = nodesCountedAsPaper ? PaperRocPoints.get(task, metric, ablation, method, "node") : java.util.Optional.<PaperRocPoints.Series>empty();
            if (edge.isPresent() || node.isPresent()) m.put(method, new PaperRocPoints.Series[] {edge.orElse(null), node.orElse(null)});
        }
        return m;
    }
}
