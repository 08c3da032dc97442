package dev.acdc.experiments.bench;

import dev.acdc.experiments.BadInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The {@code startup} suite: the real CLI ({@code bin/acdc}) run as separate processes, as a user runs it, so the figure
 * is the whole process (JVM start, class loading, the command, exit) that the Python reference's 2.6–2.9 s compares
 * with. Each command runs once to warm up (that run also writes the launcher's class-data archive after a build, and
 * fills the page cache), then {@code repeats} times; the median is reported. Every run has a time limit, and every
 * output directory lives in one temporary directory that is removed at the end.
 */
final class StartupBench {

    /** A run that takes longer than this is killed and the suite fails: no start-up figure is worth a hung bench. */
    static final long RUN_LIMIT_SECONDS = 300;

    /** A command to time: its figure's name and its arguments; {@code {out}} stands for a fresh output directory. */
    record Command(String figure, List<String> args) {}

    static final List<Command> COMMANDS = List.of(
            new Command("startup_discover_tracr_seconds",
                    List.of("discover", "--task", "tracr-reverse", "--threshold", "1e-5", "--ablation", "zero", "--out", "{out}")),
            new Command("startup_help_seconds", List.of("--help")),
            new Command("startup_discover_induction_seconds",
                    List.of("discover", "--task", "induction", "--threshold", "0.1", "--out", "{out}")));

    private final Map<String, Object> figures;
    private final Consumer<String> say;

    StartupBench(Map<String, Object> figures, Consumer<String> say) {
        this.figures = figures;
        this.say = say;
    }

    /**
     * The launcher of the build this bench runs from: {@code bin/acdc} beside the {@code experiments/target} that holds
     * this class's jar; null when this class was not loaded from such a build (e.g. from a test's class directory).
     */
    static Path defaultLauncher() {
        try {
            Path codeSource = Path.of(StartupBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = codeSource.getParent(); p != null; p = p.getParent()) {
                Path launcher = p.resolve("bin").resolve("acdc");
                if (Files.isRegularFile(launcher) && Files.isRegularFile(p.resolve("pom.xml"))) return launcher;
            }
        } catch (Exception e) {
            // no code source, or not a file: no default launcher
        }
        return null;
    }

    /** Checks the launcher before anything runs: it must be an executable file. */
    static Path checkLauncher(Path launcher) {
        if (launcher == null) {
            throw new BadInputException("startup: no bin/acdc found beside this build; give --launcher PATH");
        }
        if (!Files.isRegularFile(launcher) || !Files.isExecutable(launcher)) {
            throw new BadInputException("--launcher " + launcher + ": not an executable file");
        }
        return launcher.toAbsolutePath();
    }

    void run(Path launcher, int repeats) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("acdc-bench-startup");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("startup: cannot create a temporary directory", e);
        }
        try {
            int[] runs = {0};
            for (Command c : COMMANDS) {
                // the first run warms up; its time is not counted
                Timing t = Timing.measure(1, repeats, () -> runOnce(launcher, c, tmp, runs[0]++));
                figures.put(c.figure(), t.median());
                say.accept(String.format(java.util.Locale.ROOT, "%s (acdc %s): %s", c.figure(), String.join(" ", c.args()), t));
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static void runOnce(Path launcher, Command c, Path tmp, int index) throws IOException, InterruptedException {
        Path out = tmp.resolve("run-" + index);
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        for (String a : c.args()) cmd.add(a.equals("{out}") ? out.toString() : a);
        Path log = tmp.resolve("run-" + index + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("startup: 'acdc " + String.join(" ", c.args()) + "' ran over " + RUN_LIMIT_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            String tail = text.length() > 500 ? "…" + text.substring(text.length() - 500) : text;
            throw new IllegalStateException("startup: 'acdc " + String.join(" ", c.args()) + "' exited " + p.exitValue() + ": " + tail);
        }
        deleteTree(out);   // one run's files at a time
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: a file that cannot be removed stays in the system's temporary directory
        }
    }
}
