package dev.acdc.experiments.cells;

import dev.acdc.experiments.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
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
     * Computes the runs that are neither finished nor of a finished cell, each written to the journal as it completes.
     *
     * @param finished   results by {@link CellJob#fileName()}: those read from the journal; the runs' are added
     * @param cellFailed called with the cell and the error when one of its runs fails (its other runs go on)
     */
    public static void compute(CellRunner runner, List<SweepRun> runs, Map<String, String> finished, CellJournal journal,
                               Progress progress, BiConsumer<SweepCell, String> cellFailed) {
        List<SweepRun> todo = runs.stream()
                .filter(r -> !finished.containsKey(r.fileName()) && !finished.containsKey(r.cell().fileName())).toList();
        if (todo.isEmpty()) return;
        runner.run(todo, progress, runs.size() - todo.size() + 1, outcome -> {
            SweepRun run = (SweepRun) outcome.job();
            if (outcome instanceof CellOutcome.Finished f) {
                journal.record(run, f.json());
                finished.put(run.fileName(), f.json());
            } else if (outcome instanceof CellOutcome.Failed x) {
                cellFailed.accept(run.cell(), "run " + (run.run() + 1) + "/" + run.runs() + ": " + x.error());
            } else {
                throw new IllegalStateException("unhandled outcome " + outcome);
            }
        });
    }

    /**
     * The cells of the second round: those not finished whose runs all finished, each with its runs' results (a cell
     * without runs as it is).
     */
    public static List<SweepCell> assemble(List<? extends SweepCell> cells, Map<String, String> finished) {
        List<SweepCell> ready = new ArrayList<>();
        for (SweepCell c : cells) {
            if (finished.containsKey(c.fileName())) continue;
            int n = c.runs();
            if (n == 0) {
                ready.add(c);
                continue;
            }
            List<String> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String r = finished.get(new SweepRun(c, i, n).fileName());
                if (r == null) break;
                results.add(r);
            }
            if (results.size() == n) ready.add(c.withRuns(results));
        }
        return ready;
    }
}
