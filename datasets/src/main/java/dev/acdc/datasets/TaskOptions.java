package dev.acdc.datasets;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link Tasks#get} builds a task.
 *
 * @param model             a model directory or a Hugging Face id; null = the task's default ({@code gpt2} for ioi and
 *                          greater-than, {@code attn-only-4l} for docstring)
 * @param tokenizerDir      a directory with {@code tokenizer.json} (or {@code vocab.json} + {@code merges.txt}); null =
 *                          the model directory's own
 * @param offline           never download; use directories and the Hugging Face cache only
 * @param seed              the data seed of tasks that draw their data (tracr with our data); the GPT-2 tasks use ACDC's
 *                          fixed prompts and the {@code acdc-code} data the ACDC code's seed 1234
 * @param scramblePositions the tracr tasks' corruption option; ignored by the GPT-2 tasks
 * @param data              which data variant ({@link DataVariant#ACDC_CODE} exists for the tracr tasks only)
 */
public record TaskOptions(String model, Path tokenizerDir, boolean offline, long seed, boolean scramblePositions,
                          DataVariant data) {

    public TaskOptions {
        Objects.requireNonNull(data, "data");
    }

    /** Options with our own data. */
    public TaskOptions(String model, Path tokenizerDir, boolean offline, long seed, boolean scramblePositions) {
        this(model, tokenizerDir, offline, seed, scramblePositions, DataVariant.OURS);
    }

    /**
     * Task defaults: the default model, its own tokenizer, downloads allowed, seed 0, the tracr tasks' position
     * scramble on (as the ACDC code does; GPT-2 tasks ignore it), our own data.
     */
    public static TaskOptions defaults() {
        return new TaskOptions(null, null, false, 0L, true, DataVariant.OURS);
    }

    public TaskOptions withModel(String m) {
        return new TaskOptions(m, tokenizerDir, offline, seed, scramblePositions, data);
    }

    public TaskOptions withTokenizerDir(Path dir) {
        return new TaskOptions(model, dir, offline, seed, scramblePositions, data);
    }

    public TaskOptions withOffline(boolean off) {
        return new TaskOptions(model, tokenizerDir, off, seed, scramblePositions, data);
    }

    public TaskOptions withData(DataVariant d) {
        return new TaskOptions(model, tokenizerDir, offline, seed, scramblePositions, d);
    }
}
