package dev.acdc.datasets.file;

import java.util.Arrays;
import java.util.Objects;

/** One prompt of a task file as written: token ids ({@code clean_ids}), or text for the tokenizer ({@code clean}). */
public sealed interface Prompt permits Prompt.Ids, Prompt.Text {

    /** The field this prompt is written in for one side ({@code clean} or {@code corrupted}): {@code clean_ids} or {@code clean}. */
    String field(String side);

    /** Token ids as the model reads them. Arrays are copied in and out. */
    record Ids(int[] ids) implements Prompt {
        public Ids {
            if (ids.length == 0) throw new IllegalArgumentException("a prompt needs at least one token id");
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public String field(String side) {
            return side + "_ids";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ids other && Arrays.equals(ids, other.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Ids" + Arrays.toString(ids);
        }
    }

    /** Text, encoded with the model's tokenizer (no special tokens added). */
    record Text(String text) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String field(String side) {
            return side;
        }
    }
}
