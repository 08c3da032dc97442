package dev.acdc.experiments.discover;

import dev.acdc.experiments.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A tracr discover needs no native engine: run in a JVM whose classpath has no DJL PyTorch jars at all, it succeeds and
 * writes the same circuit.json as the engine-built path (timings aside). The same JVM fails a KL run, which does need
 * the engine: proof that the engine really is absent there.
 */
class DiscoverWithoutEngineTest {

    private static final List<String> ZERO_REVERSE = List.of("discover", "--task", "tracr-reverse", "--threshold", "1e-5",
            "--ablation", "zero");

    /** This test JVM's classpath (surefire may hand it over in a property instead of java.class.path). */
    private static List<String> classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) cp = System.getProperty("java.class.path");
        return Arrays.asList(cp.split(File.pathSeparator));
    }

    private static boolean isEngine(String entry) {
        String name = Path.of(entry).getFileName().toString();
        return name.startsWith("pytorch-engine") || name.startsWith("pytorch-native") || name.startsWith("pytorch-jni");
    }

    private record Proc(int code, String output) {}

    private static Proc runWithoutEngine(Path dir, List<String> args) throws Exception {
        List<String> all = classpath();
        String cp = all.stream().filter(e -> !isEngine(e)).collect(Collectors.joining(File.pathSeparator));
        assertTrue(all.stream().anyMatch(DiscoverWithoutEngineTest::isEngine), "the test classpath should hold the engine jars: " + all);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-cp", cp, "dev.acdc.experiments.AcdcCli"));
        cmd.addAll(args);
        Path log = dir.resolve("log-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run finishes");
        return new Proc(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** circuit.json without its two wall-clock fields. */
    private static String withoutTimings(Path circuit) throws Exception {
        return Files.readAllLines(circuit, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.contains("\"seconds\"") && !l.contains("\"acdc_seconds\""))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void tracrDiscoverRunsWithNoEngineOnTheClasspathAndFindsTheSameCircuit(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(ZERO_REVERSE);
        args.addAll(List.of("--out", dir.resolve("java").toString()));
        Proc java = runWithoutEngine(dir, args);
        assertEquals(0, java.code(), java.output());
        assertTrue(java.output().contains("15/106 edges kept"), java.output());

        String before = System.getProperty(TaskRun.WITHOUT_ENGINE_PROPERTY);
        CliRun engine;
        try {
            System.setProperty(TaskRun.WITHOUT_ENGINE_PROPERTY, "off");
            List<String> a = new ArrayList<>(ZERO_REVERSE);
            a.addAll(List.of("--out", dir.resolve("engine").toString()));
            engine = CliRun.run(a.toArray(String[]::new));
        } finally {
            if (before == null) System.clearProperty(TaskRun.WITHOUT_ENGINE_PROPERTY);
            else System.setProperty(TaskRun.WITHOUT_ENGINE_PROPERTY, before);
        }
        assertEquals(0, engine.code(), engine.err());
        assertEquals(withoutTimings(dir.resolve("engine/circuit.json")), withoutTimings(dir.resolve("java/circuit.json")));
        assertEquals(Files.readString(dir.resolve("engine/journal.txt")), Files.readString(dir.resolve("java/journal.txt")));
    }

    @Test
    void aRunThatNeedsTheEngineFailsThere(@TempDir Path dir) throws Exception {
        Proc kl = runWithoutEngine(dir, List.of("discover", "--task", "tracr-reverse", "--threshold", "1e-3", "--metric", "kl",
                "--out", dir.resolve("kl").toString()));
        assertNotEquals(0, kl.code(), "KL scores NDArrays, so without the engine it cannot run: " + kl.output());
        assertTrue(kl.output().contains("engine not found"), kl.output());
    }
}
