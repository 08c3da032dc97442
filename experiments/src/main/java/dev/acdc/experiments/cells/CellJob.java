package dev.acdc.experiments.cells;

import java.io.Serializable;
import java.util.function.Consumer;

/**
 * One independent unit of a sweep (a method on a task, metric and ablation, with its settings), described by values
 * alone so that it can be shipped to another JVM and computed there: nothing in it refers to a loaded model.
 *
 * <p>Computing a job is deterministic: the same job gives the same result text on any JVM (timings aside), which is
 * what lets a runner retry it after a lost executor and lets {@code --resume} trust a result written earlier.
 */
public interface CellJob extends Serializable {

    /** The cell as a person reads it, e.g. {@code tracr-reverse l2 resample acdc}: progress lines and error reports. */
    String description();

    /** A file-safe name, unique among the jobs of one run: where its result is written ({@link CellJournal}). */
    String fileName();

    /**
     * Computes the cell and returns its result as JSON text (what {@link CellJournal} writes and the command reads back).
     *
     * @param progress one line per finished step of the method (ACDC's thresholds), for a progress display
     */
    String compute(Consumer<String> progress);
}
