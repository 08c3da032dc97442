package dev.acdc.datasets.file;

import ai.djl.ndarray.NDArray;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A task whose prompts come from a file ({@code --task file:PATH}), on whatever model {@code --model} names.
 *
 * <p>Metrics, lower is better, at the scored positions ({@link FileExamples}): {@code kl}, KL(clean ‖ patched)
 * averaged over every scored (example, position) pair, as the other tasks define it; with answers,
 * {@code logit-diff}, −(logit[answer] − logit[wrong_answer]), and {@code prob-diff}, −(p[answer] −
 * p[wrong_answer]), each averaged over the examples. The default is the file's {@code defaults.metric}, else
 * {@code kl}.
 *
 * <p>Ground truth: the file's {@code defaults.ground_truth}, or none. A task without one still runs every
 * method; the command line then reports circuits without TPR/FPR, or scores them against
 * {@code --ground-truth FILE}.
 */
public final class FileTask implements Task {
    public static final String KL = "kl";
    public static final String LOGIT_DIFF = "logit-diff";
    public static final String PROB_DIFF = "prob-diff";

    private final FileTaskDefinition definition;
    private final TransformerWeights weights;

    public FileTask(FileTaskDefinition definition, TransformerWeights weights) {
        this.definition = Objects.requireNonNull(definition, "definition");
        this.weights = Objects.requireNonNull(weights, "weights");
        TransformerConfig c = weights.config();
        TransformerConfig checked = definition.config();
        if (c.dVocab() != checked.dVocab() || c.dVocabOut() != checked.dVocabOut() || c.nCtx() != checked.nCtx()) {
            throw new IllegalArgumentException(definition.name() + ": examples were checked against model '" + checked.name()
                    + "' (vocabulary " + checked.dVocab() + ", context " + checked.nCtx() + "), not against '" + c.name()
                    + "' (vocabulary " + c.dVocab() + ", context " + c.nCtx() + ")");
        }
    }

    /** The task a {@code file:PATH} name names, its model from {@code options.model()} resolved with {@code resolver}. */
    public static FileTask load(String taskName, TaskOptions options, ModelResolver resolver) {
        FileTaskDefinition d = FileTaskDefinition.define(taskName, options, resolver);
        return new FileTask(d, ModelDirectory.load(d.modelDir()).weights());
    }

    public FileTaskDefinition definition() {
        return definition;
    }

    public FileExamples examples() {
        return definition.examples();
    }

    @Override
    public String name() {
        return definition.name();
    }

    @Override
    public String description() {
        FileExamples e = examples();
        String lengths = e.padded() ? e.minLength() + " to " + e.maxLength() + " tokens (padded to " + e.maxLength() + ")"
                : e.maxLength() + " tokens";
        return String.format(Locale.ROOT, "prompts from %s: %d examples of %s, %d scored positions%s", definition.file().path(),
                e.size(), lengths, e.scoredCount(), e.hasAnswers() ? ", with answers" : "");
    }

    @Override
    public TransformerWeights weights() {
        return weights;
    }

    @Override
    public ModelInput clean() {
        return examples().clean();
    }

    @Override
    public ModelInput corrupted() {
        return examples().corrupted();
    }

    @Override
    public List<String> metricNames() {
        return definition.metricNames();
    }

    @Override
    public Metric metric(String name, NDArray cleanOutput) {
        FileExamples e = examples();
        return switch (name) {
            case KL -> Metrics.klDivergence(Objects.requireNonNull(cleanOutput, "cleanOutput (KL needs the clean logits)"),
                    e.scoredPositions());
            case LOGIT_DIFF -> Metrics.negativeLogitDifference(e.scoredPositions(), answers(name), e.wrongAnswerIds());
            case PROB_DIFF -> Metrics.negativeTokenProbabilityDifference(e.scoredPositions(), answers(name), e.wrongAnswerIds());
            default -> throw new IllegalArgumentException("task " + name() + " has no metric '" + name + "'; expected one of "
                    + metricNames());
        };
    }

    private int[] answers(String metric) {
        if (!examples().hasAnswers()) {
            throw new IllegalArgumentException("task " + name() + " has no metric '" + metric + "': its examples give no answer and"
                    + " wrong_answer; expected one of " + metricNames());
        }
        return examples().answerIds();
    }

    @Override
    public Map<String, List<String>> groundTruths() {
        return definition.groundTruths();
    }

    @Override
    public String toString() {
        return name() + " (" + description() + ")";
    }
}
