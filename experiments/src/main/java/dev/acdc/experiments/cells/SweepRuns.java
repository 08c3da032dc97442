package dev.acdc.experiments.cells;

import dev.acdc.experiments.Progress;

import java.io.PrintWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The first round of a command whose cells may be sweeps ({@link SweepCell}): the runs of every cell as jobs, then
 * each cell with its runs' results, ready for the second round.
 */
public final class SweepRuns {
    private SweepRuns() {}

    /** The runs of every cell, cell by cell in run order. */
    public static List<SweepRun> of(List<? extends SweepCell> cells) {
        List<SweepRun> runs = new ArrayList<>();
        for (SweepCell c : cells) {
            int n = c.runs();
            IntStream.range(0, n).forEach(i -> runs.add(new SweepRun(c, i, n)));
        }
        return runs;
    }

    /**
     * Computes the runs that are neither finished nor of a finished cell, each written to the journal as it completes,
     * with a progress line {@code COMMAND: sweep i/n …}; a run that fails fails its cell, which is put in
     * {@code failedCells} (description → error) and printed as {@code COMMAND: CELLNOUN DESCRIPTION failed: …}.
     *
     * @param finished results by {@link CellJob#fileName()}: those read from the journal; the runs' are added
     */
    public static void compute(CellRunner runner, List<SweepRun> runs, Map<String, String> finished, CellJournal journal,
                               PrintWriter err, String command, String cellNoun, Map<String, String> failedCells) {
        if (runs.isEmpty()) return;
        Progress progress = Progress.start(err, command + ": sweep", runs.size());
        List<SweepRun> todo = runs.stream()
                .filter(r -> !finished.containsKey(r.fileName()) && !finished.containsKey(r.cell().fileName())).toList();
        if (!todo.isEmpty()) {
            runner.run(todo, progress, runs.size() - todo.size() + 1, outcome -> {
                SweepRun run = (SweepRun) outcome.job();
                if (outcome instanceof CellOutcome.Finished f) {
                    journal.record(run, f.json());
                    finished.put(run.fileName(), f.json());
                } else if (outcome instanceof CellOutcome.Failed x) {
                    String error = "run " + (run.run() + 1) + "/" + run.runs() + ": " + x.error();
                    failedCells.put(run.cell().description(), error);
                    progress.println(command + ": " + cellNoun + " " + run.cell().description() + " failed: " + error);
                } else {
                    throw new IllegalStateException("unhandled outcome " + outcome);
                }
            });
        }
        progress.finish(runs.size() + " runs");
    }

    /**
     * The cells of the second round: those not finished whose runs (among {@code runs}, as {@link #of} made them) all
     * finished, each with its runs' results (a cell without runs as it is).
     */
    public static List<SweepCell> assemble(List<? extends SweepCell> cells, List<SweepRun> runs, Map<String, String> finished) {
        Map<String, List<SweepRun>> byCell = new java.util.HashMap<>();
        for (SweepRun r : runs) byCell.computeIfAbsent(r.cell().fileName(), k -> new ArrayList<>()).add(r);
        List<SweepCell> ready = new ArrayList<>();
        for (SweepCell c : cells) {
            if (finished.containsKey(c.fileName())) continue;
            List<SweepRun> own = byCell.getOrDefault(c.fileName(), List.of());
            List<String> results = own.stream().map(r -> finished.get(r.fileName())).takeWhile(java.util.Objects::nonNull).toList();
            if (own.isEmpty()) ready.add(c);
            else if (results.size() == own.size()) ready.add(c.withRuns(results));
        }
        return ready;
    }
}
