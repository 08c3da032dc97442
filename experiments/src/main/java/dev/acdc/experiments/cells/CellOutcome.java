package dev.acdc.experiments.cells;

/** What a runner hands back for one job: its result, or why it failed. */
public sealed interface CellOutcome {

    CellJob job();

    /** @param json the job's result, as {@link CellJob#compute} returned it */
    record Finished(CellJob job, String json) implements CellOutcome {}

    /** @param error one line: the exception's class and message, or the engine's reason (retries exhausted, …) */
    record Failed(CellJob job, String error) implements CellOutcome {}
}
