package dev.acdc.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.acdc.cluster.SparkReproduceTest.Run;
import static dev.acdc.cluster.SparkReproduceTest.acdc;
import static dev.acdc.cluster.SparkReproduceTest.assertSameReport;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code reproduce --engine spark} on Spark's {@code local-cluster}: a standalone master and worker in this JVM whose
 * executor is a separate JVM, started by the worker from {@code SPARK_HOME/jars} as on a real cluster. That directory
 * (set by surefire) gets Spark's jars and its dependencies only, not the project's nor DJL's, so every class the cells
 * need reaches the executor through {@code spark.jars} ({@link SparkContexts#jarsForExecutors}) or the cells fail.
 */
class SparkLocalClusterTest {

    static final String MASTER = "local-cluster[1,2,1024]";

    @TempDir
    Path tmp;

    @Test
    void anExecutorInItsOwnJvmGetsTheProjectsJarsSurvivesBeingKilledAndWritesTheSameReportAsTheLocalRunner() throws Exception {
        Path sparkHome = Path.of(String.valueOf(System.getenv("SPARK_HOME")));
        int sparkJars = fillSparkHome(sparkHome);
        assertTrue(sparkJars > 50, "Spark's jars: " + sparkJars);

        List<String> common = List.of("reproduce", "--tasks", "tracr-reverse", "--quick", "--methods", "acdc,eap");
        Path local = tmp.resolve("local"), cluster = tmp.resolve("cluster");
        Run l = acdc(with(common, "--out", local.toString()));
        assertEquals(0, l.code(), l.err());

        // the executor JVM is killed (as the kernel's OOM killer or a node failure would) while it runs its first cell;
        // the worker starts another, Spark retries the lost tasks on it, and the run finishes every cell
        var run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> acdc(with(common, "--engine", "spark", "--master", MASTER, "--out", cluster.toString())));
        ProcessHandle executor = firstExecutorOnceItRunsATask(sparkHome.resolve("work"), run);
        executor.destroyForcibly();
        Run c = run.get(170, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, c.code(), c.err());
        List<String> executorDirs;
        try (Stream<Path> apps = Files.list(sparkHome.resolve("work"))) {
            Path app = apps.findFirst().orElseThrow();
            try (Stream<Path> s = Files.list(app)) {
                executorDirs = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }
        assertEquals(List.of("0", "1"), executorDirs, "the killed executor 0 and the one the worker started in its place");
        assertSameReport(local, cluster);

        // each executor ran in its own directory under the worker's, where Spark fetched what spark.jars listed
        List<Path> fetched;
        try (Stream<Path> s = Files.walk(sparkHome.resolve("work"))) {
            fetched = s.filter(p -> p.getFileName().toString().endsWith(".jar")).toList();
        }
        assertTrue(fetched.stream().anyMatch(p -> p.getFileName().toString().contains("experiments")), "shipped: " + fetched);
        assertTrue(fetched.stream().anyMatch(p -> p.getFileName().toString().startsWith("api-")), "DJL's api jar shipped: " + fetched);
        // and nothing of Spark's own, which the executor has from SPARK_HOME/jars (half of what it fetched before)
        assertTrue(fetched.stream().map(p -> p.getFileName().toString()).noneMatch(n -> n.startsWith("spark-")
                || n.startsWith("rocksdbjni") || n.startsWith("hadoop-client") || n.startsWith("netty-")), "Spark's jars shipped: " + fetched);
    }

    @Test
    @org.junit.jupiter.api.Timeout(90)
    void withNoExecutorTheCellsFailAfterTheWaitWithOneReasonAndTheJournalIsKeptForResume() throws Exception {
        fillSparkHome(Path.of(String.valueOf(System.getenv("SPARK_HOME"))));
        // an executor asks for more cores than the only worker has: the master never starts one, as when the only
        // worker is lost; Spark alone would wait for ever
        System.setProperty("spark.executor.cores", "4");
        System.setProperty(ExecutorWatch.WAIT_KEY, "3s");
        Path out = tmp.resolve("starved");
        Run r;
        try {
            r = acdc(List.of("reproduce", "--tasks", "tracr-reverse", "--quick", "--methods", "eap", "--metrics", "l2",
                    "--engine", "spark", "--master", MASTER, "--out", out.toString()));
        } finally {
            System.clearProperty("spark.executor.cores");
            System.clearProperty(ExecutorWatch.WAIT_KEY);
        }
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("reproduce: cell tracr-reverse l2 resample eap failed: no Spark executor for 3 s"), r.err());
        assertTrue(r.err().contains("rerun with --resume"), r.err());
        assertTrue(Files.isDirectory(dev.acdc.experiments.cells.CellJournal.dirFor(out)), "the journal is kept for --resume");
    }

    /** The first executor JVM (a child of this one, started by the in-process worker), once its log says a task runs. */
    static ProcessHandle firstExecutorOnceItRunsATask(Path work, java.util.concurrent.Future<?> run) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && !run.isDone()) {
            if (Files.isDirectory(work)) {
                try (Stream<Path> s = Files.walk(work)) {
                    boolean running = s.filter(p -> p.getFileName().toString().equals("stderr")).anyMatch(p -> {
                        try {
                            return Files.readString(p).contains("Running task");
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    });
                    if (running) {
                        var executors = ProcessHandle.current().descendants()
                                .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).toList();
                        assertEquals(1, executors.size(), "one executor JVM: " + executors);
                        return executors.get(0);
                    }
                }
            }
            Thread.sleep(50);
        }
        fail("no executor ran a task" + (run.isDone() ? ": " + ((Run) run.get()).err() : " in 120 s"));
        return null;
    }

    /**
     * Links every jar of this JVM's class path into {@code SPARK_HOME/jars}, as a Spark installation has them, but the
     * project's own (its modules' classes) and DJL's, which a Spark installation lacks.
     */
    static int fillSparkHome(Path sparkHome) throws Exception {
        // surefire sets it (cluster/pom.xml); a run outside Maven must too, or the worker cannot start an executor
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("SPARK_HOME") != null && System.getenv("SPARK_SCALA_VERSION") != null,
                "SPARK_HOME and SPARK_SCALA_VERSION=2.13 are set by surefire (cluster/pom.xml) for local-cluster's worker");
        Path jars = sparkHome.resolve("jars");
        if (Files.exists(sparkHome)) {
            try (Stream<Path> s = Files.walk(sparkHome)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Files.createDirectories(jars);
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (!entry.endsWith(".jar") || entry.contains(File.separator + "ai" + File.separator + "djl" + File.separator)
                    || p.startsWith(Path.of("..").toAbsolutePath().normalize()) && p.toString().contains(File.separator + "target" + File.separator)) {
                continue;
            }
            Path link = jars.resolve(p.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, p);
                n++;
            }
        }
        return n;
    }

    static List<String> with(List<String> common, String... more) {
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of(more));
        return a;
    }
}
