package dev.acdc.datasets;

import java.nio.file.Path;

/**
 * How {@link Tasks#get} builds a task.
 *
 * @param model             a model directory or a Hugging Face id; null = the task's default ({@code gpt2} for ioi and
 *                          greater-than, {@code attn-only-4l} for docstring)
 * @param tokenizerDir      a directory with {@code tokenizer.json} (or {@code vocab.json} + {@code merges.txt}); null =
 *                          the model directory's own
 * @param offline           never download; use directories and the Hugging Face cache only
 * @param seed              the data seed of tasks that draw their data (tracr); the GPT-2 tasks use ACDC's fixed prompts
 * @param scramblePositions the tracr tasks' corruption option; ignored by the GPT-2 tasks
 */
public record TaskOptions(String model, Path tokenizerDir, boolean offline, long seed, boolean scramblePositions) {

    /**
     * Task defaults: the default model, its own tokenizer, downloads allowed, seed 0, and the tracr tasks'
     * position scramble on (as the ACDC code does; GPT-2 tasks ignore it).
     */
    public static TaskOptions defaults() {
        return new TaskOptions(null, null, false, 0L, true);
    }

    public TaskOptions withModel(String m) {
        return new TaskOptions(m, tokenizerDir, offline, seed, scramblePositions);
    }

    public TaskOptions withTokenizerDir(Path dir) {
        return new TaskOptions(model, dir, offline, seed, scramblePositions);
    }

    public TaskOptions withOffline(boolean off) {
        return new TaskOptions(model, tokenizerDir, off, seed, scramblePositions);
    }
}
