package dev.acdc.experiments.cells;

import java.util.List;
import java.util.function.Consumer;

/**
 * A cell whose method may be a sweep of independent runs (ACDC's thresholds, SP's λ, Edge Pruning's targets). Such a
 * cell is computed in two rounds: each run as a job of its own ({@link SweepRun}), so that a cluster spreads one
 * sweep over many executors and a resumed run keeps every finished run; then the cell itself with its runs' results
 * ({@link #withRuns}), which computes what needs the whole sweep (ROC, faithfulness curves, explorer page) without
 * running the method again. A cell whose method is not a sweep has no runs and is computed whole in the second round.
 */
public interface SweepCell extends CellJob {

    /** The cell's method (a {@code MethodFactory} name): what {@link GradientMethods} decides on. */
    String method();

    /** How many independent runs the cell's method makes; 0 when it is computed whole. */
    int runs();

    /** Run {@code run} (0-based) of the cell's method alone, as JSON. */
    String computeRun(int run, Consumer<String> progress);

    /** This cell with its runs' results (as {@link #computeRun} returned them, in run order) standing for its method's run. */
    SweepCell withRuns(List<String> runResults);
}
