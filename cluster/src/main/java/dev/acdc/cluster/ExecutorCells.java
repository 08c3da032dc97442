package dev.acdc.cluster;

import dev.acdc.experiments.cells.CellJob;
import org.apache.spark.TaskContext;

import java.io.Serializable;

/**
 * What an executor does with a cell: computes it and hands back its result, or the error of a cell that fails by
 * itself. A {@link RuntimeException} from the computation is deterministic (the same job fails the same way on any
 * executor), so it comes back as the cell's error and is not retried; anything else (an {@link Error}, a lost
 * executor) fails the Spark task, which Spark retries up to {@code spark.task.maxFailures} times.
 *
 * <p>Test hook: the system property {@value #FAIL_PROPERTY} = {@code once:DESCRIPTION} makes the first attempt of that
 * cell's task die after the cell is computed and before its result leaves the executor (as a killed executor would);
 * {@code always:DESCRIPTION} makes the cell throw, as a cell that fails deterministically does.
 */
final class ExecutorCells {

    static final String FAIL_PROPERTY = "acdc.cluster.injectFailure";

    /** A cell's result or its error: exactly one is non-null. */
    record Outcome(String json, String error) implements Serializable {}

    /** Thrown by the test hook: fails the Spark task without being deterministic (it is an {@link Error}, so not caught). */
    static final class InjectedTaskFailure extends Error {
        InjectedTaskFailure(String message) {
            super(message);
        }
    }

    /** How many task attempts the test hook has failed in this JVM (tests: the loss did happen). */
    static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private ExecutorCells() {}

    static Outcome compute(CellJob job) {
        String hook = System.getProperty(FAIL_PROPERTY, "");
        String json;
        try {
            if (hook.equals("always:" + job.description())) throw new IllegalStateException("injected failure of " + job.description());
            json = job.compute(line -> {});
        } catch (RuntimeException e) {
            return new Outcome(null, SparkContexts.oneLine(e));
        }
        TaskContext task = TaskContext.get();
        if (hook.equals("once:" + job.description()) && task != null && task.attemptNumber() == 0) {
            INJECTED.incrementAndGet();
            throw new InjectedTaskFailure("injected loss of the task computing " + job.description() + " (attempt 0)");
        }
        return new Outcome(json, null);
    }
}
