package dev.acdc.experiments.output;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A second Java process on this test's classpath: the other writer of the concurrency tests. */
public final class ChildJvm {
    private ChildJvm() {}

    /** Starts {@code java -cp <this classpath> mainClass args…}, stderr merged into stdout. */
    public static Process start(Class<?> mainClass, String... args) throws IOException {
        return start(List.of("-Xmx1g"), mainClass, args);
    }

    /** As {@link #start(Class, String...)}, with these JVM options (heap size, collector). */
    public static Process start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Reads the child's output up to the first line that starts with {@code prefix} (blocking; no timing involved). */
    public static String awaitLine(Process p, String prefix) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith(prefix)) return line;
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child ended without printing '" + prefix + "':\n" + seen);
    }

    /** Everything the child prints until it ends, and its exit code, as "code\noutput". */
    public static String finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + "\n" + out;
    }
}
