package dev.acdc.experiments.reproduce;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.experiments.CliRun;
import dev.acdc.experiments.discover.FakeTasks;
import dev.acdc.experiments.discover.TaskSource;
import dev.acdc.patching.load.ModelLoadException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class ReproduceCommandTest {
    static final String MISSING = "needs-gpt2";

    @TempDir
    Path tmp;

    @BeforeEach
    void installFakeTasks() {
        TaskSource fake = FakeTasks.source();
        TaskSource.use(new TaskSource() {
            @Override
            public Task get(String name, TaskOptions options) {
                if (name.equals(MISSING)) {
                    throw new ModelLoadException("model 'gpt2' not found in /nowhere; pass --model DIR");
                }
                return fake.get(name, options);
            }

            @Override
            public List<String> names() {
                return List.of(FakeTasks.NAME, MISSING);
            }
        });
    }

    @AfterEach
    void restoreRegistry() {
        TaskSource.use(null);
    }

    @Test
    void writesTableCsvPlotsResultsAndHtmlAndSkipsTasksWithoutAModel() throws Exception {
        Path out = tmp.resolve("rep");
        CliRun r = run("reproduce", "--methods", "acdc", "--ablation", "both", "--quick", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipping " + MISSING), r.err());

        JsonObject flat = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals(4, flat.get("cells").getAsInt(), "1 task × 2 metrics × 2 ablations × 1 method");
        assertEquals(MISSING, flat.getAsJsonArray("skipped_tasks").get(0).getAsString());
        for (String metric : List.of("kl_div", "l2")) {
            for (String abl : List.of("resample", "zero")) {
                for (String level : List.of("edge", "node", "node_components")) {
                    double auc = flat.get("auc." + FakeTasks.NAME + "." + metric + "." + abl + ".acdc." + level).getAsDouble();
                    assertTrue(auc >= 0 && auc <= 1, metric + " " + abl + " " + level + " " + auc);
                }
            }
        }

        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        JsonArray cells = results.getAsJsonArray("cells");
        assertEquals(4, cells.size());
        JsonObject first = cells.get(0).getAsJsonObject();
        assertEquals(2, first.getAsJsonArray("points").size(), "--quick keeps every third of the fake task's 3 thresholds");
        assertEquals("canonical", first.get("ground_truth").getAsString());
        assertTrue(first.has("edge_auc") && first.has("node_auc_components_trapezoid"), first.toString());
        assertTrue(first.getAsJsonArray("points").get(0).getAsJsonObject().has("edges_kept"), first.toString());
        assertSnakeCase(results, "results.json");

        String md = Files.readString(out.resolve("auc_table.md"));
        assertTrue(md.contains("## Resample (random) ablation") && md.contains("## Zero ablation"), md);
        assertTrue(md.contains("| metric | task | ACDC edge | ACDC node | ACDC node (components) |"), md);
        assertTrue(md.contains("| kl_div | " + FakeTasks.NAME + " |"), md);
        assertTrue(md.contains("Smoke run"), "the fake task is a smoke run: " + md);

        List<String> csv = Files.readAllLines(out.resolve("auc_table.csv"));
        assertEquals("ablation,task,metric,method,level,auc,auc_trapezoid,paper_auc,ground_truth,seconds", csv.get(0));
        assertEquals(1 + 12, csv.size(), "edge, node and node_components rows for each of 4 cells");

        for (String metric : List.of("kl_div", "l2")) {
            for (String abl : List.of("resample", "zero")) {
                assertTrue(Files.size(out.resolve("roc-" + FakeTasks.NAME + "-" + metric + "-" + abl + ".png")) > 1000);
            }
        }
        // each cell's circuits, browsable: one explorer page per cell, one step per circuit of its sweep
        for (String metric : List.of("kl_div", "l2")) {
            for (String abl : List.of("resample", "zero")) {
                Path page = out.resolve(dev.acdc.experiments.explorer.CircuitExplorer.cellPage(FakeTasks.NAME, metric, abl, "acdc"));
                assertEquals(2, dev.acdc.experiments.explorer.ExplorerPages.data(page).getAsJsonArray("steps").size(), page.toString());
            }
        }
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"));
        assertEquals(4 + 4, html.split("data:image/png;base64,", -1).length - 1, "every plot is inlined: ROC and faithfulness");
        assertTrue(html.contains(MISSING), "skipped tasks are listed");
    }

    @Test
    void aNamedTaskWithoutItsModelIsBadInputAndWritesNothing() {
        Path out = tmp.resolve("rep");
        CliRun r = run("reproduce", "--tasks", MISSING, "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model 'gpt2' not found"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownMethodAblationOrTaskIsBadInputAndWritesNothing() {
        Path out = tmp.resolve("rep");
        CliRun m = run("reproduce", "--methods", "acdc,magic", "--out", out.toString());
        assertEquals(2, m.code());
        assertTrue(m.err().contains("--methods 'magic'"), m.err());
        CliRun a = run("reproduce", "--ablation", "mean", "--out", out.toString());
        assertEquals(2, a.code());
        assertTrue(a.err().contains("--ablation 'mean'"), a.err());
        CliRun t = run("reproduce", "--tasks", "nope", "--out", out.toString());
        assertEquals(2, t.code());
        assertTrue(t.err().contains("--tasks 'nope'"), t.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void everyMethodRunsThroughTheSamePipeline() throws Exception {
        Path out = tmp.resolve("all");
        CliRun r = run("reproduce", "--tasks", FakeTasks.NAME, "--methods", "acdc,sp,hisp,eap,eap-ig", "--metrics", "l2",
                "--ablation", "zero", "--quick", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject flat = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals(5, flat.get("cells").getAsInt());
        for (String m : List.of("acdc", "sp", "hisp", "eap", "eap-ig")) {
            for (String level : List.of("edge", "node")) {
                double auc = flat.get("auc." + FakeTasks.NAME + ".l2.zero." + m + "." + level).getAsDouble();
                assertTrue(auc >= 0 && auc <= 1, m + " " + level + " " + auc);
            }
        }
        JsonArray cells = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject().getAsJsonArray("cells");
        for (var c : cells) {
            JsonObject cell = c.getAsJsonObject();
            String expected = switch (cell.get("method").getAsString()) {
                case "acdc", "eap", "eap-ig" -> "threshold";
                case "sp" -> "lambda";
                default -> "k";
            };
            assertEquals(expected, cell.getAsJsonArray("points").get(0).getAsJsonObject().get("parameter").getAsString(), cell.toString());
        }
        assertTrue(Files.readString(out.resolve("auc_table.md")).contains("| metric | task | ACDC edge | ACDC node | SP edge | SP node | HISP edge |"));

        // stderr is not a terminal here: plain progress lines, per cell, with the elapsed time and an estimate
        String err = r.err();
        assertTrue(err.contains("reproduce: cell 1/5 " + FakeTasks.NAME + " l2 zero acdc"), err);
        assertTrue(err.lines().anyMatch(l -> l.matches("reproduce: cell [2-5]/5 " + FakeTasks.NAME + " l2 zero \\S+.*, elapsed \\d+:\\d\\d, ETA \\d+:\\d\\d")),
                "a line with an estimate: " + err);
        assertTrue(err.lines().anyMatch(l -> l.startsWith("reproduce: cell done: 5/5")), err);
        assertFalse(err.contains("\r"), "no carriage returns in a log");
    }

    @Test
    void theReportCarriesEachCellsCprAndCmdAsTheFaithfulnessCommandComputesThem() throws Exception {
        Path out = tmp.resolve("faith");
        CliRun r = run("reproduce", "--tasks", FakeTasks.NAME, "--methods", "acdc,eap", "--metrics", "l2", "--ablation", "zero",
                "--quick", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject flat = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        String cell = FakeTasks.NAME + ".l2.zero.";
        Path f = tmp.resolve("f");
        CliRun fr = run("faithfulness", "--task", FakeTasks.NAME, "--methods", "eap", "--metric", "l2", "--ablation", "zero",
                "--bootstrap", "0", "--out", f.toString(), "--json");
        assertEquals(0, fr.code(), fr.err());
        JsonObject faith = JsonParser.parseString(fr.out().strip()).getAsJsonObject();
        // EAP has no --quick setting: the report's numbers are the faithfulness command's, to the last digit
        assertEquals(faith.get("cpr.eap").getAsDouble(), flat.get("cpr." + cell + "eap").getAsDouble());
        assertEquals(faith.get("cmd.eap").getAsDouble(), flat.get("cmd." + cell + "eap").getAsDouble());
        double acdcCpr = flat.get("cpr." + cell + "acdc").getAsDouble();
        assertTrue(acdcCpr > 0 && acdcCpr < 1, "ACDC's CPR " + acdcCpr);

        JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        JsonObject section = results.getAsJsonObject("faithfulness");
        assertSnakeCase(section, "faithfulness");
        assertEquals(10, section.getAsJsonArray("sizes").size());
        JsonArray rows = section.getAsJsonArray("rows");
        assertEquals(2, rows.size());
        JsonObject eapRow = rows.get(1).getAsJsonObject();
        assertEquals("eap", eapRow.get("method").getAsString());
        assertEquals("signed", eapRow.get("cpr_ranking").getAsString());
        assertEquals("absolute", eapRow.get("cmd_ranking").getAsString());
        assertEquals(faith.getAsJsonArray("faithfulness.eap"), eapRow.getAsJsonArray("faithfulness"));
        assertEquals(faith.getAsJsonArray("faithfulness_abs.eap"), eapRow.getAsJsonArray("faithfulness_abs"));

        String md = Files.readString(out.resolve("faithfulness_table.md"));
        assertTrue(md.contains("| metric | task | acdc CPR ↑ | acdc CMD ↓ | eap CPR ↑ | eap CMD ↓ |"), md);
        assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| l2 | %s | %.3f |", FakeTasks.NAME, acdcCpr)), md);
        String png = "faithfulness-" + FakeTasks.NAME + "-l2-zero.png";
        assertTrue(Files.size(out.resolve(png)) > 1000);
        String html = Files.readString(out.resolve("index.html"));
        assertTrue(html.contains("<h2>Faithfulness (MIB's CPR and CMD)</h2>") && html.contains("alt=\"" + png + "\""), "index.html");
        assertTrue(Files.readString(out.resolve("faithfulness_table.csv")).startsWith("ablation,task,metric,method,cpr,cmd,"));
        // a second run replaces the report, faithfulness files included
        assertEquals(0, run("reproduce", "--tasks", FakeTasks.NAME, "--methods", "eap", "--metrics", "l2", "--ablation", "zero",
                "--quick", "--out", out.toString()).code());
    }

    @Test
    void tracrProportionWithOurDataAndTheAcdcCodesSitSideBySideWithThePapersNumberInBoth() throws Exception {
        TaskSource.use(null);
        Path out = tmp.resolve("tracr");
        CliRun r = run("reproduce", "--tasks", "tracr-proportion,tracr-proportion:acdc-code", "--methods", "acdc", "--ablation", "zero",
                "--quick", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject flat = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertEquals(1.0, flat.get("auc.tracr-proportion:acdc-code.l2.zero.acdc.edge").getAsDouble(), 1e-12,
                "on its own data ACDC recovers the published circuit at every threshold, as the paper reports");
        assertTrue(flat.has("auc.tracr-proportion.l2.zero.acdc.edge"));
        String md = Files.readString(out.resolve("auc_table.md"));
        assertTrue(md.contains("| l2 | tracr-proportion | "), md);
        assertTrue(md.contains("| l2 | tracr-proportion:acdc-code | 1.000 (1.000) | 1.000 (1.000) | 1.000 |"), md);
        assertTrue(Files.exists(out.resolve("roc-tracr-proportion-acdc-code-l2-zero.png")));
    }

    @Test
    void aTaskSpelledWithAnUnknownDataVariantIsBadInputAndWritesNothing() {
        Path out = tmp.resolve("rep");
        CliRun r = run("reproduce", "--tasks", FakeTasks.NAME + ":nope", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown data variant in --tasks '" + FakeTasks.NAME + ":nope'"), r.err());
        assertFalse(Files.exists(out));
    }

    /** Every key of every object in {@code e}, nested too, is snake_case (the flat --json keys are dotted snake_case). */
    static void assertSnakeCase(com.google.gson.JsonElement e, String where) {
        if (e.isJsonObject()) {
            for (var kv : e.getAsJsonObject().entrySet()) {
                assertTrue(kv.getKey().matches("[a-z0-9_.:-]+"), where + ": key '" + kv.getKey() + "' is not snake_case");
                assertSnakeCase(kv.getValue(), where + "." + kv.getKey());
            }
        } else if (e.isJsonArray()) {
            for (var x : e.getAsJsonArray()) assertSnakeCase(x, where + "[]");
        }
    }
}
