package dev.acdc.experiments.discover;

import dev.acdc.datasets.DataVariant;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.experiments.BadInputException;
import dev.acdc.patching.load.HfTokenizer;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The options that say how a task is built, shared by {@code discover}, {@code roc} and {@code reproduce}. */
public final class TaskOptionsMixin {

    @Option(names = "--model", paramLabel = "MODEL",
            description = "model directory or Hugging Face id (default: the task's own: gpt2 for ioi and greater-than, "
                    + "attn-only-4l for docstring, the compiled or shipped model for tracr and induction)")
    String model;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "directory with tokenizer.json or vocab.json + merges.txt (default: the model directory's own)")
    Path tokenizer;

    @Option(names = "--offline", description = "never download; use model directories and the Hugging Face cache only")
    boolean offline;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "SEED", description = "data seed of tasks that draw their data, and of sampling methods (default 0)")
    long seed;

    @Option(names = "--no-scramble-positions",
            description = "tracr tasks: do not scramble the corrupted run's positional embeddings (ACDC's code does)")
    boolean noScramblePositions;

    @Option(names = "--data", defaultValue = "ours", paramLabel = "DATA",
            description = "ours (default) or acdc-code: the tracr tasks exactly as the ACDC code ran them (its data, token ids"
                    + " and metric, tracr's model as TransformerLens ran it); a task may also be spelled TASK:acdc-code")
    String data;

    /** The options, checked: a --tokenizer directory without tokenizer files is bad input. */
    public TaskOptions options() {
        if (tokenizer != null && !HfTokenizer.hasTokenizer(tokenizer)) {
            throw new BadInputException("--tokenizer " + tokenizer + ": expected a directory with " + HfTokenizer.TOKENIZER_JSON
                    + " or " + HfTokenizer.VOCAB_JSON + " + " + HfTokenizer.MERGES_TXT + "; found "
                    + (Files.isDirectory(tokenizer) ? "neither" : "no such directory"));
        }
        DataVariant variant;
        try {
            variant = DataVariant.parse(data);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("unknown --data '" + data + "'; expected one of " + String.join(", ", DataVariant.cliNames()));
        }
        return new TaskOptions(model, tokenizer, offline, seed, !noScramblePositions, variant);
    }

    public long seed() {
        return seed;
    }
}
