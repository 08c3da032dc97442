package dev.acdc.experiments.discover;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.CliRun;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Resuming from a journal (issue 19, problems 1, 2 and 4): a journal of another run is refused naming the field that
 * differs; a journal cut by a kill, or with a damaged line, is replayed up to the damage and the rest decided again,
 * giving the circuit of an uninterrupted run; a journal that contradicts the graph is one line and exit 2.
 *
 * <p>The fake task here reads its options: {@code --model} picks the weights, {@code --seed} the data, so runs that
 * differ in them differ in what they compute, as real tasks do.
 */
class ResumeTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void installFakeTask() {
        TaskSource.use(new TaskSource() {
            @Override
            public Task get(String name, TaskOptions options) {
                long weightSeed = options.model() == null ? 3 : 100 + Math.abs(options.model().hashCode() % 1000);
                return new FakeTasks.FakeTask() {
                    @Override public TransformerWeights weights() { return FakeTasks.weights(weightSeed); }

                    @Override public ModelInput clean() { return FakeTasks.tokens(1 + 10 * options.seed()); }

                    @Override public ModelInput corrupted() { return FakeTasks.tokens(2 + 10 * options.seed()); }
                };
            }

            @Override
            public List<String> names() {
                return List.of(FakeTasks.NAME);
            }
        });
    }

    @AfterEach
    void restoreRegistry() {
        TaskSource.use(null);
    }

    private String[] discover(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("discover", "--task", FakeTasks.NAME, "--threshold", "0.003", "--out", out.toString(),
                "--json"));
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    private static String edges(Path out) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject().get("edges").toString();
    }

    private static void assertOneLineBadInput(CliRun r, String... mentions) {
        assertEquals(AcdcCli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        for (String m : mentions) assertTrue(r.err().contains(m), "'" + m + "' not in: " + r.err());
    }

    // ------------------------------------------------------------------ problem 1: a journal of another run

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "seed, --seed, 1",
            "model, --model, another-model",
            "threshold, --threshold, 0.004",
            "ablation, --ablation, zero",
            "metric, --metric, l2",
            "abs_value, --abs-value, ''",
            "sender_order, --sender-order, heads-ascending",
            "reference, --reference, ''",
    })
    void aJournalOfARunWithOtherSettingsIsRefusedNamingTheField(String field, String flag, String value) throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, run(discover(out)).code());
        String journal = Files.readString(out.resolve("journal.txt"));
        List<String> changed = new ArrayList<>(Arrays.asList(discover(out, "--resume")));
        if (flag.equals("--threshold")) {
            changed.set(changed.indexOf("--threshold") + 1, value);
        } else {
            changed.add(flag);
            if (!value.isEmpty()) changed.add(value);
        }
        CliRun r = run(changed.toArray(String[]::new));
        assertOneLineBadInput(r, "its " + field + " is ", "--resume");
        assertEquals(journal, Files.readString(out.resolve("journal.txt")), "a refused resume leaves the journal alone");
    }

    @Test
    void aJournalWithAnotherTokenizerIsRefused() throws IOException {
        Path tok = Fixtures.path("fixtures/gpt2-tokenizer");
        Path other = Files.createDirectories(tmp.resolve("tok2"));
        Files.copy(tok.resolve("vocab.json"), other.resolve("vocab.json"));
        Files.writeString(other.resolve("merges.txt"), Files.readString(tok.resolve("merges.txt")).replaceFirst("\n.*\n", "\n"));
        Path out = tmp.resolve("run");
        assertEquals(0, run(discover(out, "--tokenizer", tok.toString())).code());
        assertOneLineBadInput(run(discover(out, "--tokenizer", other.toString(), "--resume")), "its tokenizer is ");
    }

    @Test
    void realTracrTasksRefuseAJournalWithAnotherSeedOrScramble() {
        Path out = tmp.resolve("tracr");
        TaskSource.use(null);
        String[] base = {"discover", "--task", "tracr-reverse", "--threshold", "0.01", "--ablation", "resample", "--out", out.toString()};
        CliRun first = run(base);
        assertEquals(0, first.code(), first.err());
        assertOneLineBadInput(run(concat(base, "--seed", "1", "--resume")), "its seed is '0', this run's is '1'");
        assertOneLineBadInput(run(concat(base, "--no-scramble-positions", "--resume")), "its scramble_positions is 'true', this run's is 'false'");
        assertEquals(0, run(concat(base, "--resume")).code(), "the same settings resume");
    }

    @Test
    void circuitJsonRecordsTheRunDescription() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, run(discover(out, "--seed", "2")).code());
        JsonObject run = JsonParser.parseString(Files.readString(out.resolve("circuit.json"))).getAsJsonObject().getAsJsonObject("run");
        for (String k : List.of("task", "model", "tokenizer", "seed", "scramble_positions", "data", "inputs", "metric", "ablation", "threshold",
                "abs_value", "sender_order", "reference", "receiver_budget", "graph")) {
            assertTrue(run.has(k), "circuit.json run has no " + k + ": " + run);
        }
        assertEquals("2", run.get("seed").getAsString());
        assertEquals("0.003", run.get("threshold").getAsString());
        assertTrue(run.get("model").getAsString().startsWith("sha256:"));
        assertTrue(Files.readString(out.resolve("journal.txt")).startsWith("# acdc-journal v2 " + run), "the journal records the same");
    }

    // ------------------------------------------------------------------ problem 2: torn, cut and damaged lines

    /** Every cut of the journal a kill could leave (at a line end, inside a number, inside the checksum). */
    @Test
    void aJournalCutAnywhereResumesToTheCircuitOfAnUninterruptedRun() throws IOException {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(discover(whole)).code());
        String expected = edges(whole);
        byte[] journal = Files.readAllBytes(whole.resolve("journal.txt"));
        List<Integer> cuts = new ArrayList<>();
        int headerEnd = indexOf(journal, (byte) '\n', 0) + 1;
        cuts.add(0);
        cuts.add(headerEnd / 2);
        for (int i = headerEnd, line = 0; i < journal.length; line++) {
            int end = indexOf(journal, (byte) '\n', i) + 1;
            cuts.add(end);                         // a whole line
            if (line % 3 == 0) {
                cuts.add(i + (end - i) / 2);       // inside the metric
                cuts.add(end - 3);                 // inside the checksum
            }
            i = end;
        }
        for (int cut : cuts) {
            Path dir = Files.createDirectories(tmp.resolve("cut" + cut));
            Files.write(dir.resolve("journal.txt"), Arrays.copyOf(journal, cut));
            CliRun r = run(discover(dir, "--resume"));
            assertEquals(0, r.code(), "cut at byte " + cut + ": " + r.err());
            assertEquals(expected, edges(dir), "cut at byte " + cut);
            assertValidJournal(dir.resolve("journal.txt"), journal);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a field cut off the end           | CUT_FIELD",
            "a number cut to fewer digits      | SHORT_NUMBER",
            "NaN as the new metric             | NAN",
            "Infinity as the effect            | INFINITY",
            "a flipped decision                | FLIP",
            "NUL bytes in the middle           | NULS",
            "a duplicated line                 | DUPLICATE",
    })
    void aDamagedLineEndsTheReplayThereAndTheRunDecidesTheRestAgain(String what, String damage) throws IOException {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(discover(whole)).code());
        String expected = edges(whole);
        List<String> lines = new ArrayList<>(Files.readAllLines(whole.resolve("journal.txt")));
        int at = lines.size() / 2;
        String[] f = lines.get(at).split(" ");
        switch (damage) {
            case "CUT_FIELD" -> lines.set(at, f[0] + " " + f[1] + " " + f[2] + " " + f[4]);
            case "SHORT_NUMBER" -> lines.set(at, f[0] + " " + f[1] + " " + f[2].substring(0, Math.min(f[2].length(), 7)) + " " + f[3] + " " + f[4]);
            case "NAN" -> lines.set(at, f[0] + " " + f[1] + " NaN " + f[3] + " " + f[4]);
            case "INFINITY" -> lines.set(at, f[0] + " " + f[1] + " " + f[2] + " Infinity " + f[4]);
            case "FLIP" -> lines.set(at, f[0] + " " + (f[1].equals("1") ? "0" : "1") + " " + f[2] + " " + f[3] + " " + f[4]);
            case "NULS" -> lines.set(at, "\0".repeat(40));
            case "DUPLICATE" -> lines.add(at, lines.get(at - 1));
            default -> throw new IllegalArgumentException(damage);
        }
        Path dir = Files.createDirectories(tmp.resolve("damaged"));
        Files.write(dir.resolve("journal.txt"), lines);
        CliRun r = run(discover(dir, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("line " + (at + 1)), "says where the replay stopped: " + r.err());
        assertEquals(expected, edges(dir), what);
    }

    @Test
    void resumeNeverLeavesLessJournalThanItFoundWhenKilledAtItsFirstWrite() throws IOException {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(discover(whole)).code());
        byte[] journal = Files.readAllBytes(whole.resolve("journal.txt"));
        // a kill while the replacement was being written leaves the old journal and a partial file beside it
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        Files.write(dir.resolve("journal.txt"), journal);
        Files.write(dir.resolve(".journal.txt.tmp"), Arrays.copyOf(journal, journal.length / 3));
        CliRun r = run(discover(dir, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertEquals(edges(whole), edges(dir));
        assertArrayEquals(journal, Files.readAllBytes(dir.resolve("journal.txt")), "a complete journal is kept byte for byte");
        assertFalse(Files.exists(dir.resolve(".journal.txt.tmp")));
    }

    /**
     * The journal is replaced by a rename, never truncated and rewritten: a second name for the old file (a hard link)
     * still reads exactly what was there. The old code truncated it first, so a kill at that moment left 0 bytes.
     */
    @Test
    void resumeReplacesTheJournalByARenameNeverRewritingItInPlace() throws IOException {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(discover(whole)).code());
        List<String> lines = Files.readAllLines(whole.resolve("journal.txt"));
        Path dir = Files.createDirectories(tmp.resolve("linked"));
        Files.write(dir.resolve("journal.txt"), lines.subList(0, lines.size() / 2));
        byte[] before = Files.readAllBytes(dir.resolve("journal.txt"));
        Path link = Files.createLink(tmp.resolve("old-journal"), dir.resolve("journal.txt"));
        CliRun r = run(discover(dir, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(before, Files.readAllBytes(link), "the file that was there is untouched");
        assertEquals(edges(whole), edges(dir));
    }

    // ------------------------------------------------------------------ problem 4: a journal that contradicts the run

    @Test
    void aJournalOfAnOlderFormatIsOneLineAndExitTwo() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(dir.resolve("journal.txt"), "# acdc-journal task=fake-tiny method=acdc metric=kl_div ablation=resample"
                + " threshold=0.003 abs=false order=acdc reference=false\n17 1 0.1 0.0\n");
        assertOneLineBadInput(run(discover(dir, "--resume")), "older format");
    }

    @Test
    void aJournalThatContradictsTheGraphIsOneLineAndExitTwo() throws IOException {
        Path whole = tmp.resolve("whole");
        assertEquals(0, run(discover(whole)).code());
        List<String> lines = Files.readAllLines(whole.resolve("journal.txt"));
        String header = lines.get(0);
        // lines that pass their checksum (as a journal of a graph with other edge ids would) but name the wrong edge
        List<String> forged = new ArrayList<>(List.of(header));
        String[] f = lines.get(1).split(" ");
        String body = "99999 " + f[1] + " " + f[2] + " " + f[3];
        forged.add(body + " " + dev.acdc.discovery.AcdcJournal.checksum(header, 1, body));
        Path dir = Files.createDirectories(tmp.resolve("forged"));
        Files.write(dir.resolve("journal.txt"), forged);
        assertOneLineBadInput(run(discover(dir, "--resume")), "line 2", "99999", "contradicts");

        // a well-formed decision that the threshold contradicts
        String[] g = lines.get(1).split(" ");
        String flipped = g[0] + " " + (g[1].equals("1") ? "0" : "1") + " " + g[2] + " " + g[3];
        Files.write(dir.resolve("journal.txt"), List.of(header, flipped + " " + dev.acdc.discovery.AcdcJournal.checksum(header, 1, flipped)));
        assertOneLineBadInput(run(discover(dir, "--resume")), "line 2", "contradicts");
    }

    // ------------------------------------------------------------------ helpers

    /** The journal on disk is a prefix of the whole run's lines, every line complete. */
    private static void assertValidJournal(Path file, byte[] whole) throws IOException {
        byte[] now = Files.readAllBytes(file);
        assertTrue(now.length > 0 && now[now.length - 1] == '\n', "ends with a complete line");
        assertArrayEquals(whole, now, "a resumed run writes the same journal as an uninterrupted one");
        assertFalse(new String(now, StandardCharsets.UTF_8).contains("\0"));
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return a.length - 1;
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
