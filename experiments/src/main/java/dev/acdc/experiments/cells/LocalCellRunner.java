package dev.acdc.experiments.cells;

import dev.acdc.experiments.Progress;

import java.util.List;
import java.util.function.Consumer;

/**
 * The jobs in this JVM, in order, as the commands ran them before jobs existed: the first job that throws ends the
 * run with its exception (bad input exits 2 as it always did); results already handed over stay written.
 */
public final class LocalCellRunner implements CellRunner {

    @Override
    public void run(List<? extends CellJob> jobs, Progress progress, int firstNumber, Consumer<CellOutcome> sink) {
        int n = firstNumber;
        for (CellJob job : jobs) {
            progress.begin(n++, job.description());
            sink.accept(new CellOutcome.Finished(job, job.compute(progress::detail)));
        }
    }

    @Override
    public void close() {}
}
