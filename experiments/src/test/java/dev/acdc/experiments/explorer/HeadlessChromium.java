package dev.acdc.experiments.explorer;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real browser for the explorer's tests: Chromium in headless mode, one process per page, made to survive a
 * container run as root ({@code --no-sandbox}, a fresh {@code --user-data-dir} per run, no GPU) and bounded in time (its
 * whole process tree is killed at the timeout). {@code --virtual-time-budget} lets the page's scripts and its first
 * frames run before the DOM is dumped or the screenshot taken.
 *
 * <p>Found as the system property {@code acdc.chromium} (a path), else {@code chromium}, {@code chromium-browser},
 * {@code google-chrome} on the PATH. Where none is found, {@link #require()} fails the test when the system property
 * {@code acdc.browser.required} is {@code true} (CI installs Chromium and sets it) and skips it otherwise, saying why.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;
    private static final int VIRTUAL_TIME_MS = 5000;

    private final Path executable;

    private HeadlessChromium(Path executable) {
        this.executable = executable;
    }

    /** The browser, or the test skipped (or failed, when a browser is required) with the reason. */
    static HeadlessChromium require() {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            String given = System.getProperty("acdc.chromium");
            String why = (given != null && !given.isBlank() ? "acdc.chromium=" + given + " is not an executable file"
                    : "no Chromium found (chromium, chromium-browser, google-chrome on the PATH, or the system property acdc.chromium)")
                    + "; install it with 'apt-get install chromium' to run the explorer's browser tests";
            if (Boolean.getBoolean("acdc.browser.required")) {
                throw new AssertionError(why + " (acdc.browser.required=true: this run needs them)");
            }
            Assumptions.abort(why);
        }
        return new HeadlessChromium(found.get());
    }

    static Optional<Path> find() {
        String given = System.getProperty("acdc.chromium");
        if (given != null && !given.isBlank()) return Optional.of(Path.of(given)).filter(Files::isExecutable);
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The page's DOM after its scripts ran, as Chromium serialises it. */
    String dumpDom(Path page, String fragment) throws IOException {
        Path work = Files.createTempDirectory("acdc-chromium-");
        try {
            Path out = work.resolve("dom.html");
            run(work, out, "--dump-dom", url(page, fragment));
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            deleteRecursively(work);
        }
    }

    /** A PNG screenshot of the page at the given window size. */
    void screenshot(Path page, String fragment, Path png, int width, int height) throws IOException {
        Path work = Files.createTempDirectory("acdc-chromium-");
        try {
            run(work, work.resolve("stdout.txt"), "--hide-scrollbars", "--window-size=" + width + "," + height,
                    "--screenshot=" + png.toAbsolutePath(), url(page, fragment));
            if (!Files.isRegularFile(png)) throw new AssertionError("chromium wrote no screenshot to " + png);
        } finally {
            deleteRecursively(work);
        }
    }

    private static String url(Path page, String fragment) {
        return page.toAbsolutePath().toUri() + (fragment == null ? "" : "#" + fragment);
    }

    private void run(Path work, Path stdout, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--user-data-dir=" + work.resolve("profile"), "--virtual-time-budget=" + VIRTUAL_TIME_MS));
        cmd.addAll(List.of(args));
        Path stderr = work.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                kill(p);
                throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s: " + cmd + "\n" + tail(stderr));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while chromium ran", e);
        }
        if (p.exitValue() != 0) throw new AssertionError("chromium exited " + p.exitValue() + ": " + cmd + "\n" + tail(stderr));
    }

    /** The launcher script and every renderer, GPU and zygote process under it. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path f) {
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a profile file still held by a dying renderer: a leftover in the temp directory, not a test failure
        }
    }
}
