package dev.acdc.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input on every command gets one line naming what was wrong, exit code 2, and nothing written (issue 19,
 * problems 5, 6, 9, 10 and 11): sizes beyond their stated bounds, lenient list and number parsing, options a task
 * would ignore, checkpoints that do not match their config, and parser errors.
 */
class BadInputTest {
    @TempDir
    static Path tmp;

    private static final String OUT = "@OUT@";

    static Stream<Arguments> cases() {
        String tokenizer = Fixtures.path("fixtures/gpt2-tokenizer").toString();
        String vocab65 = IntStream.rangeClosed(1, 65).mapToObj(Integer::toString).collect(Collectors.joining(","));
        String taus1001 = IntStream.rangeClosed(1, 1001).mapToObj(i -> i + "e-6").collect(Collectors.joining(","));
        return Stream.of(
                // problem 5: sizes have bounds, stated in --help
                Arguments.of("max-seq-len 640", "expected 1 to 64", List.of("compile", "--program", "sort", "--max-seq-len", "640")),
                Arguments.of("max-seq-len 10000", "expected 1 to 64", List.of("compile", "--program", "sort", "--max-seq-len", "10000")),
                Arguments.of("vocab of 65", "at most 64", List.of("compile", "--program", "sort", "--vocab", vocab65)),
                Arguments.of("range of 2e9", "1 ≤ N ≤ 1000", List.of("roc", "--task", "tracr-reverse", "--threshold-range",
                        "1e-5:1e-1:2000000000", "--out", OUT)),
                Arguments.of("1001 thresholds", "at most 1000", List.of("roc", "--task", "tracr-reverse", "--thresholds", taus1001, "--out", OUT)),
                Arguments.of("steps 10^6", "expected 1 to 20000", List.of("train", "induction", "--steps", "1000000", "--out", OUT)),
                Arguments.of("prompts 10^5", "expected 1 to 200", List.of("task-info", "--task", "ioi", "--prompts", "100000")),
                Arguments.of("bench batch", "expected 1 to 1000", List.of("bench", "forward", "--batch", "100000")),
                // issue 20: the engine is checked before anything is loaded; without the cluster module there is no Spark
                Arguments.of("reproduce --engine bogus", "unknown --engine 'bogus'", List.of("reproduce", "--tasks", "tracr-reverse",
                        "--engine", "bogus", "--out", OUT)),
                Arguments.of("roc --master without spark", "only with --engine spark", List.of("roc", "--task", "tracr-reverse",
                        "--master", "local[2]", "--out", OUT)),
                Arguments.of("reproduce --engine spark without the cluster module", "the cluster module is not on the class path",
                        List.of("reproduce", "--tasks", "tracr-reverse", "--engine", "spark", "--master", "local[2]", "--out", OUT)),
                Arguments.of("discover --engine spark --reference", "--reference and --engine spark", List.of("discover", "--task",
                        "tracr-reverse", "--threshold", "0.01", "--reference", "--engine", "spark", "--out", OUT)),
                // problem 6: the tracr tasks compile their model and take neither model nor tokenizer
                Arguments.of("tracr --model", "takes no model", List.of("discover", "--task", "tracr-reverse", "--threshold", "0.01",
                        "--model", "/does/not/exist", "--out", OUT)),
                Arguments.of("tracr --tokenizer", "takes no tokenizer", List.of("discover", "--task", "tracr-proportion", "--threshold",
                        "0.01", "--tokenizer", tokenizer, "--out", OUT)),
                Arguments.of("roc tracr --model", "takes no model", List.of("roc", "--task", "tracr-reverse", "--thresholds", "0.01",
                        "--model", "gpt2", "--out", OUT)),
                Arguments.of("reproduce tracr --model", "take neither", List.of("reproduce", "--tasks", "tracr-reverse", "--model",
                        "gpt2", "--out", OUT)),
                // problem 9: strict lists and numbers
                Arguments.of("vocab duplicate", "'1' is given twice", List.of("compile", "--program", "reverse", "--vocab", "1,1,2")),
                Arguments.of("vocab empty item", "item 2 is empty", List.of("compile", "--program", "reverse", "--vocab", "1,,2")),
                Arguments.of("vocab empty", "--vocab", List.of("compile", "--program", "reverse", "--vocab", "")),
                Arguments.of("arg fraction", "whole number", List.of("compile", "--program", "shift_by", "--arg", "offset=1.5")),
                Arguments.of("arg overflow", "whole number", List.of("compile", "--program", "shift_by", "--arg", "offset=1e400")),
                Arguments.of("arg repeated", "given twice", List.of("compile", "--program", "shift_by", "--arg", "offset=1", "--arg", "offset=2")),
                Arguments.of("arg without =", "NAME=VALUE", List.of("compile", "--program", "shift_by", "--arg", "offset")),
                Arguments.of("range trailing field", "expected LO:HI:N", List.of("roc", "--task", "tracr-reverse", "--threshold-range",
                        "1e-5:1e-1:3:", "--out", OUT)),
                Arguments.of("range fraction", "expected LO:HI:N", List.of("roc", "--task", "tracr-reverse", "--threshold-range",
                        "1e-5:1e-1:2.5", "--out", OUT)),
                Arguments.of("thresholds repeated", "given twice", List.of("roc", "--task", "tracr-reverse", "--thresholds", "0.1,0.1", "--out", OUT)),
                Arguments.of("thresholds suffix", "decimal number", List.of("roc", "--task", "tracr-reverse", "--thresholds", "0.1d", "--out", OUT)),
                Arguments.of("thresholds overflow", "out of range", List.of("roc", "--task", "tracr-reverse", "--thresholds", "1e400", "--out", OUT)),
                Arguments.of("threshold suffix", "decimal number", List.of("discover", "--task", "tracr-reverse", "--threshold", "0.01d",
                        "--out", OUT)),
                Arguments.of("threshold overflow", "out of range", List.of("discover", "--task", "tracr-reverse", "--threshold", "1e400",
                        "--out", OUT)),
                Arguments.of("methods repeated", "given twice", List.of("roc", "--task", "tracr-reverse", "--methods", "acdc,acdc", "--out", OUT)),
                Arguments.of("reproduce methods empty item", "is empty", List.of("reproduce", "--methods", "acdc,,sp", "--out", OUT)),
                Arguments.of("discover --out ''", "expected a directory path", List.of("discover", "--task", "tracr-reverse", "--threshold",
                        "0.01", "--out", "")),
                Arguments.of("train --out ''", "expected a directory path", List.of("train", "induction", "--tiny", "--out", "")),
                Arguments.of("roc --out ''", "expected a directory path", List.of("roc", "--task", "tracr-reverse", "--out", "")),
                // faithfulness: methods, sizes in percent of the edges (0, 100], ablation, metric
                Arguments.of("faithfulness unknown method", "unknown --methods 'bogus'", List.of("faithfulness", "--task", "tracr-reverse",
                        "--methods", "acdc,bogus", "--out", OUT)),
                Arguments.of("faithfulness size 0", "expected a percentage in (0, 100]", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "0,100", "--out", OUT)),
                Arguments.of("faithfulness size 150", "expected a percentage in (0, 100]", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "50,150", "--out", OUT)),
                Arguments.of("faithfulness size negative", "expected a percentage in (0, 100]", List.of("faithfulness", "--task",
                        "tracr-reverse", "--sizes", "-1,50", "--out", OUT)),
                Arguments.of("faithfulness sizes empty item", "is empty", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "1,,2", "--out", OUT)),
                Arguments.of("faithfulness sizes suffix", "decimal number", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "1%,2", "--out", OUT)),
                Arguments.of("faithfulness sizes repeated", "given twice", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "50,50.0", "--out", OUT)),
                Arguments.of("faithfulness sizes descending", "expected ascending", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "50,10", "--out", OUT)),
                Arguments.of("faithfulness one size", "at least two", List.of("faithfulness", "--task", "tracr-reverse",
                        "--sizes", "50", "--out", OUT)),
                Arguments.of("faithfulness ablation", "unknown --ablation", List.of("faithfulness", "--task", "tracr-reverse",
                        "--ablation", "bogus", "--out", OUT)),
                Arguments.of("faithfulness metric", "unknown --metric", List.of("faithfulness", "--task", "tracr-reverse",
                        "--metric", "bogus", "--out", OUT)),
                Arguments.of("faithfulness bootstrap negative", "--bootstrap -1: expected 0 (off) to 100000", List.of("faithfulness",
                        "--task", "tracr-reverse", "--bootstrap", "-1", "--out", OUT)),
                Arguments.of("faithfulness bootstrap too large", "--bootstrap 100001: expected 0 (off) to 100000", List.of("faithfulness",
                        "--task", "tracr-reverse", "--bootstrap", "100001", "--out", OUT)),
                Arguments.of("faithfulness stability negative", "--stability -1: expected 0 (off) or 2 to 50", List.of("faithfulness",
                        "--task", "tracr-reverse", "--stability", "-1", "--out", OUT)),
                Arguments.of("faithfulness stability one", "--stability 1: expected 0 (off) or 2 to 50", List.of("faithfulness",
                        "--task", "tracr-reverse", "--stability", "1", "--out", OUT)),
                Arguments.of("faithfulness stability too large", "--stability 51: expected 0 (off) or 2 to 50", List.of("faithfulness",
                        "--task", "tracr-reverse", "--stability", "51", "--out", OUT)),
                Arguments.of("faithfulness threshold negative", "--threshold -0.1: expected a finite number", List.of("faithfulness",
                        "--task", "tracr-reverse", "--stability", "2", "--threshold", "-0.1", "--out", OUT)),
                Arguments.of("faithfulness --out ''", "expected a directory path", List.of("faithfulness", "--task", "tracr-reverse", "--out", "")),
                Arguments.of("reproduce --out ''", "expected a directory path", List.of("reproduce", "--out", "")),
                Arguments.of("threshold repeated", "should be specified only once", List.of("discover", "--task", "tracr-reverse",
                        "--threshold", "0.1", "--threshold", "0.2", "--out", OUT)),
                // problem 11: parser errors on one line too
                Arguments.of("unknown option", "Unknown option", List.of("discover", "--task", "tracr-reverse", "--threshold", "0.1",
                        "--bogus")),
                Arguments.of("missing option", "Missing required option", List.of("discover", "--task", "tracr-reverse")),
                Arguments.of("not an int", "'1.5' is not an int", List.of("compile", "--program", "reverse", "--max-seq-len", "1.5")),
                Arguments.of("int overflow", "is not an int", List.of("train", "induction", "--steps", "99999999999")),
                Arguments.of("model given twice", "should be specified only once", List.of("graph", "--model", "gpt2-small", "--model",
                        "attn-only-2l")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsOneLineExitTwoAndWritesNothing(String name, String mentions, List<String> args) throws Exception {
        Path out = tmp.resolve(name.replaceAll("[^a-z0-9]", "_"));
        String[] a = args.stream().map(x -> x.equals(OUT) ? out.toString() : x).toArray(String[]::new);
        CliRun r = run(a);
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("acdc: "), r.err());
        assertTrue(r.err().contains(mentions), "'" + mentions + "' not in: " + r.err());
        assertFalse(Files.exists(out), "nothing written");
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging or lock file left");
        }
    }

    @Test
    void theBoundsAreStatedInTheHelp() {
        assertTrue(run("compile", "--help").out().contains("1 to 64"));
        assertTrue(run("roc", "--help").out().contains("1000"));
        assertTrue(run("train", "--help").out().contains("1 to 20000"));
        assertTrue(run("bench", "--help").out().contains("1 to 1000"));
        assertTrue(run("model-info", "--help").out().replaceAll("\\s+", " ").contains("124,439,808"));
    }

    // ------------------------------------------------------------------ problem 10: checkpoints checked without a prompt

    private static Path copyOfTiny(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(Fixtures.path("fixtures/gpt2-tiny").resolve(f), dir.resolve(f));
        return dir;
    }

    @Test
    void modelInfoAndGraphRefuseATruncatedCheckpointWithoutAPrompt() throws Exception {
        Path dir = copyOfTiny("truncated");
        byte[] all = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length - 1000));
        for (String[] args : List.of(new String[] {"model-info", "--model", dir.toString()}, new String[] {"graph", "--model", dir.toString()})) {
            CliRun r = run(args);
            assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), args[0] + ": " + r.out() + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("truncated safetensors file"), r.err());
        }
    }

    @Test
    void aTruncatedHuggingFaceCacheEntryIsRefusedToo() throws Exception {
        Path snap = Files.createDirectories(tmp.resolve("hub").resolve("models--gpt2").resolve("snapshots").resolve("0123456789abcdef"));
        Files.createDirectories(tmp.resolve("hub").resolve("models--gpt2").resolve("refs"));
        Files.writeString(tmp.resolve("hub").resolve("models--gpt2").resolve("refs").resolve("main"), "0123456789abcdef");
        Path tiny = Fixtures.path("fixtures/gpt2-tiny");
        Files.copy(tiny.resolve("config.json"), snap.resolve("config.json"));
        byte[] all = Files.readAllBytes(tiny.resolve("model.safetensors"));
        Files.write(snap.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length / 2));
        CliRun r = run("model-info", "--model", "gpt2", "--offline", "--hf-cache", tmp.resolve("hub").toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("truncated safetensors file"), r.err());
    }

    @Test
    void aCheckpointWhoseShapesContradictItsConfigIsRefusedWithoutAPrompt() throws Exception {
        Path dir = copyOfTiny("reshaped");
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json")).replace("\"vocab_size\": 101", "\"vocab_size\": 102"));
        CliRun r = run("model-info", "--model", dir.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("wte.weight has shape [101, 32], expected [102, 32]"), r.err());
    }

    @Test
    void theParameterCountIsTheWeightsCountedAsHuggingFaceCountsThem() throws Exception {
        // the tiny fixture's 28 parameter tensors; its two attn.bias buffers are not parameters
        JsonObject tiny = JsonParser.parseString(run("model-info", "--model", copyOfTiny("count").toString(), "--json").out()).getAsJsonObject();
        assertEquals(29_216, tiny.get("parameters").getAsLong());
        assertTrue(tiny.get("parameter_convention").getAsString().contains("Hugging Face"));
        // a GPT-2-small-shaped checkpoint laid out as the official file (12 attn.bias buffers of 1024×1024), its data a
        // sparse hole: the count comes from the header alone
        Path dir = Files.createDirectories(tmp.resolve("gpt2-small"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 12, \"n_head\": 12, \"n_embd\": 768,"
                + " \"vocab_size\": 50257, \"n_positions\": 1024, \"n_ctx\": 1024}");
        writeSparseCheckpoint(dir.resolve("model.safetensors"), gpt2SmallTensors());
        CliRun r = run("model-info", "--model", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(124_439_808L, JsonParser.parseString(r.out()).getAsJsonObject().get("parameters").getAsLong());
    }

    @Test
    void aFileGivenAsAModelIsNamedAsAFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("model.txt"), "not a model");
        CliRun r = run("model-info", "--model", file.toString());
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("is a file, not a model directory"), r.err());
        assertFalse(r.err().contains("does not exist"), r.err());
    }

    private static Map<String, long[]> gpt2SmallTensors() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("wte.weight", new long[] {50257, 768});
        m.put("wpe.weight", new long[] {1024, 768});
        for (int l = 0; l < 12; l++) {
            String h = "h." + l + ".";
            m.put(h + "ln_1.weight", new long[] {768});
            m.put(h + "ln_1.bias", new long[] {768});
            m.put(h + "attn.bias", new long[] {1, 1, 1024, 1024});
            m.put(h + "attn.c_attn.weight", new long[] {768, 2304});
            m.put(h + "attn.c_attn.bias", new long[] {2304});
            m.put(h + "attn.c_proj.weight", new long[] {768, 768});
            m.put(h + "attn.c_proj.bias", new long[] {768});
            m.put(h + "ln_2.weight", new long[] {768});
            m.put(h + "ln_2.bias", new long[] {768});
            m.put(h + "mlp.c_fc.weight", new long[] {768, 3072});
            m.put(h + "mlp.c_fc.bias", new long[] {3072});
            m.put(h + "mlp.c_proj.weight", new long[] {3072, 768});
            m.put(h + "mlp.c_proj.bias", new long[] {768});
        }
        m.put("ln_f.weight", new long[] {768});
        m.put("ln_f.bias", new long[] {768});
        return m;
    }

    /** A valid safetensors header for F32 tensors, and a file as long as their data, left as a hole. */
    private static void writeSparseCheckpoint(Path file, Map<String, long[]> tensors) throws Exception {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        List<String> entries = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) n *= d;
            entries.add("\"" + e.getKey() + "\":{\"dtype\":\"F32\",\"shape\":" + java.util.Arrays.toString(e.getValue()).replace(" ", "")
                    + ",\"data_offsets\":[" + offset + "," + (offset + 4 * n) + "]}");
            offset += 4 * n;
        }
        header.append(String.join(",", entries)).append('}');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            f.write(h);
            f.setLength(8 + h.length + offset);
        }
    }
}
