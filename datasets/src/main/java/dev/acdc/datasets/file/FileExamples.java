package dev.acdc.datasets.file;

import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A task file's examples as one model reads them: encoded, checked against the model (vocabulary, context) and
 * batched.
 *
 * <p><b>Ragged examples.</b> Examples may differ in length. Each row is padded on the right with
 * {@link #PAD_ID} to the longest, and the padding is marked not attendable in {@link ModelInput}; right padding
 * leaves every real token at its own position (the positional embedding is unchanged) and, with the mask, no
 * real position reads padding, so each example computes what it computes alone. Scored positions are always
 * real tokens. The clean and the corrupted prompt of one example must have the same number of tokens: patching
 * swaps activations position by position, and any alignment of prompts of different lengths (left, right, by
 * the last token) would silently decide which corrupted token stands in for which clean one, so such a line is
 * refused with its number.
 *
 * <p><b>Scored positions</b> index an example's own tokens (0-based, negative from its end: −1 is its last
 * token, not the padded row's). With one position per example they are {@link ScoredPositions#perRow}, else a
 * mask over the padded batch.
 */
public final class FileExamples {
    /** What padding positions hold: any id works, as no real position attends to them; 0 is in every vocabulary. */
    public static final int PAD_ID = 0;

    /**
     * One encoded example.
     *
     * @param line        the file line
     * @param clean       clean token ids
     * @param corrupted   corrupted token ids, as many as {@code clean}
     * @param positions   scored positions, absolute (0..length−1), ascending
     * @param answer      the right answer's token id, or −1 without answers
     * @param wrongAnswer the wrong answer's token id, or −1 without answers
     */
    public record Encoded(int line, int[] clean, int[] corrupted, int[] positions, int answer, int wrongAnswer) {
        public Encoded {
            clean = clean.clone();
            corrupted = corrupted.clone();
            positions = positions.clone();
        }

        @Override
        public int[] clean() {
            return clean.clone();
        }

        @Override
        public int[] corrupted() {
            return corrupted.clone();
        }

        @Override
        public int[] positions() {
            return positions.clone();
        }

        public int length() {
            return clean.length;
        }
    }

    private final List<Encoded> examples;
    private final boolean answers;
    private final ModelInput clean;
    private final ModelInput corrupted;
    private final ScoredPositions scored;

    private FileExamples(List<Encoded> examples, boolean answers) {
        this.examples = List.copyOf(examples);
        this.answers = answers;
        int width = examples.stream().mapToInt(Encoded::length).max().orElseThrow();
        boolean ragged = examples.stream().anyMatch(e -> e.length() != width);
        int[][] cl = new int[examples.size()][];
        int[][] co = new int[examples.size()][];
        boolean[][] attendable = ragged ? new boolean[examples.size()][width] : null;
        boolean onePerRow = examples.stream().allMatch(e -> e.positions().length == 1);
        int[] perRow = new int[examples.size()];
        boolean[][] mask = new boolean[examples.size()][width];
        for (int b = 0; b < examples.size(); b++) {
            Encoded e = examples.get(b);
            cl[b] = padded(e.clean(), width);
            co[b] = padded(e.corrupted(), width);
            if (ragged) Arrays.fill(attendable[b], 0, e.length(), true);
            int[] p = e.positions();
            perRow[b] = p[0];
            for (int q : p) mask[b][q] = true;
        }
        this.clean = new ModelInput(cl, attendable);
        this.corrupted = new ModelInput(co, attendable);
        this.scored = onePerRow ? ScoredPositions.perRow(perRow) : ScoredPositions.mask(mask);
    }

    private static int[] padded(int[] ids, int width) {
        int[] out = Arrays.copyOf(ids, width);
        Arrays.fill(out, ids.length, width, PAD_ID);
        return out;
    }

    /**
     * Encodes and checks a task file's examples for a model.
     *
     * @param tokenizer the model's tokenizer, or null when there is none (then text is refused, naming the line)
     * @param tokenizerSource where the tokenizer comes from, for messages (null when none)
     * @param config    the model's configuration: ids must be below its vocabulary, prompts within its context
     */
    public static FileExamples encode(TaskFile file, TextTokenizer tokenizer, String tokenizerSource, TransformerConfig config) {
        Encoder enc = new Encoder(file, tokenizer, tokenizerSource, config);
        List<Encoded> out = new ArrayList<>();
        for (Example e : file.examples()) out.add(enc.encode(e));
        return new FileExamples(out, file.hasAnswers());
    }

    public List<Encoded> examples() {
        return examples;
    }

    public int size() {
        return examples.size();
    }

    /** Clean inputs [B, P], padded on the right (with an attendable mask) when examples differ in length. */
    public ModelInput clean() {
        return clean;
    }

    /** Corrupted inputs, same shape and mask as {@link #clean()}. */
    public ModelInput corrupted() {
        return corrupted;
    }

    /** Whether examples were padded to one length. */
    public boolean padded() {
        return clean.attendable() != null;
    }

    public ScoredPositions scoredPositions() {
        return scored;
    }

    /** Whether every example has one right and one wrong answer (then {@link #answerIds()} and {@link #wrongAnswerIds()} exist). */
    public boolean hasAnswers() {
        return answers;
    }

    /** The right answers' token ids, one per example. */
    public int[] answerIds() {
        if (!answers) throw new IllegalStateException("this task file gives no answers");
        return examples.stream().mapToInt(Encoded::answer).toArray();
    }

    /** The wrong answers' token ids, one per example. */
    public int[] wrongAnswerIds() {
        if (!answers) throw new IllegalStateException("this task file gives no answers");
        return examples.stream().mapToInt(Encoded::wrongAnswer).toArray();
    }

    public int minLength() {
        return examples.stream().mapToInt(Encoded::length).min().orElseThrow();
    }

    public int maxLength() {
        return clean.length();
    }

    /** How many (example, position) pairs are scored. */
    public int scoredCount() {
        return examples.stream().mapToInt(e -> e.positions().length).sum();
    }

    /** Encodes one line at a time; every refusal names the line and the field. */
    private static final class Encoder {
        private final TaskFile file;
        private final TextTokenizer tokenizer;
        private final String tokenizerSource;
        private final TransformerConfig config;

        Encoder(TaskFile file, TextTokenizer tokenizer, String tokenizerSource, TransformerConfig config) {
            this.file = file;
            this.tokenizer = tokenizer;
            this.tokenizerSource = tokenizerSource;
            this.config = config;
        }

        Encoded encode(Example e) {
            String cleanField = e.clean().field(TaskFileReader.CLEAN);
            String corruptedField = e.corrupted().field(TaskFileReader.CORRUPTED);
            int[] clean = prompt(e.line(), cleanField, e.clean());
            int[] corrupted = prompt(e.line(), corruptedField, e.corrupted());
            if (clean.length != corrupted.length) {
                throw TaskFileException.field(file.path(), e.line(), corruptedField, clean.length + " tokens in " + cleanField + " but "
                        + corrupted.length + " in " + corruptedField + "; an example's clean and corrupted prompts must have the same"
                        + " number of tokens, as patching swaps activations position by position (examples may differ from each other)");
            }
            int[] positions = positions(e, clean.length);
            int answer = -1;
            int wrong = -1;
            if (e.hasAnswers()) {
                if (positions.length != 1) {
                    throw TaskFileException.field(file.path(), e.line(), positionsField(e), positions.length + " positions, but answer and"
                            + " wrong_answer are the next token at one scored position; give one position");
                }
                answer = answer(e.line(), TaskFileReader.ANSWER, e.answer());
                wrong = answer(e.line(), TaskFileReader.WRONG_ANSWER, e.wrongAnswer());
            }
            return new Encoded(e.line(), clean, corrupted, positions, answer, wrong);
        }

        private int[] prompt(int line, String field, Prompt p) {
            int[] ids;
            if (p instanceof Prompt.Ids given) {
                ids = given.ids();
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] >= config.dVocab()) {
                        throw TaskFileException.field(file.path(), line, field, "id " + ids[i] + " (element " + i + ") is outside the vocabulary"
                                + " of model '" + config.name() + "' (ids 0.." + (config.dVocab() - 1) + ")");
                    }
                }
            } else if (p instanceof Prompt.Text text) {
                ids = encodeText(line, field, text.text());
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] >= config.dVocab()) {
                        throw TaskFileException.field(file.path(), line, field, "the tokenizer (" + tokenizerSource + ") gives id " + ids[i]
                                + " for token " + i + " (" + TaskFileException.quote(tokenizer.tokenString(ids[i])) + "), outside the"
                                + " vocabulary of model '" + config.name() + "' (ids 0.." + (config.dVocab() - 1)
                                + "); is it the model's own tokenizer?");
                    }
                }
            } else {
                throw new IllegalStateException("unhandled prompt kind " + p.getClass().getName());
            }
            if (ids.length > config.nCtx()) {
                throw TaskFileException.field(file.path(), line, field, ids.length + " tokens, more than the context of " + config.nCtx()
                        + " tokens of model '" + config.name() + "'");
            }
            return ids;
        }

        /**
         * The text's ids, refused when the tokenizer cannot encode it: text that is not valid Unicode (a lone
         * surrogate from a JSON escape), that gives no tokens, or that does not decode back to itself (characters
         * the vocabulary lacks are dropped or replaced by an unknown token; byte-level BPE round-trips any text).
         */
        private int[] encodeText(int line, String field, String text) {
            if (tokenizer == null) {
                throw TaskFileException.field(file.path(), line, field, "text needs a tokenizer, and the model has none: pass --tokenizer DIR,"
                        + " or give token ids (" + (field.startsWith(TaskFileReader.ANSWER) || field.startsWith(TaskFileReader.WRONG_ANSWER)
                        ? "a number" : field + "_ids") + ")");
            }
            int bad = loneSurrogate(text);
            if (bad >= 0) {
                throw TaskFileException.field(file.path(), line, field, "the tokenizer cannot encode this text: it is not valid Unicode"
                        + " (a lone surrogate \\u" + String.format("%04x", (int) text.charAt(bad)) + " at character " + bad + ")");
            }
            int[] ids;
            String back;
            try {
                ids = tokenizer.encode(text);
                back = ids.length == 0 ? "" : tokenizer.decode(ids);
            } catch (RuntimeException ex) {
                throw TaskFileException.field(file.path(), line, field, "the tokenizer (" + tokenizerSource + ") cannot encode this text: "
                        + ex.getMessage());
            }
            if (ids.length == 0) {
                throw TaskFileException.field(file.path(), line, field, "the tokenizer (" + tokenizerSource + ") encodes "
                        + TaskFileException.quote(text) + " as no tokens");
            }
            if (!back.equals(text)) {
                throw TaskFileException.field(file.path(), line, field, "the tokenizer (" + tokenizerSource + ") cannot encode this text:"
                        + " its tokens " + Arrays.toString(ids) + " decode as " + TaskFileException.quote(back) + ", not "
                        + TaskFileException.quote(text));
            }
            return ids;
        }

        private int answer(int line, String field, AnswerToken a) {
            int id;
            if (a instanceof AnswerToken.Id given) {
                id = given.id();
            } else if (a instanceof AnswerToken.Text text) {
                int[] ids = encodeText(line, field, text.text());
                if (ids.length != 1) {
                    throw TaskFileException.field(file.path(), line, field, TaskFileException.quote(text.text()) + " is " + ids.length
                            + " tokens " + Arrays.toString(ids) + "; an answer must be a single token");
                }
                id = ids[0];
            } else {
                throw new IllegalStateException("unhandled answer kind " + a.getClass().getName());
            }
            if (id >= config.dVocabOut()) {
                throw TaskFileException.field(file.path(), line, field, "id " + id + " is outside the output vocabulary of model '"
                        + config.name() + "' (ids 0.." + (config.dVocabOut() - 1) + ")");
            }
            return id;
        }

        /** The example's positions, else the file's default, else its last token; absolute and ascending. */
        private int[] positions(Example e, int length) {
            int[] given = e.positions() != null ? e.positions() : file.defaults().positions();
            if (given == null) return new int[] {length - 1};
            int[] out = new int[given.length];
            for (int i = 0; i < given.length; i++) {
                int p = given[i] < 0 ? length + given[i] : given[i];
                if (p < 0 || p >= length) {
                    throw TaskFileException.field(file.path(), e.line(), positionsField(e), "position " + given[i] + " is outside this"
                            + " example's " + length + " tokens (0.." + (length - 1) + ", or -" + length + "..-1 from the end)");
                }
                out[i] = p;
            }
            Arrays.sort(out);
            for (int i = 1; i < out.length; i++) {
                if (out[i] == out[i - 1]) {
                    throw TaskFileException.field(file.path(), e.line(), positionsField(e), "two entries name position " + out[i]
                            + " of this example's " + length + " tokens");
                }
            }
            return out;
        }

        private String positionsField(Example e) {
            return e.positions() != null || file.defaults().positions() == null ? TaskFileReader.POSITIONS
                    : TaskFileReader.POSITIONS + " (from the defaults on line " + file.defaults().line() + ")";
        }

        private static int loneSurrogate(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
