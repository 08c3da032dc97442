package dev.acdc.experiments.reproduce;

import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.discovery.method.FaithfulnessCurves;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.experiments.discover.FaithfulnessCommand;
import dev.acdc.experiments.discover.FaithfulnessPlot;
import dev.acdc.experiments.discover.MethodFaithfulness;
import dev.acdc.experiments.discover.TaskRun;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The report's faithfulness section: MIB's CPR and CMD of every cell (task, metric, ablation, method), computed with
 * the {@code faithfulness} command's code ({@link MethodFaithfulness}, {@link FaithfulnessCurves}) at MIB's ten sizes,
 * from the same method run as the cell's ROC, and one faithfulness plot per task, metric and ablation. Written as
 * {@code faithfulness_table.md}, {@code faithfulness_table.csv}, a section of {@code index.html} and the
 * {@code faithfulness} list of {@code results.json}. No bootstrap interval here (run {@code acdc faithfulness} for one).
 *
 * <p>Where f is undefined (the full model and the empty circuit score the same under that metric and ablation) the
 * group's rows have null CPR and CMD and say why.
 */
final class FaithfulnessTable {

    /** MIB's sizes as fractions of the edges ({@code evaluation.py} l.31), as {@code faithfulness} takes them by default. */
    static final double[] MIB_FRACTIONS = FaithfulnessCommand.mibFractions();

    /**
     * One cell's faithfulness.
     *
     * @param cpr            area under f of the {@code cprRanking} curve; null when f is undefined
     * @param cmd            area under |1 − f| of the {@code cmdRanking} curve; null when f is undefined
     * @param cprRanking     {@code signed} (EAP, EAP-IG) or {@code sweep}
     * @param cmdRanking     {@code absolute} (EAP, EAP-IG) or {@code sweep}
     * @param faithfulness   f at each size, of the CPR curve
     * @param faithfulnessAbs f at each size, of the CMD curve
     * @param complement     f of the complement of the CPR curve's circuits
     * @param undefined      why f is undefined, else null
     */
    record Row(String task, String metric, String ablation, String method, Double cpr, Double cmd, String cprRanking,
               String cmdRanking, List<Double> faithfulness, List<Double> faithfulnessAbs, List<Double> complement, String undefined) {}

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, byte[]> plots = new LinkedHashMap<>();

    /** One cell's faithfulness as its job computes it: the table's row and the plot's series (none when f is undefined). */
    record CellFaithfulness(Row row, Map<String, double[]> series) {
        CellFaithfulness {
            series = new LinkedHashMap<>(series);
        }
    }

    /** The method run once on the problem, its faithfulness curves computed when f is defined; the result serves the cell's ROC. */
    static Computed compute(String task, String metric, String ablation, DiscoveryMethod method, DiscoveryProblem problem) {
        FaithfulnessCurves.Evaluator evaluator = new FaithfulnessCurves.Evaluator(problem);
        if (!evaluator.defined()) {
            Row row = new Row(task, metric, ablation, method.name(), null, null, null, null, List.of(), List.of(), List.of(),
                    "the full model and the empty circuit score the same (" + evaluator.full() + ")");
            return new Computed(method.discover(problem), new CellFaithfulness(row, Map.of()));
        }
        MethodFaithfulness.Run r = MethodFaithfulness.run(method, problem, evaluator, MIB_FRACTIONS);
        MethodFaithfulness.Curves c = r.curves();
        Row row = new Row(task, metric, ablation, method.name(), c.cpr().area().cpr(), c.cmd().area().cmd(), c.cprRanking(),
                c.cmdRanking(), boxed(c.cpr().f()), boxed(c.cmd().f()), boxed(c.cpr().complementF()), null);
        Map<String, double[]> series = new LinkedHashMap<>();
        MethodFaithfulness.addPlotSeries(series, method.name(), c);
        return new Computed(r.result(), new CellFaithfulness(row, series));
    }

    /** A method's run and its faithfulness. */
    record Computed(MethodResult result, CellFaithfulness faithfulness) {}

    /**
     * Adds one cell's row and plot series; cells arrive in the report's order (task, metric, ablation, method), so a
     * (task, metric, ablation) group's plot is drawn when the next group starts, or at {@link #finish()}.
     */
    void add(CellFaithfulness cell) {
        Row row = cell.row();
        String plot = plotName(row.task(), row.metric(), row.ablation());
        if (!plot.equals(openPlot)) finishOpenPlot();
        openPlot = plot;
        openTitle = row.task() + " · " + row.metric() + " · " + row.ablation() + " ablation: faithfulness";
        rows.add(row);
        openSeries.putAll(cell.series());
    }

    /** Draws the last group's plot. */
    void finish() {
        finishOpenPlot();
    }

    private String openPlot, openTitle;
    private final Map<String, double[]> openSeries = new LinkedHashMap<>();

    private void finishOpenPlot() {
        if (openPlot != null && !openSeries.isEmpty()) plots.put(openPlot, FaithfulnessPlot.png(openTitle, MIB_FRACTIONS, openSeries));
        openPlot = null;
        openSeries.clear();
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The plots by file name, in the order the groups finished. */
    Map<String, byte[]> plots() {
        return new LinkedHashMap<>(plots);
    }

    static String plotName(String task, String metric, String ablation) {
        return "faithfulness-" + TaskRun.fileName(task) + "-" + metric + "-" + ablation + ".png";
    }

    /** Whether a file name is one this section writes. */
    static boolean isOutputFile(String name) {
        return name.equals("faithfulness_table.md") || name.equals("faithfulness_table.csv")
                || (name.startsWith("faithfulness-") && name.endsWith(".png"));
    }

    /** What results.json records: the sizes, the definition, every row. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sizes", FaithfulnessCommand.MIB_SIZES.stream().map(Double::valueOf).toList());
        m.put("definition", DEFINITION);
        m.put("rows", rows);
        return m;
    }

    static final String DEFINITION = "MIB's circuit-localization faithfulness (hannamw/MIB-circuit-track evaluation.py): f(C) ="
            + " (m(C) - m(empty)) / (m(full) - m(empty)) with the cell's metric and ablation, at 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50"
            + " and 100 % of the edges; CPR = area under f (higher is better, 0.999 at most for f = 1), CMD = area under |1 - f|"
            + " (lower is better), trapezoid rule over the fraction of edges. EAP and EAP-IG: CPR from the signed ranking, CMD from"
            + " the absolute one; every other method: its sweep's largest circuit with at most n edges.";

    String csv() {
        StringBuilder b = new StringBuilder("ablation,task,metric,method,cpr,cmd,cpr_ranking,cmd_ranking,undefined\n");
        for (Row r : rows) {
            b.append(String.join(",", r.ablation(), r.task(), r.metric(), r.method(), number(r.cpr(), "%.6f"), number(r.cmd(), "%.6f"),
                    r.cprRanking() == null ? "" : r.cprRanking(), r.cmdRanking() == null ? "" : r.cmdRanking(),
                    r.undefined() == null ? "" : "\"" + r.undefined().replace("\"", "\"\"") + "\"")).append('\n');
        }
        return b.toString();
    }

    /** One table per ablation: rows metric × task, two columns (CPR ↑, CMD ↓) per method. */
    String markdown(List<String> methods, List<String> ablations) {
        StringBuilder b = new StringBuilder("# Faithfulness of each method's circuits (MIB's CPR and CMD)\n\n").append(DEFINITION).append('\n');
        for (String abl : ablations) {
            List<Row> sub = rows.stream().filter(r -> r.ablation().equals(abl)).toList();
            if (sub.isEmpty()) continue;
            b.append("\n## ").append(abl).append(" ablation\n\n| metric | task |");
            for (String m : methods) b.append(' ').append(m).append(" CPR ↑ | ").append(m).append(" CMD ↓ |");
            b.append("\n|---|---|").append("---:|".repeat(2 * methods.size())).append('\n');
            for (String[] key : keys(sub)) {
                b.append("| ").append(key[1]).append(" | ").append(key[0]).append(" |");
                for (String m : methods) {
                    Row r = find(sub, key[0], key[1], m);
                    b.append(' ').append(r == null ? "–" : number(r.cpr(), "%.3f", "undefined")).append(" | ")
                            .append(r == null ? "–" : number(r.cmd(), "%.3f", "undefined")).append(" |");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** The section of index.html: the tables and the plots inlined. */
    String html(List<String> methods, List<String> ablations) {
        StringBuilder b = new StringBuilder("<h2>Faithfulness (MIB's CPR and CMD)</h2>\n<p>").append(esc(DEFINITION)).append("</p>\n");
        for (String abl : ablations) {
            List<Row> sub = rows.stream().filter(r -> r.ablation().equals(abl)).toList();
            if (sub.isEmpty()) continue;
            b.append("<h3>").append(esc(abl)).append(" ablation</h3>\n<table><tr><th>metric</th><th>task</th>");
            for (String m : methods) b.append("<th>").append(esc(m)).append(" CPR ↑</th><th>").append(esc(m)).append(" CMD ↓</th>");
            b.append("</tr>\n");
            for (String[] key : keys(sub)) {
                b.append("<tr><td>").append(esc(key[1])).append("</td><td>").append(esc(key[0])).append("</td>");
                for (String m : methods) {
                    Row r = find(sub, key[0], key[1], m);
                    b.append("<td>").append(r == null ? "–" : number(r.cpr(), "%.3f", "undefined")).append("</td><td>")
                            .append(r == null ? "–" : number(r.cmd(), "%.3f", "undefined")).append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</table>\n");
        }
        if (!plots.isEmpty()) {
            b.append("<div class=\"plots\">\n");
            for (var p : plots.entrySet()) {
                b.append("<figure><img alt=\"").append(esc(p.getKey())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(p.getValue())).append("\"><figcaption>").append(esc(p.getKey()))
                        .append("</figcaption></figure>\n");
            }
            b.append("</div>\n");
        }
        return b.toString();
    }

    private static List<String[]> keys(List<Row> sub) {
        Set<String> metrics = new LinkedHashSet<>();
        for (Row r : sub) metrics.add(r.metric());
        List<String[]> out = new ArrayList<>();
        for (String m : metrics) {
            Set<String> tasks = new LinkedHashSet<>();
            for (Row r : sub) if (r.metric().equals(m)) tasks.add(r.task());
            for (String t : tasks) out.add(new String[] {t, m});
        }
        return out;
    }

    private static Row find(List<Row> rows, String task, String metric, String method) {
        for (Row r : rows) if (r.task().equals(task) && r.metric().equals(metric) && r.method().equals(method)) return r;
        return null;
    }

    private static String number(Double x, String format) {
        return number(x, format, "");
    }

    private static String number(Double x, String format, String ifNull) {
        return x == null ? ifNull : String.format(Locale.ROOT, format, x);
    }

    private static List<Double> boxed(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
