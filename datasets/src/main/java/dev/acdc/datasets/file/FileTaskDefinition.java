package dev.acdc.datasets.file;

import dev.acdc.datasets.TaskOptions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelLoadException;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.TransformerConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a file task is except its weights: the file read, its examples encoded and checked against the
 * model's configuration, its ground truth checked against the model's graph. {@code task-info} stops here, so
 * describing (and validating) a file never loads weights; {@link FileTask} adds them.
 *
 * @param name          the task's name, {@code file:PATH} as given
 * @param file          the file as read
 * @param modelDir      the model's directory
 * @param config        the model's configuration
 * @param tokenizerDir  the tokenizer's directory; null when neither {@code --tokenizer} nor the model directory gives one
 * @param examples      the encoded examples
 * @param groundTruths  the defaults line's ground truth by its file name as written, or none
 */
public record FileTaskDefinition(String name, TaskFile file, Path modelDir, TransformerConfig config, Path tokenizerDir,
                                 FileExamples examples, Map<String, List<String>> groundTruths) {
    public FileTaskDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(examples, "examples");
        groundTruths = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groundTruths));
    }

    /** The CLI prefix of a file task's name. */
    public static final String PREFIX = "file:";

    /** Whether a task name names a file task ({@code file:PATH}). */
    public static boolean isFileTask(String taskName) {
        return taskName != null && taskName.startsWith(PREFIX);
    }

    /**
     * Reads the file a {@code file:PATH} name points to and checks it against {@code options.model()}. The file is
     * read first, so a syntax error is reported before any model is looked for.
     */
    public static FileTaskDefinition define(String taskName, TaskOptions options, ModelResolver resolver) {
        if (!isFileTask(taskName) || taskName.length() == PREFIX.length()) {
            throw new IllegalArgumentException("'" + taskName + "' is not a file task; expected file:PATH, PATH a JSON Lines file of prompts");
        }
        TaskFile file = TaskFile.read(Path.of(taskName.substring(PREFIX.length())));
        if (options.model() == null) {
            throw new IllegalArgumentException("task " + taskName + " needs a model: pass --model (a model directory or a Hugging Face id)");
        }
        Path modelDir = resolver.resolve(options.model());
        TransformerConfig config = ModelDirectory.readConfig(modelDir);
        String notPatchable = dev.acdc.datasets.Tasks.notPatchable(config);
        if (notPatchable != null) {
            throw new ModelLoadException("model " + config.name() + " (" + modelDir + ") " + notPatchable + "; task " + taskName
                    + " cannot run on it");
        }
        Path tokenizerDir = tokenizerDir(options, modelDir);
        FileExamples examples;
        if (file.needsTokenizer() && tokenizerDir != null) {
            try (TextTokenizer t = HfTokenizer.fromDirectory(tokenizerDir)) {
                examples = FileExamples.encode(file, t, tokenizerDir.toString(), config);
            }
        } else {
            examples = FileExamples.encode(file, null, null, config);
        }
        Map<String, List<String>> truths = new LinkedHashMap<>();
        String gt = file.defaults().groundTruth();
        if (gt != null) {
            Path gtFile = file.path().toAbsolutePath().getParent().resolve(gt);
            truths.put(gt, GroundTruthFile.read(gtFile, CircuitGraph.of(config)));
        }
        return new FileTaskDefinition(taskName, file, modelDir, config, tokenizerDir, examples, truths);
    }

    /** {@code --tokenizer} when given, else the model directory when it holds a tokenizer, else none. */
    private static Path tokenizerDir(TaskOptions options, Path modelDir) {
        if (options.tokenizerDir() != null) {
            if (!HfTokenizer.hasTokenizer(options.tokenizerDir())) {
                throw new ModelLoadException("tokenizer directory " + options.tokenizerDir() + " has no " + HfTokenizer.TOKENIZER_JSON
                        + ", nor " + HfTokenizer.VOCAB_JSON + " + " + HfTokenizer.MERGES_TXT);
            }
            return options.tokenizerDir();
        }
        return HfTokenizer.hasTokenizer(modelDir) ? modelDir : null;
    }

    /** The metrics offered, the default first. */
    public List<String> metricNames() {
        return file.metricNames();
    }
}
