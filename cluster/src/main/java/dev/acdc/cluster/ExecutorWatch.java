package dev.acdc.cluster;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Whether the jobs a driver waits for can still run. Spark itself never gives up on a job for want of executors: when
 * the only standalone worker is lost, its tasks go back to the queue and the driver waits, silently and for ever, for
 * an executor that may never come (measured: a {@code reproduce} whose worker was killed printed "Lost executor 0 …
 * worker lost" and then nothing). And when the master removes the application (its executors keep failing to start)
 * the context stops and every pending job fails with a stack trace of "Cannot call methods on a stopped SparkContext".
 * The runners poll this while they wait and turn both into one line that says what happened and what to do.
 *
 * <p>With a cluster master, no executor for {@value #NOTICE_SECONDS} s is said once ({@code log}); none for
 * {@code spark.acdc.executorWait} (default {@value #DEFAULT_WAIT}; 0: wait for ever) is a {@link #problem()}. A local
 * master's executors are threads of this JVM and cannot be lost that way.
 */
final class ExecutorWatch {

    /** The Spark setting (a Spark duration, e.g. {@code 10min}) for how long a run waits without an executor. */
    static final String WAIT_KEY = "spark.acdc.executorWait";
    static final String DEFAULT_WAIT = "120s";
    /** Longer than an executor takes to start and register (seconds), so that an ordinary start says nothing. */
    static final int NOTICE_SECONDS = 15;

    /**
     * Why nothing runs once the context stopped by itself. The likeliest cause on a standalone cluster, measured: a worker
     * started without a Spark installation cannot build its executors' command and the master removes the application.
     */
    static final String STOPPED = "Spark stopped the application (its reason is logged above: 'Master removed our application:"
            + " FAILED' when no executor could start; a worker needs SPARK_HOME with Spark's jars in SPARK_HOME/jars, and"
            + " SPARK_SCALA_VERSION=2.13 where that is no Spark distribution, or its log says 'Cannot find any build directories')";

    private final SparkContext sc;
    private final boolean cluster;
    private final long waitSeconds;
    private final Consumer<String> log;
    private final LongSupplier clock;
    private long noneSince = -1;
    private boolean told;

    ExecutorWatch(SparkContext sc, Consumer<String> log) {
        this(sc, !Masters.isLocal(sc.master()), waitSeconds(sc.getConf()), log, System::nanoTime);
    }

    ExecutorWatch(SparkContext sc, boolean cluster, long waitSeconds, Consumer<String> log, LongSupplier clock) {
        this.sc = sc;
        this.cluster = cluster;
        this.waitSeconds = waitSeconds;
        this.log = log;
        this.clock = clock;
    }

    static long waitSeconds(SparkConf conf) {
        try {
            return conf.getTimeAsSeconds(WAIT_KEY, DEFAULT_WAIT);
        } catch (RuntimeException e) {
            throw new dev.acdc.experiments.BadInputException(WAIT_KEY + "=" + conf.get(WAIT_KEY, "") + ": expected a duration such as 120s or 10min");
        }
    }

    /**
     * Null while the pending jobs can still run; otherwise one line saying why they cannot (the application stopped, or
     * no executor for the wait), ending with what to do.
     */
    String problem() {
        if (sc.isStopped()) return STOPPED + "; fix that and rerun with --resume";
        if (!cluster) return null;
        if (!sc.getExecutorIds().isEmpty()) {
            noneSince = -1;
            told = false;
            return null;
        }
        long now = clock.getAsLong();
        if (noneSince < 0) noneSince = now;
        long none = TimeUnit.NANOSECONDS.toSeconds(now - noneSince);
        if (!told && none >= NOTICE_SECONDS) {
            told = true;
            log.accept("spark: no executor is running for this application (a worker was lost, or none has the cores and"
                    + " memory it asks for); " + (waitSeconds > 0 ? "waiting up to " + waitSeconds + " s for one (" + WAIT_KEY + ")"
                    : "waiting for one (" + WAIT_KEY + "=0)"));
        }
        if (waitSeconds > 0 && none >= waitSeconds) {
            return "no Spark executor for " + waitSeconds + " s (a worker was lost, or none has the cores and memory asked for):"
                    + " not run; start a worker (the finished results are kept) and rerun with --resume";
        }
        return null;
    }
}
