package dev.acdc.cluster;

import dev.acdc.experiments.Progress;
import dev.acdc.experiments.cells.CellJob;
import dev.acdc.experiments.cells.CellOutcome;
import dev.acdc.experiments.cells.CellRunner;
import dev.acdc.experiments.cells.ClusterUnavailableException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Cells on Spark executors: one Spark job of one task per cell, all submitted at once, so that the scheduler fills
 * every executor slot and a cell's outcome reaches the caller the moment its job ends (one job for all cells would
 * hand back nothing until the last one finished). Spark retries a failed task on another attempt; a job that still
 * fails is the cell's {@link CellOutcome.Failed}, and the other cells go on. When nothing more can run (the
 * application stopped, or no executor for {@code spark.acdc.executorWait}: {@link ExecutorWatch}) the cells not yet
 * finished fail with that reason, so the command ends, reports what finished and keeps it for {@code --resume}.
 */
final class SparkCellRunner implements CellRunner {

    /** How often the driver looks for finished jobs: far below a cell's seconds, far above the check's cost. */
    private static final long POLL_MILLIS = 20;

    private final SparkContexts spark;

    SparkCellRunner(SparkContexts spark) {
        this.spark = spark;
    }

    @Override
    public void run(List<? extends CellJob> jobs, Progress progress, int firstNumber, Consumer<CellOutcome> sink) {
        JavaSparkContext sc = spark.context();
        Map<JavaFutureAction<List<ExecutorCells.Outcome>>, CellJob> pending = new LinkedHashMap<>();
        try {
            for (CellJob job : jobs) {
                sc.setJobDescription(job.description());
                List<CellJob> one = new ArrayList<>(List.of(job));
                pending.put(sc.parallelize(one, 1).map(ExecutorCells::compute).collectAsync(), job);
            }
        } catch (IllegalStateException e) {
            // the master removed the application before its cells were submitted (its executors could not start)
            if (!sc.sc().isStopped()) throw e;
            for (var f : pending.keySet()) f.cancel(true);
            throw new ClusterUnavailableException(ExecutorWatch.STOPPED + "; no cell ran");
        }
        sc.setJobDescription(null);
        progress.update(firstNumber - 1, jobs.size() + " cells submitted");
        ExecutorWatch watch = new ExecutorWatch(sc.sc(), progress::println);
        try {
            while (!pending.isEmpty()) {
                String problem = watch.problem();
                if (problem != null) {
                    // nothing more will run: what finished is kept, every other cell fails with the reason (the caller
                    // keeps the journal, and --resume computes those cells once the cluster is back)
                    for (var e : pending.entrySet()) {
                        JavaFutureAction<List<ExecutorCells.Outcome>> f = e.getKey();
                        // a job that ended by itself keeps its outcome, unless the stopped context is what ended it
                        boolean ownOutcome = f.isDone() && !f.isCancelled() && (succeeded(f) || !sc.sc().isStopped());
                        if (!ownOutcome) f.cancel(true);
                        sink.accept(ownOutcome ? outcome(e.getValue(), f) : new CellOutcome.Failed(e.getValue(), problem));
                    }
                    pending.clear();
                    break;
                }
                boolean any = false;
                for (Iterator<Map.Entry<JavaFutureAction<List<ExecutorCells.Outcome>>, CellJob>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getKey().isDone()) continue;
                    if (sc.sc().isStopped() && !succeeded(e.getKey())) continue;   // the watch says why, next round
                    it.remove();
                    any = true;
                    sink.accept(outcome(e.getValue(), e.getKey()));
                }
                if (!any) Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + pending.size() + " cells", e);
        } finally {
            for (var f : pending.keySet()) f.cancel(true);   // the caller gave up (an exception in sink): stop the rest
        }
    }

    private static boolean succeeded(JavaFutureAction<?> done) {
        try {
            done.get();
            return true;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static CellOutcome outcome(CellJob job, JavaFutureAction<List<ExecutorCells.Outcome>> done) {
        try {
            ExecutorCells.Outcome o = done.get().get(0);
            return o.error() == null ? new CellOutcome.Finished(job, o.json()) : new CellOutcome.Failed(job, o.error());
        } catch (ExecutionException e) {
            // retries exhausted, or the job aborted: Spark's message names the last attempt's error
            return new CellOutcome.Failed(job, SparkContexts.oneLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CellOutcome.Failed(job, "interrupted");
        }
    }

    @Override
    public void close() {
        spark.stopIfOwned();
    }
}
