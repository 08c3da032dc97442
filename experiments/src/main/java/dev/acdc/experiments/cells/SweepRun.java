package dev.acdc.experiments.cells;

import java.util.function.Consumer;

/**
 * One run of a cell's sweep as a job.
 *
 * @param cell the cell (without run results)
 * @param run  0-based
 * @param runs how many runs the cell's sweep makes
 */
public record SweepRun(SweepCell cell, int run, int runs) implements CellJob {

    @Override
    public String description() {
        return cell.description() + " run " + (run + 1) + "/" + runs;
    }

    /** Beside the cell's own file: {@code CELL.run-3}. */
    @Override
    public String fileName() {
        return cell.fileName() + ".run-" + (run + 1);
    }

    @Override
    public String compute(Consumer<String> progress) {
        return GradientMethods.exclusive(cell.method(), () -> cell.computeRun(run, progress));
    }
}
