/**
 * A sweep's cells as jobs: {@link dev.acdc.experiments.cells.CellJob} (a serializable description that computes itself
 * to JSON on whichever JVM runs it), {@link dev.acdc.experiments.cells.CellRunner} (the local runner, today's
 * behaviour and the default, or a {@link dev.acdc.experiments.cells.ClusterEngine}'s, found by
 * {@link java.util.ServiceLoader} only when {@code --engine} names one), {@link dev.acdc.experiments.cells.CellJournal}
 * (each finished cell's result written as it completes, beside the output directory, for {@code --resume}),
 * {@link dev.acdc.experiments.cells.SweepCell} (a cell whose method is a sweep of independent runs: each run a job of
 * its own, {@link dev.acdc.experiments.cells.SweepRun}, computed first, then the cell from its runs' results,
 * {@link dev.acdc.experiments.cells.SweepRuns}),
 * {@link dev.acdc.experiments.cells.TaskCache} (an executor builds each task's model once),
 * {@link dev.acdc.experiments.cells.GradientMethods} (gradient jobs one at a time per JVM), {@link
 * dev.acdc.experiments.cells.CellJson} (the one JSON form of every job's result), and the executor's side of
 * ACDC's remote speculative tests ({@link dev.acdc.experiments.cells.RemovalJob},
 * {@link dev.acdc.experiments.cells.RemovalWorker}), and {@link dev.acdc.experiments.cells.ClusterUnavailableException}
 * (an engine that can run nothing more: one line, exit 1, what finished kept for {@code --resume}).
 *
 * <p>Invariants: a job holds values only, never a loaded model; computing it is deterministic, so a retried or
 * resumed cell is the cell; a report is assembled from the per-cell results in the jobs' order, whatever order they
 * finished in. Nothing here refers to Spark.
 */
package dev.acdc.experiments.cells;
