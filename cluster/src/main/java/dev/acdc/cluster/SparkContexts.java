package dev.acdc.cluster;

import dev.acdc.experiments.BadInputException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The SparkContext a runner uses: one shared in this JVM ({@link #share}: a test class's, or an embedding program's),
 * which the runner then leaves running, or a new one it owns and stops.
 *
 * @param context the context
 * @param owned   whether the runner started it (and so stops it)
 */
record SparkContexts(JavaSparkContext context, boolean owned) {

    /** Retries of a failed task when nothing else is configured: Spark's own default for {@code spark.task.maxFailures}. */
    static final int DEFAULT_MAX_FAILURES = 4;

    /**
     * @param master the {@code --master} value, or null for the launcher's ({@code spark.master} set by spark-submit)
     */
    private static volatile JavaSparkContext shared;

    /**
     * Makes every runner of this JVM use {@code sc} (null: none) instead of starting its own, and leave it running: one
     * Spark start-up (seconds) for many commands, as a test class or a program that embeds the CLI wants.
     */
    static void share(JavaSparkContext sc) {
        shared = sc;
    }

    static SparkContexts open(String master, String appName) {
        JavaSparkContext active = shared;
        SparkConf conf = new SparkConf();   // picks up spark.* system properties, as spark-submit sets them
        int maxFailures = conf.getInt("spark.task.maxFailures", DEFAULT_MAX_FAILURES);
        String wanted = master != null ? master : conf.getOption("spark.master").getOrElse(() -> null);
        if (active != null && !active.sc().isStopped()) {
            String running = active.master();
            if (wanted != null && !Masters.isLocal(wanted)) Masters.check(wanted);   // an unreachable master says so first
            if (wanted != null && !running.equals(wanted) && !running.equals(Masters.normalise(wanted, maxFailures))) {
                throw Masters.bad(wanted, "this JVM already runs a SparkContext for " + running + "; give that master or none");
            }
            return new SparkContexts(active, false);
        }
        if (wanted == null) {
            throw new BadInputException("--engine spark: no --master given and none set by spark-submit; give --master local[N],"
                    + " spark://HOST:PORT or k8s://https://HOST:PORT");
        }
        Masters.check(wanted);
        String normalised = Masters.normalise(wanted, maxFailures);
        conf.setMaster(normalised).setAppName(appName).setIfMissing("spark.ui.showConsoleProgress", "false");
        if (Masters.isLocal(normalised)) {
            // the executors are threads of this JVM: no web UI, no ports beyond the loopback
            conf.setIfMissing("spark.ui.enabled", "false").setIfMissing("spark.driver.host", "127.0.0.1")
                    .setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        } else if (!conf.contains("spark.jars")) {
            // started by bin/acdc rather than spark-submit: the executors need our classes and libraries
            conf.set("spark.jars", String.join(",", jarsForExecutors()));
        }
        try {
            return new SparkContexts(new JavaSparkContext(conf), true);
        } catch (RuntimeException e) {
            throw Masters.bad(wanted, "Spark could not start (" + oneLine(e) + ")");
        }
    }

    /** The names of the jars the CLI runs on, written by the experiments module's build (its runtime class path). */
    static final String RUNTIME_JARS = "META-INF/acdc/runtime-jars.txt";

    /**
     * What executors need beyond their Spark installation: the jars of this JVM's class path that the CLI runs on
     * ({@value #RUNTIME_JARS}: the project's modules, DJL and its PyTorch native library, the tokenizers, …) and the
     * jars of this module and the CLI's, but not Spark's nor its dependencies, which a cluster's executors have (they
     * were half of the 360 MB every executor fetched). Without that list (a build that did not write it), every jar but
     * Spark's and Scala's own. A class-path directory (an IDE's or a Maven reactor's {@code target/classes}) is packed
     * into a jar of its own first: Spark ships files, and an executor given a directory's path would find nothing there.
     */
    static List<String> jarsForExecutors() {
        Set<String> runtime = runtimeJarNames();
        Set<Path> ours = new HashSet<>();
        for (Class<?> c : List.of(SparkContexts.class, dev.acdc.experiments.cells.CellJob.class)) {
            try {
                ours.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize());
            } catch (Exception e) {
                // no code source (a custom class loader): that jar is then shipped only if the rules below take it
            }
        }
        List<String> jars = new ArrayList<>();
        Path packed = null;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            File file = new File(entry);
            String name = file.getName();
            if (entry.endsWith(".jar")) {
                boolean ship = runtime == null ? !name.startsWith("spark-") && !name.startsWith("scala-")
                        : runtime.contains(name) || ours.contains(file.toPath().toAbsolutePath().normalize());
                if (ship) jars.add(file.getAbsolutePath());
            } else if (file.isDirectory()) {
                try {
                    if (packed == null) {
                        packed = Files.createTempDirectory("acdc-spark-jars");
                        packed.toFile().deleteOnExit();
                    }
                    Path jar = packed.resolve(jars.size() + "-" + jarName(file.toPath()) + ".jar");
                    packDirectory(file.toPath(), jar);
                    jar.toFile().deleteOnExit();
                    jars.add(jar.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException("packing the class-path directory " + entry + " into a jar for Spark's executors", e);
                }
            }
        }
        return jars;
    }

    /** The file names listed in {@value #RUNTIME_JARS}, or null when there is no such resource. */
    static Set<String> runtimeJarNames() {
        try (var in = SparkContexts.class.getClassLoader().getResourceAsStream(RUNTIME_JARS)) {
            if (in == null) return null;
            Set<String> names = new HashSet<>();
            for (String item : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("[,\\s]+")) {
                if (!item.isBlank()) names.add(Path.of(item).getFileName().toString());
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RUNTIME_JARS, e);
        }
    }

    /** {@code experiments-classes} for {@code experiments/target/classes}: readable in an executor's directory. */
    private static String jarName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path target = abs.getParent(), module = target == null ? null : target.getParent();
        String base = module != null && target.getFileName().toString().equals("target") ? module.getFileName() + "-" + abs.getFileName()
                : String.valueOf(abs.getFileName());
        return base.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    static void packDirectory(Path dir, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path f : files) {
                out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return m.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    void stopIfOwned() {
        if (owned) context.stop();
    }
}
