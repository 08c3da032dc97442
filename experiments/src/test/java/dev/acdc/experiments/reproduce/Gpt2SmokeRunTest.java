package dev.acdc.experiments.reproduce;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The GPT-2 pipeline end to end through the real task registry, with the tiny GPT-2 fixture standing in for GPT-2
 * and the real GPT-2 tokenizer: every output must say it was a smoke run.
 */
class Gpt2SmokeRunTest {
    @TempDir
    Path tmp;

    static Path shared(String rel) {
        return Fixtures.path(rel);
    }

    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AcdcCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void discoverAndReproduceRunOnIoiAndGreaterThanWithTheTinyFixtureFlaggedAsASmokeRun() throws Exception {
        Path model = shared("fixtures/gpt2-tiny");
        Path tokenizer = shared("fixtures/gpt2-tokenizer");
        String[] d = run("discover", "--task", "greater-than", "--model", model.toString(), "--tokenizer", tokenizer.toString(),
                "--offline", "--threshold", "0.01", "--out", tmp.resolve("gt").toString(), "--json");
        JsonObject line = JsonParser.parseString(d[0].strip()).getAsJsonObject();
        assertTrue(line.get("smoke_run").getAsBoolean());
        assertEquals("greater-than", line.get("task").getAsString());
        assertTrue(Files.exists(tmp.resolve("gt/circuit.svg")));

        Path rep = tmp.resolve("rep");
        String[] r = run("reproduce", "--tasks", "ioi", "--methods", "acdc", "--metrics", "kl", "--ablation", "resample", "--quick",
                "--model", model.toString(), "--tokenizer", tokenizer.toString(), "--offline", "--out", rep.toString(), "--json");
        JsonObject flat = JsonParser.parseString(r[0].strip()).getAsJsonObject();
        assertTrue(flat.get("smoke_run").getAsBoolean());
        double auc = flat.get("auc.ioi.kl.resample.acdc.edge").getAsDouble();
        assertTrue(auc >= 0 && auc <= 1);
        assertTrue(Files.readString(rep.resolve("auc_table.md")).contains("Smoke run"));
        assertTrue(Files.readString(rep.resolve("auc_table.md")).contains("(0.869)"),
                "the paper's IOI KL edge AUC is printed beside ours: " + Files.readString(rep.resolve("auc_table.md")));
    }
}
