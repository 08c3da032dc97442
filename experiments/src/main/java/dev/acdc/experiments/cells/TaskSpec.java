package dev.acdc.experiments.cells;

import dev.acdc.datasets.DataVariant;
import dev.acdc.datasets.TaskOptions;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * A task as the command line names it, with the options it is built with, in values another JVM can rebuild it from
 * ({@link TaskOptions} holds a {@link Path}, which does not serialize). A path names the same file on every machine
 * only where the cluster shares a file system, which is how models reach executors (see README, Running on a cluster).
 *
 * @param spelled           the task as given: {@code tracr-reverse}, {@code ioi:acdc-code} or {@code file:PATH}
 * @param model             {@code --model}, or null for the task's own
 * @param tokenizerDir      {@code --tokenizer} as a path string, or null
 * @param offline           never download
 * @param seed              the data seed
 * @param scramblePositions the tracr tasks' position scramble
 * @param data              the data variant's CLI name
 */
public record TaskSpec(String spelled, String model, String tokenizerDir, boolean offline, long seed, boolean scramblePositions,
                       String data) implements Serializable {

    public static TaskSpec of(String spelled, TaskOptions o) {
        return new TaskSpec(spelled, o.model(), o.tokenizerDir() == null ? null : o.tokenizerDir().toString(), o.offline(), o.seed(),
                o.scramblePositions(), o.data().cliName());
    }

    public TaskOptions options() {
        return new TaskOptions(model, tokenizerDir == null ? null : Path.of(tokenizerDir), offline, seed, scramblePositions,
                DataVariant.parse(data));
    }
}
