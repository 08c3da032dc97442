package dev.acdc.datasets.file;

import java.util.Objects;

/**
 * An {@code answer} or {@code wrong_answer} of a task file as written: a token id (a JSON number), or a token's
 * string (a JSON string, e.g. {@code " Mary"}) that the tokenizer must encode as exactly one token.
 */
public sealed interface AnswerToken permits AnswerToken.Id, AnswerToken.Text {

    record Id(int id) implements AnswerToken {
        public Id {
            if (id < 0) throw new IllegalArgumentException("a token id is ≥ 0, found " + id);
        }
    }

    record Text(String text) implements AnswerToken {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }
}
