package dev.acdc.datasets.file;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A task file as written (JSON Lines, one example per line, an optional defaults line first), read and checked
 * for everything that needs no model: well-formed JSON, known fields of the right types, a clean and a corrupted
 * prompt on every line, answers on every line or on none, a default metric the file can offer. See the package
 * documentation for the format.
 *
 * @param path     the file
 * @param defaults its defaults line, or {@link Defaults#NONE}
 * @param examples its examples in file order (at least one)
 */
public record TaskFile(Path path, Defaults defaults, List<Example> examples) {
    public TaskFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(defaults, "defaults");
        examples = List.copyOf(examples);
        if (examples.isEmpty()) throw new IllegalArgumentException(path + ": no examples");
    }

    /** Reads and checks a task file; any problem is a {@link TaskFileException} naming the line and field. */
    public static TaskFile read(Path path) {
        return TaskFileReader.read(path);
    }

    /** Whether the examples give answers (then {@code logit-diff} and {@code prob-diff} are offered). */
    public boolean hasAnswers() {
        return examples.get(0).hasAnswers();
    }

    /** Whether any prompt or answer is text, which needs a tokenizer. */
    public boolean needsTokenizer() {
        return examples.stream().anyMatch(e -> e.clean() instanceof Prompt.Text || e.corrupted() instanceof Prompt.Text
                || e.answer() instanceof AnswerToken.Text || e.wrongAnswer() instanceof AnswerToken.Text);
    }

    /** The metrics the examples allow, in the standard order: {@code kl}, and with answers {@code logit-diff}, {@code prob-diff}. */
    public List<String> offeredMetrics() {
        return hasAnswers() ? List.of(FileTask.KL, FileTask.LOGIT_DIFF, FileTask.PROB_DIFF) : List.of(FileTask.KL);
    }

    /** The metrics the file offers, the default ({@code defaults.metric}, else {@code kl}) first. */
    public List<String> metricNames() {
        List<String> offered = offeredMetrics();
        String first = defaults.metric();
        if (first == null || first.equals(offered.get(0)) || !offered.contains(first)) return offered;
        List<String> ordered = new java.util.ArrayList<>();
        ordered.add(first);
        for (String m : offered) if (!m.equals(first)) ordered.add(m);
        return List.copyOf(ordered);
    }
}
