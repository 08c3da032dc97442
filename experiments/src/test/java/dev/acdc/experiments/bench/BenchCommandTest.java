package dev.acdc.experiments.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.CliRun;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/** The harness works and reports its keys; the numbers themselves are not asserted (timings are not tests). */
class BenchCommandTest {

    @Test
    void tinySuitesReportEveryFlatKey() {
        CliRun r = run("bench", "gemm", "forward", "patching", "memory", "--shape", "tiny", "--batch", "3", "--positions", "4",
                "--repeats", "1", "--evaluations", "20", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        for (String k : new String[] {"gemm_gflops", "forward_seconds", "forward_gflops", "forward_ratio", "forward_gemm_gflops", "peak_rss_mb",
                "patching_masked_forward_seconds", "patching_masked_last_position_seconds", "patching_incremental_layer0_seconds", "patching_batch16_seconds",
                "patching_16_singles_seconds", "memory_rss_growth_mb", "peak_rss_mb_gemm", "peak_heap_mb_patching"}) {
            assertTrue(j.has(k), k + " missing in " + j);
            assertFalse(j.get(k).isJsonNull(), k);
        }
        assertTrue(j.get("gemm_gflops").getAsDouble() > 0);
        assertEquals(j.get("forward_gflops").getAsDouble() / j.get("forward_gemm_gflops").getAsDouble(),
                j.get("forward_ratio").getAsDouble(), 1e-9);
    }

    private static long startupTempDirs() throws java.io.IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("acdc-bench-startup")).count();
        }
    }

    /** The startup suite's harness, on a stand-in launcher that exits at once: its keys, and no temporary directory left. */
    @Test
    void startupSuiteReportsItsKeysAndCleansUp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path launcher = dir.resolve("acdc");
        java.nio.file.Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        assertTrue(launcher.toFile().setExecutable(true));
        long before = startupTempDirs();
        CliRun r = run("bench", "startup", "--launcher", launcher.toString(), "--repeats", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        for (String k : new String[] {"startup_discover_tracr_seconds", "startup_help_seconds", "startup_discover_induction_seconds",
                "suite_seconds_startup"}) {
            assertTrue(j.has(k), k + " missing in " + j);
            assertTrue(j.get(k).getAsDouble() >= 0, k);
        }
        assertEquals(before, startupTempDirs(), "the suite removes its temporary directory");

        java.nio.file.Path failing = dir.resolve("failing");
        java.nio.file.Files.writeString(failing, "#!/bin/sh\necho broken\nexit 3\n");
        assertTrue(failing.toFile().setExecutable(true));
        try {
            CliRun f = run("bench", "startup", "--launcher", failing.toString(), "--repeats", "1");
            assertNotEquals(0, f.code());
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("exited 3"), e.getMessage());
        }
        assertEquals(before, startupTempDirs(), "a failed suite removes its temporary directory too");

        CliRun missing = run("bench", "startup", "--launcher", dir.resolve("none").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("not an executable file"), missing.err());
    }

    @Test
    void forwardFlopsCountProjectionsMlpAttentionAndUnembedding() {
        TransformerConfig c = TransformerConfig.gpt2Style("t", 1, 4, 2, 8, 10, 8, 1e-5);
        // per token: 2·4·D·H·d (q,k,v,o) + 2·2·D·M (mlp) + 2·2·P·H·d (scores, mixing) + 2·D·V
        double perToken = 2 * 4 * 4 * 4 + 2 * 2 * 4 * 8 + 2 * 2 * 3 * 4 + 2 * 4 * 10;
        assertEquals(perToken * 2 * 3, BenchCommand.forwardFlops(c, 2, 3), 1e-9);
    }

    @Test
    void forwardFlopsOfAGroupedQueryGatedModelCountTheKeyValueHeadsAndThreeMlpMatrices() {
        TransformerConfig c = dev.acdc.patching.load.Presets.byName("qwen2.5-0.5b").orElseThrow();
        // D 896, H 14, G 2, d 64, M 4864, 24 layers, V 151936: q and o over 14 heads, k and v over 2, gate/up/down
        double perLayer = 2.0 * 896 * 64 * (14 + 14 + 2 + 2) + 2.0 * 896 * 4864 * 3 + 2.0 * 2 * 3 * 14 * 64;
        double perToken = 24 * perLayer + 2.0 * 896 * 151936;
        assertEquals(988_180_480.0, perToken, 0.5);
        assertEquals(perToken * 2 * 3, BenchCommand.forwardFlops(c, 2, 3), 1e-3);
    }

    @Test
    void unknownSuiteOrShapeIsBadInput() {
        CliRun s = run("bench", "warp-speed");
        assertEquals(2, s.code());
        assertTrue(s.err().contains("unknown suite 'warp-speed'"), s.err());
        CliRun sh = run("bench", "gemm", "--shape", "huge");
        assertEquals(2, sh.code());
        assertTrue(sh.err().contains("--shape 'huge'"), sh.err());
        CliRun n = run("bench", "gemm", "--repeats", "0");
        assertEquals(2, n.code());
        assertTrue(n.err().contains("--repeats 0"), n.err());
    }

    @Test
    void correlationsOfTheEapAgreementFigure() {
        double[] x = {1, 2, 3, 4}, y = {2, 4, 6, 8.5};
        assertEquals(1.0, BenchCommand.pearson(x, new double[] {3, 5, 7, 9}), 1e-12);
        assertEquals(-1.0, BenchCommand.pearson(x, new double[] {4, 3, 2, 1}), 1e-12);
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, BenchCommand.ranks(new double[] {0, 5, 5, 9}));
        assertEquals(1.0, BenchCommand.pearson(BenchCommand.ranks(x), BenchCommand.ranks(y)), 1e-12, "monotone: Spearman 1");
    }
}
