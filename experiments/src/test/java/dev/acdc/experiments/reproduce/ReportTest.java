package dev.acdc.experiments.reproduce;

import dev.acdc.experiments.discover.PlotImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** index.html: differences from the paper marked and explained, the quick banner, explorer links, rounded times. */
class ReportTest {

    @TempDir
    Path tmp;

    private static Cell.Point point(int kept) {
        return new Cell.Point("threshold", 0.1, kept, 0.1, 0.5, 0.1, 0.5, 0.1, 0.5);
    }

    private static Cell cell(String task, String ablation, String method, double edge, double node, double seconds, int points) {
        List<Cell.Point> pts = new java.util.ArrayList<>();
        for (int i = 0; i < points; i++) pts.add(point(i));
        return new Cell(task, "l2", ablation, method, "published", edge, node, node, edge, node, node, seconds, pts);
    }

    private static Report report(boolean quick, String eapGradient, Cell... cells) {
        return new Report(List.of(cells), Map.of(), new Report.Settings(List.of("acdc", "eap"), List.of("resample", "zero"), quick, 0,
                eapGradient, false, 138.4));
    }

    @Test
    void aCellThatDiffersFromThePaperShowsTheDifferenceAndItsKnownCause() {
        // the paper's tracr-reverse resample ACDC cells: edge 0.200, node 0.312
        Report r = report(false, "default", cell("tracr-reverse", "resample", "acdc", 0.6, 0.3125, 3, 5),
                cell("tracr-reverse", "zero", "acdc", 1.0, 1.0, 2, 5));
        String html = r.html(Map.of(), c -> false);
        assertTrue(html.contains("0.600 (0.200)"), html);
        assertTrue(html.contains("Δ +0.400"), "the difference, ours minus the paper's");
        assertTrue(html.contains("class=\"differs far\""), "a difference of 0.4 is marked strongly");
        assertTrue(html.contains(PaperComparison.Cause.TRACR_RESAMPLE_SCRAMBLE.text.substring(0, 60)), html);
        assertTrue(html.contains("<a href=\"#cause-1\">1</a>"), "the cell cites the cause by number");
        assertFalse(html.contains("1.000 (1.000)<span"), "zero ablation matches the paper: no Δ");
        assertEquals(1, html.split("Δ ", -1).length - 1 - 1, "one Δ in the table (plus the intro's mention): " + html);
        assertTrue(r.markdown().contains("0.600 (0.200) Δ +0.400"), "the markdown table shows it too");
    }

    @Test
    void eapOnATracrTaskWithTheDefaultGradientIsExplainedThoughThePaperHasNoEap() {
        Report r = report(false, "default", cell("tracr-reverse", "resample", "eap", 0, 0, 0.2, 1));
        String html = r.html(Map.of(), c -> false);
        assertTrue(html.contains("class=\"explained\""), html);
        assertTrue(html.contains("zero gradient"), "EAP's zero gradient at the clean run");
        assertTrue(html.contains("Ties: the method gave every edge the same score"), html);
        Report withGradient = report(false, "mean", cell("tracr-reverse", "resample", "eap", 0.7, 0.7, 0.2, 6));
        assertFalse(withGradient.html(Map.of(), c -> false).contains("zero gradient"), "not cited where it does not hold");
    }

    @Test
    void aQuickRunSaysSoAtTheTopAndCitesItForEveryDifference() {
        String html = report(true, "default", cell("tracr-reverse", "resample", "acdc", 0.6, 0.3125, 3, 2)).html(Map.of(), c -> false);
        int banner = html.indexOf("class=\"banner quick\"");
        assertTrue(banner > 0 && banner < html.indexOf("<table"), "the banner comes before any table");
        assertTrue(html.contains(PaperComparison.Cause.QUICK.text.substring(0, 40)), html);
        assertFalse(report(false, "default", cell("tracr-reverse", "resample", "acdc", 0.6, 0.3, 3, 2)).html(Map.of(), c -> false)
                .contains("class=\"banner quick\""));
    }

    @Test
    void eachCellLinksItsExplorerWhenTheFileExistsAndTimesAreRounded() throws Exception {
        Cell withExplorer = cell("tracr-reverse", "resample", "acdc", 0.6, 0.3, 138.4, 3);
        Cell without = cell("tracr-reverse", "resample", "eap", 0.6, 0.3, 0.43, 3);
        Report r = report(false, "default", withExplorer, without);
        Path dir = tmp.resolve("rep");
        Path explorer = dir.resolve(Report.cellDirectory(withExplorer)).resolve("explorer.html");
        Files.createDirectories(explorer.getParent());
        Files.writeString(explorer, "<html></html>");
        PlotImages plot = dev.acdc.experiments.discover.RocPlot.render("t", Map.of(), Map.of());
        r.write(dir, Map.of("roc-tracr-reverse-l2-resample", plot));
        String html = Files.readString(dir.resolve("index.html"));
        assertTrue(html.contains("<a href=\"cells/tracr-reverse-l2-resample-acdc/explorer.html\">explore</a>"), html);
        assertFalse(html.contains("cells/tracr-reverse-l2-resample-eap/explorer.html"), "no link to a file that is not there");
        assertTrue(html.contains("<td>2 min 18 s</td>") && html.contains("<td>0.4 s</td>"), html);
        assertTrue(Files.isRegularFile(dir.resolve("roc-tracr-reverse-l2-resample.svg")) && html.contains("roc-tracr-reverse-l2-resample.svg"));
        assertTrue(Report.isOutputFile("roc-tracr-reverse-l2-resample.svg"));
    }

    @Test
    void roundedTimesReadAsSecondsMinutesOrHours() {
        assertEquals("0.4 s", Report.roundedTime(0.43));
        assertEquals("12 s", Report.roundedTime(12.4));
        assertEquals("2 min 05 s", Report.roundedTime(125.2));
        assertEquals("2 h 00 min", Report.roundedTime(7199));
    }
}
