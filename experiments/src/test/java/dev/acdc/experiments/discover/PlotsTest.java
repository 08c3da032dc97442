package dev.acdc.experiments.discover;

import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** ROC and faithfulness plots: one colour per method everywhere, edge and node panels, padded axes, SVG beside PNG. */
class PlotsTest {

    private static RocCurve curve(double... fprTpr) {
        List<RocPoint> pts = new java.util.ArrayList<>();
        for (int i = 0; i < fprTpr.length; i += 2) pts.add(new RocPoint(fprTpr[i], fprTpr[i + 1]));
        return RocCurve.of(pts);
    }

    private static Map<String, RocCurve[]> curves(String... methods) {
        Map<String, RocCurve[]> m = new LinkedHashMap<>();
        double k = 0.1;
        for (String method : methods) {
            m.put(method, new RocCurve[] {curve(0, 0, k, 0.5 + k, 1, 1), curve(0, 0, 0, 1 - k, 1, 1)});
            k += 0.1;
        }
        return m;
    }

    private static String rgb(Color c) {
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", c.getRed(), c.getGreen(), c.getBlue());
    }

    @Test
    void everyMethodHasItsOwnColourWhateverTheLabelOrTheOrder() {
        Set<Color> colours = new HashSet<>();
        for (String m : MethodFactory.NAMES) colours.add(MethodPalette.colour(m));
        assertEquals(MethodFactory.NAMES.size(), colours.size(), "five distinct colours");
        assertFalse(colours.contains(MethodPalette.REFERENCE), "no method is drawn in the chance line's grey");
        assertEquals(MethodPalette.colour("acdc"), MethodPalette.colour("acdc (AUC 0.833)"));
        assertEquals(MethodPalette.colour("sp"), MethodPalette.colour("sp sweep (CPR 0.900)"));
        assertEquals(MethodPalette.colour("a-new-method"), MethodPalette.colour("a-new-method (AUC 0.1)"), "spares chosen by name");
        assertEquals("#0072b2", MethodPalette.hex("acdc"));
    }

    @Test
    void theSameMethodIsDrawnInTheSameColourInDifferentPlots() throws Exception {
        String a = new String(RocPlot.render("one", curves("acdc", "sp"), Map.of()).svg(), StandardCharsets.UTF_8);
        String b = new String(RocPlot.render("two", curves("hisp", "eap", "acdc"), Map.of()).svg(), StandardCharsets.UTF_8);
        String acdc = rgb(MethodPalette.colour("acdc"));
        assertTrue(a.contains(acdc) && b.contains(acdc), "ACDC's colour " + acdc + " in both SVGs");
        assertFalse(a.contains(rgb(MethodPalette.colour("hisp"))), "HISP's colour only where HISP is drawn");
        assertTrue(b.contains(rgb(MethodPalette.colour("hisp"))));
        byte[] f = FaithfulnessPlot.render("f", new double[] {0.01, 0.1, 1}, Map.of("acdc (CPR 0.5)", new double[] {0.2, 0.6, 1})).svg();
        assertTrue(new String(f, StandardCharsets.UTF_8).contains(acdc), "and in the faithfulness plot");
    }

    @Test
    void edgeAndNodePanelsHavePaddedAxesAndAGreyDashedChanceLineOutsideTheLegend() {
        XYChart edge = RocPlot.panel("t · edges", curves("acdc", "sp"), Map.of(), 0);
        assertTrue(edge.getStyler().getXAxisMin() < 0 && edge.getStyler().getXAxisMax() > 1);
        assertTrue(edge.getStyler().getYAxisMin() < 0 && edge.getStyler().getYAxisMax() > 1);
        XYSeries chance = edge.getSeriesMap().get("chance");
        assertFalse(chance.isShowInLegend());
        assertEquals(MethodPalette.REFERENCE, chance.getLineColor());
        assertNotNull(chance.getLineStyle().getDashArray(), "dashed");
        Map<String, RocCurve[]> c = curves("acdc", "sp");
        String sp = String.format(Locale.ROOT, "sp (AUC %.3f)", c.get("sp")[0].pessimisticAuc());
        assertEquals(MethodPalette.colour("sp"), edge.getSeriesMap().get(sp).getLineColor(), edge.getSeriesMap().keySet().toString());
        XYChart node = RocPlot.panel("t · nodes", c, Map.of(), 1);
        String spNode = String.format(Locale.ROOT, "sp (AUC %.3f)", c.get("sp")[1].pessimisticAuc());
        assertNotEquals(sp, spNode);
        assertTrue(node.getSeriesMap().containsKey(spNode), "the node panel draws the node curves: " + node.getSeriesMap().keySet());
    }

    @Test
    void thePapersPointsAreDrawnWhereThePaperPlottedTheCell() {
        Map<String, PaperRocPoints.Series[]> paper = RocPlot.paperPoints("tracr-reverse", "l2", "resample", List.of("acdc", "sp"), true);
        assertEquals(Set.of("acdc"), paper.keySet(), "the paper plotted ACDC alone on tracr");
        XYChart edge = RocPlot.panel("t", curves("acdc"), paper, 0);
        XYSeries p = edge.getSeriesMap().get("acdc paper");
        assertEquals(34, p.getXData().length, "every circuit of the stored sweep");
        assertEquals(MethodPalette.colour("acdc"), p.getMarkerColor());
        assertTrue(RocPlot.paperPoints("tracr-reverse", "l2", "zero", List.of("acdc"), true).isEmpty(), "none plotted there");
        assertNull(RocPlot.paperPoints("ioi", "kl", "resample", List.of("acdc"), false).get("acdc")[1], "no node points unless counted alike");
    }

    @Test
    void theFigureIsAPngTwoPanelsWideAndAParseableSvgOfTheSameSize() throws Exception {
        PlotImages images = RocPlot.render("t", curves("acdc", "eap"), Map.of());
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(images.png()));
        assertEquals(2 * RocPlot.PANEL_WIDTH, png.getWidth());
        assertEquals(RocPlot.PANEL_HEIGHT, png.getHeight());
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document svg = f.newDocumentBuilder().parse(new ByteArrayInputStream(images.svg()));
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        assertTrue(svg.getDocumentElement().getAttribute("width").startsWith(String.valueOf(2 * RocPlot.PANEL_WIDTH)),
                svg.getDocumentElement().getAttribute("width"));
        assertArrayEquals(images.svg(), RocPlot.render("t", curves("acdc", "eap"), Map.of()).svg(), "the same bytes each time");
    }
}
