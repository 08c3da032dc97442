package dev.acdc.experiments.reproduce;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.acdc.experiments.discover.AtomicFiles;
import dev.acdc.experiments.discover.PlotImages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The files of a reproduction: {@code auc_table.md} and {@code auc_table.csv} (Table 2's layout: rows metric ×
 * task, columns method × edge/node, one table per ablation, the paper's number beside ours; the node columns count
 * nodes as the ACDC code did for the paper, and extra columns give our node AUC with components merged), one ROC plot
 * per task, metric and ablation, {@code results.json} with every point, and a self-contained {@code index.html}
 * (plots inlined as data URIs, so it opens offline and can be mailed as one file).
 *
 * <p>A task run with the ACDC code's data is named {@code TASK:acdc-code}; it gets its own row, beside the task's
 * row with our data, and the paper's number in both.
 */
final class Report {

    /** Run settings recorded in the report. */
    /** @param eapGradient the {@code --eap-gradient} given, or {@code default} (EAP at the clean run, EAP-IG's left Riemann sum) */
    record Settings(List<String> methods, List<String> ablations, boolean quick, long seed, String eapGradient, boolean smokeRun,
                    double seconds) {}

    private final List<Cell> cells;
    private final Map<String, String> skipped;
    private final Map<String, String> failed;
    private final Settings settings;
    private final FaithfulnessTable faithfulness;   // null: a report without the faithfulness section

    Report(List<Cell> cells, Map<String, String> skipped, Settings settings) {
        this(cells, skipped, Map.of(), settings, null);
    }

    /**
     * @param failed       cells that failed (a cluster run keeps the others), by description → error
     * @param faithfulness the faithfulness section, or null for a report without it
     */
    Report(List<Cell> cells, Map<String, String> skipped, Map<String, String> failed, Settings settings, FaithfulnessTable faithfulness) {
        this.cells = List.copyOf(cells);
        this.skipped = new LinkedHashMap<>(skipped);
        this.failed = new LinkedHashMap<>(failed);
        this.settings = settings;
        this.faithfulness = faithfulness;
    }

    /** The plot's file name without extension; a data variant's {@code :} becomes {@code -} (file names stay portable). */
    static String plotBase(String task, String metric, String ablation) {
        return "roc-" + dev.acdc.experiments.discover.TaskRun.fileName(task) + "-" + metric + "-" + ablation;
    }

    /** The plot's PNG file name. */
    static String plotName(String task, String metric, String ablation) {
        return plotBase(task, metric, ablation) + ".png";
    }

    /**
     * Where a cell's explorer page ({@code explorer.html}) goes, relative to the report: the directory of {@link
     * dev.acdc.experiments.explorer.CircuitExplorer#cellPage}. The report links a cell's explorer when that file exists.
     */
    static String cellDirectory(Cell c) {
        String page = dev.acdc.experiments.explorer.CircuitExplorer.cellPage(c.task(), c.metric(), c.ablation(), c.method());
        return page.substring(0, page.lastIndexOf('/'));
    }

    /**
     * Whether a file name is one a report writes: a directory holding only these is a previous report ({@code cells}
     * holds the cells' explorer pages, {@code CircuitExplorer.cellPage}).
     */
    static boolean isOutputFile(String name) {
        return List.of("results.json", "auc_table.csv", "auc_table.md", "index.html", "cells").contains(name)
                || (name.startsWith("roc-") && (name.endsWith(".png") || name.endsWith(".svg"))) || FaithfulnessTable.isOutputFile(name);
    }

    /**
     * Writes every file; each is written to a temporary file and moved into place.
     *
     * @param plots per plot base name ({@link #plotBase}): its PNG and SVG
     */
    void write(Path dir, Map<String, PlotImages> plots) {
        for (var p : plots.entrySet()) {
            AtomicFiles.write(dir.resolve(p.getKey() + ".png"), p.getValue().png());
            AtomicFiles.write(dir.resolve(p.getKey() + ".svg"), p.getValue().svg());
        }
        AtomicFiles.write(dir.resolve("results.json"), gson(true).toJson(resultsJson()) + "\n");
        AtomicFiles.write(dir.resolve("auc_table.csv"), csv());
        AtomicFiles.write(dir.resolve("auc_table.md"), markdown());
        if (faithfulness != null) {
            faithfulness.plots().forEach((name, png) -> AtomicFiles.write(dir.resolve(name), png));
            AtomicFiles.write(dir.resolve("faithfulness_table.md"), faithfulness.markdown(settings.methods(), settings.ablations()));
            AtomicFiles.write(dir.resolve("faithfulness_table.csv"), faithfulness.csv());
        }
        AtomicFiles.write(dir.resolve("index.html"), html(plots, c -> Files.isRegularFile(dir.resolve(cellDirectory(c)).resolve("explorer.html"))));
    }

    Map<String, Object> resultsJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("settings", settingsMap());
        m.put("skipped_tasks", skipped);
        if (!failed.isEmpty()) m.put("failed_cells", failed);   // absent when every cell finished: the usual report is unchanged
        m.put("cells", cells);
        if (faithfulness != null) m.put("faithfulness", faithfulness.json());
        return m;
    }

    private Map<String, Object> settingsMap() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("methods", settings.methods());
        s.put("ablations", settings.ablations());
        s.put("quick", settings.quick());
        s.put("seed", settings.seed());
        s.put("eap_gradient", settings.eapGradient());
        s.put("smoke_run", settings.smokeRun());
        s.put("seconds", settings.seconds());
        return s;
    }

    /**
     * One flat object: {@code auc.<task>.<metric>.<ablation>.<method>.edge|node|node_components} (node: counted as the
     * ACDC code did; node_components: ours), {@code cpr.<task>.<metric>.<ablation>.<method>} and {@code cmd.…} (null where f
     * is undefined), plus {@code seconds}.
     */
    String flatJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Cell c : cells) {
            String k = "auc." + c.task() + "." + c.metric() + "." + c.ablation() + "." + c.method();
            m.put(k + ".edge", c.edgeAuc());
            m.put(k + ".node", c.nodeAuc());
            m.put(k + ".node_components", c.nodeAucComponents());
        }
        if (faithfulness != null) {
            for (FaithfulnessTable.Row r : faithfulness.rows()) {
                String k = r.task() + "." + r.metric() + "." + r.ablation() + "." + r.method();
                m.put("cpr." + k, r.cpr());
                m.put("cmd." + k, r.cmd());
            }
        }
        m.put("cells", cells.size());
        m.put("skipped_tasks", new ArrayList<>(skipped.keySet()));
        m.put("smoke_run", settings.smokeRun());
        m.put("seconds", settings.seconds());
        return gson(false).toJson(m);
    }

    String csv() {
        StringBuilder b = new StringBuilder("ablation,task,metric,method,level,auc,auc_trapezoid,paper_auc,ground_truth,seconds\n");
        for (Cell c : cells) {
            for (String level : LEVELS) {
                OptionalDouble paper = PaperTable2.get(c.task(), c.metric(), c.ablation(), c.method(), level);
                b.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%.6f,%.6f,%s,%s,%.3f%n", c.ablation(), c.task(), c.metric(),
                        c.method(), level, auc(c, level), aucTrapezoid(c, level),
                        paper.isPresent() ? String.format(Locale.ROOT, "%.3f", paper.getAsDouble()) : "", c.groundTruth(), c.seconds()));
            }
        }
        return b.toString();
    }

    /**
     * Table 2's layout, one table per ablation: "ours (paper)" where the paper has the cell; then one column per method
     * with our node AUC, components merged.
     */
    String markdown() {
        StringBuilder b = new StringBuilder("# AUC of recovered circuits (ACDC paper, Table 2 layout)\n\n");
        b.append("Pessimistic AUC (the paper's): ours, and in parentheses the published value where ").append(PaperTable2.SOURCE)
                .append(" has that cell. Rows: metric × task; columns: method × edge/node level. ").append(NODE_COUNTING)
                .append(" A task spelled TASK:acdc-code ran on the ACDC code's data.\n");
        if (settings.smokeRun()) b.append("\n**Smoke run**: a stand-in model replaced at least one task's real model.\n");
        if (settings.quick()) b.append("\n**Quick run** (`--quick`): fewer thresholds, epochs and steps than the paper.\n");
        PaperComparison comparison = new PaperComparison(settings);
        for (String abl : settings.ablations()) {
            List<Cell> sub = cells.stream().filter(c -> c.ablation().equals(abl)).toList();
            if (sub.isEmpty()) continue;
            b.append("\n## ").append(abl.equals("resample") ? "Resample (random) ablation" : "Zero ablation").append("\n\n");
            List<String> methods = settings.methods();
            b.append("| metric | task |");
            for (String m : methods) b.append(' ').append(m.toUpperCase(Locale.ROOT)).append(" edge | ").append(m.toUpperCase(Locale.ROOT)).append(" node |");
            for (String m : methods) b.append(' ').append(m.toUpperCase(Locale.ROOT)).append(" node (components) |");
            b.append("\n|---|---|").append("---:|".repeat(3 * methods.size())).append('\n');
            for (String[] row : rows(sub)) {
                b.append("| ").append(row[1]).append(" | ").append(row[0]).append(" |");
                for (String m : methods) {
                    Cell c = find(sub, row[0], row[1], m);
                    for (String level : List.of("edge", "node")) {
                        b.append(' ').append(c == null ? "–" : markdownCell(comparison.entry(c, level, auc(c, level)))).append(" |");
                    }
                }
                for (String m : methods) {
                    Cell c = find(sub, row[0], row[1], m);
                    b.append(' ').append(c == null ? "–" : cellText(c, "node_components")).append(" |");
                }
                b.append('\n');
            }
        }
        b.append("\n## Ground truths and timings\n\n| task | metric | ablation | method | ground truth | time |\n|---|---|---|---|---|---:|\n");
        for (Cell c : cells) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", c.task(), c.metric(), c.ablation(), c.method(),
                    c.groundTruth(), roundedTime(c.seconds())));
        }
        if (!skipped.isEmpty()) {
            b.append("\n## Skipped tasks\n\n");
            skipped.forEach((t, why) -> b.append("- ").append(t).append(": ").append(why).append('\n'));
        }
        if (!failed.isEmpty()) {
            b.append("\n## Failed cells\n\n");
            failed.forEach((c, why) -> b.append("- ").append(c).append(": ").append(why).append('\n'));
        }
        return b.toString();
    }

    /** Ours (paper), and Δ where they differ: the markdown table's cell. */
    private static String markdownCell(PaperComparison.Entry e) {
        String t = cellText(e.cell(), e.level());
        return e.differs() ? t + " " + PaperComparison.differenceText(e) : t;
    }

    /** The AUC levels of a cell, in the CSV's order. */
    static final List<String> LEVELS = List.of("edge", "node", "node_components");

    /** Says how the two node columns count, printed with the tables. */
    static final String NODE_COUNTING = "Node columns count nodes as the ACDC code did for the paper (acdc_utils.filter_nodes:"
            + " a head's output, inputs and computed q/k/v are separate nodes, MLP inputs are dropped), like for like with the"
            + " published values; the \"node (components)\" columns are ours (q/k/v merged into the head, the MLP input into"
            + " the MLP, as the paper describes).";

    private static double auc(Cell c, String level) {
        return switch (level) {
            case "edge" -> c.edgeAuc();
            case "node" -> c.nodeAuc();
            case "node_components" -> c.nodeAucComponents();
            default -> throw new IllegalArgumentException("unknown AUC level '" + level + "'; expected one of " + LEVELS);
        };
    }

    private static double aucTrapezoid(Cell c, String level) {
        return switch (level) {
            case "edge" -> c.edgeAucTrapezoid();
            case "node" -> c.nodeAucTrapezoid();
            case "node_components" -> c.nodeAucComponentsTrapezoid();
            default -> throw new IllegalArgumentException("unknown AUC level '" + level + "'; expected one of " + LEVELS);
        };
    }

    private static String cellText(Cell c, String level) {
        double ours = auc(c, level);
        OptionalDouble paper = PaperTable2.get(c.task(), c.metric(), c.ablation(), c.method(), level);
        String s = String.format(Locale.ROOT, "%.3f", ours);
        return paper.isPresent() ? s + String.format(Locale.ROOT, " (%.3f)", paper.getAsDouble()) : s;
    }

    /** Distinct (task, metric) rows in first-seen order, grouped by metric as the paper does. */
    private static List<String[]> rows(List<Cell> sub) {
        Set<String> metricsSeen = new LinkedHashSet<>();
        for (Cell c : sub) metricsSeen.add(c.metric());
        List<String[]> rows = new ArrayList<>();
        for (String m : metricsSeen) {
            Set<String> tasks = new LinkedHashSet<>();
            for (Cell c : sub) if (c.metric().equals(m)) tasks.add(c.task());
            for (String t : tasks) rows.add(new String[] {t, m});
        }
        return rows;
    }

    private static Cell find(List<Cell> cells, String task, String metric, String method) {
        for (Cell c : cells) if (c.task().equals(task) && c.metric().equals(metric) && c.method().equals(method)) return c;
        return null;
    }

    /**
     * The report page, one section per method below, in this order: settings, the quick/smoke banner, the AUC tables
     * (cells that differ from the paper marked with the difference and numbered causes), the causes, the ROC plots at
     * full size, timings with links to each cell's circuit explorer, skipped tasks, the files.
     *
     * @param hasExplorer whether a cell's {@code explorer.html} exists (under {@link #cellDirectory})
     */
    String html(Map<String, PlotImages> plots, java.util.function.Predicate<Cell> hasExplorer) {
        List<PaperComparison.Entry> entries = comparisons();
        Map<PaperComparison.Cause, List<String>> cited = PaperComparison.cited(entries);
        StringBuilder b = new StringBuilder();
        htmlHead(b);
        banners(b);
        settingsTable(b);
        aucTables(b, entries, cited);
        causesSection(b, cited);
        plotsSection(b, plots);
        faithfulnessSection(b);
        timingsTable(b, hasExplorer);
        skippedSection(b);
        failedSection(b);
        filesFooter(b);
        return b.toString();
    }

    /** Every cell at both paper levels (edge, node as the ACDC code counted), compared with the paper. */
    List<PaperComparison.Entry> comparisons() {
        PaperComparison comparison = new PaperComparison(settings);
        List<PaperComparison.Entry> entries = new ArrayList<>();
        for (Cell c : cells) {
            for (String level : List.of("edge", "node")) entries.add(comparison.entry(c, level, auc(c, level)));
        }
        return entries;
    }

    private static void htmlHead(StringBuilder b) {
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>acdc reproduce</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;max-width:1320px;margin:2em auto;padding:0 1em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}")
                .append("td:first-child,td:nth-child(2),th{text-align:left}img{max-width:100%;height:auto;border:1px solid #eee}")
                .append(".banner{background:#fff4ce;border:1px solid #e0b400;padding:.6em 1em;margin:1em 0}")
                .append(".differs{background:#fdecea}.far{background:#f8c9c4}.delta{display:block;font-size:.85em;color:#a4262c}")
                .append(".explained{background:#eef3fb}sup{color:#555}figure{margin:1.5em 0}.wide{overflow-x:auto}")
                .append("</style></head><body>\n<h1>Circuit discovery: method comparison</h1>\n");
        b.append("<p>Pessimistic AUC of each method's circuits against each task's ground truth; in parentheses the value published in ")
                .append(esc(PaperTable2.SOURCE)).append(" where it has that cell, and below it ours minus the paper's (Δ) where they differ;")
                .append(" superscripts name the known causes listed under the tables. ").append(esc(NODE_COUNTING)).append("</p>\n");
    }

    /** Warnings that change how every number on the page reads. */
    private void banners(StringBuilder b) {
        if (settings.quick()) {
            b.append("<div class=\"banner quick\"><strong>Quick run</strong> (<code>--quick</code>): fewer thresholds, λ values, epochs and")
                    .append(" steps than the paper; use it to check the pipeline, not to compare numbers. Run without <code>--quick</code> for")
                    .append(" the comparison.</div>\n");
        }
        if (settings.smokeRun()) {
            b.append("<div class=\"banner smoke\"><strong>Smoke run</strong>: a stand-in model replaced at least one task's real model.</div>\n");
        }
    }

    private void settingsTable(StringBuilder b) {
        b.append("<h2>Run settings</h2>\n<table>");
        settingsMap().forEach((k, v) -> b.append("<tr><th>").append(esc(k)).append("</th><td>")
                .append(esc(k.equals("seconds") ? roundedTime(settings.seconds()) : String.valueOf(v))).append("</td></tr>"));
        b.append("</table>\n");
    }

    private void aucTables(StringBuilder b, List<PaperComparison.Entry> entries, Map<PaperComparison.Cause, List<String>> cited) {
        List<PaperComparison.Cause> numbered = new ArrayList<>(cited.keySet());
        for (String abl : settings.ablations()) {
            List<Cell> sub = cells.stream().filter(c -> c.ablation().equals(abl)).toList();
            if (sub.isEmpty()) continue;
            b.append("<h2>").append(abl.equals("resample") ? "Resample (random) ablation" : "Zero ablation")
                    .append("</h2>\n<div class=\"wide\"><table><tr><th>metric</th><th>task</th>");
            for (String m : settings.methods()) b.append("<th>").append(esc(m)).append(" edge</th><th>").append(esc(m)).append(" node</th>");
            for (String m : settings.methods()) b.append("<th>").append(esc(m)).append(" node (components)</th>");
            b.append("</tr>\n");
            for (String[] row : rows(sub)) {
                b.append("<tr><td>").append(esc(row[1])).append("</td><td>").append(esc(row[0])).append("</td>");
                for (String m : settings.methods()) {
                    Cell c = find(sub, row[0], row[1], m);
                    for (String level : List.of("edge", "node")) {
                        b.append(c == null ? "<td>–</td>" : comparedCell(entryOf(entries, c, level), numbered));
                    }
                }
                for (String m : settings.methods()) {
                    Cell c = find(sub, row[0], row[1], m);
                    b.append("<td>").append(c == null ? "–" : esc(cellText(c, "node_components"))).append("</td>");
                }
                b.append("</tr>\n");
            }
            b.append("</table></div>\n");
        }
    }

    private static PaperComparison.Entry entryOf(List<PaperComparison.Entry> entries, Cell c, String level) {
        for (PaperComparison.Entry e : entries) if (e.cell() == c && e.level().equals(level)) return e;
        throw new IllegalStateException("no comparison for " + c.task() + " " + c.method() + " " + level);
    }

    /** One table cell: ours (paper), the difference, the numbers of the causes that explain it. */
    private static String comparedCell(PaperComparison.Entry e, List<PaperComparison.Cause> numbered) {
        String cls = !e.marked() ? "" : e.differs() ? (Math.abs(e.difference()) >= 0.05 ? " class=\"differs far\"" : " class=\"differs\"")
                : " class=\"explained\"";
        StringBuilder t = new StringBuilder("<td").append(cls);
        if (e.differs()) t.append(" title=\"ours minus the paper's: ").append(String.format(Locale.ROOT, "%+.3f", e.difference())).append('"');
        t.append('>').append(esc(cellText(e.cell(), e.level())));
        if (e.marked() && !e.causes().isEmpty()) {
            List<String> refs = new ArrayList<>();
            for (PaperComparison.Cause c : e.causes()) refs.add("<a href=\"#cause-" + (numbered.indexOf(c) + 1) + "\">" + (numbered.indexOf(c) + 1) + "</a>");
            t.append("<sup>").append(String.join(",", refs)).append("</sup>");
        }
        if (e.differs()) t.append("<span class=\"delta\">").append(esc(PaperComparison.differenceText(e))).append("</span>");
        return t.append("</td>").toString();
    }

    /** The numbered causes, each with the cells it is cited for. */
    private static void causesSection(StringBuilder b, Map<PaperComparison.Cause, List<String>> cited) {
        if (cited.isEmpty()) return;
        b.append("<h2>Why cells differ from the paper</h2>\n<p>Known causes, generated from the run's settings and each cell's task,")
                .append(" method, metric and ablation (README.md and docs/paper-numbers.md document each). A marked cell without a")
                .append(" number has no known cause.</p>\n<ol>\n");
        int i = 1;
        for (var e : cited.entrySet()) {
            b.append("<li id=\"cause-").append(i++).append("\">").append(esc(e.getKey().text)).append(" <small>(")
                    .append(esc(String.join("; ", e.getValue()))).append(")</small></li>\n");
        }
        b.append("</ol>\n");
    }

    /** Every ROC figure at its own size (edge and node panels side by side), inlined, with its SVG linked. */
    private static void plotsSection(StringBuilder b, Map<String, PlotImages> plots) {
        b.append("<h2>ROC curves</h2>\n<p>Each method in the same colour in every figure; open markers are the paper's points")
                .append(" where it plotted the cell (").append(esc(dev.acdc.experiments.discover.PaperRocPoints.SOURCE)).append(").</p>\n");
        for (var p : plots.entrySet()) {
            b.append("<figure><img alt=\"").append(esc(p.getKey())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(p.getValue().png())).append("\"><figcaption>").append(esc(p.getKey()))
                    .append(" (<a href=\"").append(esc(p.getKey())).append(".svg\">SVG</a>, <a href=\"").append(esc(p.getKey()))
                    .append(".png\">PNG</a>)</figcaption></figure>\n");
        }
    }

    /** MIB's CPR and CMD of every cell, when the report has them. */
    private void faithfulnessSection(StringBuilder b) {
        if (faithfulness != null) b.append(faithfulness.html(settings.methods(), settings.ablations()));
    }

    private void timingsTable(StringBuilder b, java.util.function.Predicate<Cell> hasExplorer) {
        b.append("<h2>Timings and ground truths</h2>\n<table><tr><th>task</th><th>metric</th><th>ablation</th><th>method</th>")
                .append("<th>ground truth</th><th>time</th><th>circuits</th><th>explorer</th></tr>\n");
        for (Cell c : cells) {
            String link = hasExplorer.test(c) ? "<a href=\"" + esc(cellDirectory(c)) + "/explorer.html\">explore</a>" : "–";
            b.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%s</td></tr>%n",
                    esc(c.task()), esc(c.metric()), esc(c.ablation()), esc(c.method()), esc(c.groundTruth()), roundedTime(c.seconds()),
                    c.points().size(), link));
        }
        b.append("</table>\n");
    }

    private void skippedSection(StringBuilder b) {
        if (skipped.isEmpty()) return;
        b.append("<h2>Skipped tasks</h2>\n<ul>");
        skipped.forEach((t, why) -> b.append("<li>").append(esc(t)).append(": ").append(esc(why)).append("</li>"));
        b.append("</ul>\n");
    }

    private void failedSection(StringBuilder b) {
        if (failed.isEmpty()) return;
        b.append("<h2>Failed cells</h2>\n<ul>");
        failed.forEach((c, why) -> b.append("<li>").append(esc(c)).append(": ").append(esc(why)).append("</li>"));
        b.append("</ul>\n");
    }

    private static void filesFooter(StringBuilder b) {
        b.append("<p>Files: <a href=\"auc_table.md\">auc_table.md</a>, <a href=\"auc_table.csv\">auc_table.csv</a>, ")
                .append("<a href=\"results.json\">results.json</a> (every ROC point).</p>\n</body></html>\n");
    }

    /** A time as a reader wants it: 0.4 s, 12 s, 2 min 05 s, 1 h 02 min. */
    static String roundedTime(double seconds) {
        if (seconds < 10) return String.format(Locale.ROOT, "%.1f s", seconds);
        long s = Math.round(seconds);
        if (s < 60) return s + " s";
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        long minutes = Math.round(seconds / 60);
        return String.format(Locale.ROOT, "%d h %02d min", minutes / 60, minutes % 60);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static Gson gson(boolean pretty) {
        // snake_case keys like every other JSON the CLI writes: a cell's edgeAuc is written edge_auc
        GsonBuilder b = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().serializeNulls()
                .setFieldNamingPolicy(com.google.gson.FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES);
        if (pretty) b.setPrettyPrinting();
        return b.create();
    }
}
