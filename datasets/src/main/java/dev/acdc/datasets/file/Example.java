package dev.acdc.datasets.file;

import java.util.Objects;

/**
 * One line of a task file as written, before encoding: a clean prompt, its corrupted counterpart, optionally the
 * right and the wrong answer token (both or neither) and the positions to score.
 *
 * @param line        the 1-based line of the file
 * @param clean       the clean prompt
 * @param corrupted   the corrupted prompt (resample ablation's source of values)
 * @param answer      the right next token at the scored position; null when the line has no answers
 * @param wrongAnswer the wrong next token; null exactly when {@code answer} is
 * @param positions   positions to score (0-based; negative counts from the end, −1 being the last token); null for
 *                    the file's default
 */
public record Example(int line, Prompt clean, Prompt corrupted, AnswerToken answer, AnswerToken wrongAnswer, int[] positions) {
    public Example {
        Objects.requireNonNull(clean, "clean");
        Objects.requireNonNull(corrupted, "corrupted");
        if ((answer == null) != (wrongAnswer == null)) {
            throw new IllegalArgumentException("answer and wrong_answer come together, found only one of them");
        }
        positions = positions == null ? null : positions.clone();
    }

    @Override
    public int[] positions() {
        return positions == null ? null : positions.clone();
    }

    public boolean hasAnswers() {
        return answer != null;
    }
}
