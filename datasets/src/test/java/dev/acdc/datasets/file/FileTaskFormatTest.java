package dev.acdc.datasets.file;

import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.acdc.datasets.file.FileTaskFixtures.write;
import static org.junit.jupiter.api.Assertions.*;

/** The task-file format: what it accepts, how it pads and scores, and every refusal naming its line and field. */
class FileTaskFormatTest {
    /** Shaped like the tiny GPT-2 fixture: vocabulary 101, context 16. */
    static final TransformerConfig TINY = TransformerConfig.gpt2Style("tiny", 2, 32, 4, 128, 101, 16, 1e-5);

    @TempDir
    Path tmp;

    private Path file(String... lines) {
        return write(tmp.resolve("task.jsonl"), List.of(lines));
    }

    private FileExamples encode(Path file) {
        return FileExamples.encode(TaskFile.read(file), null, null, TINY);
    }

    private FileExamples encodeWithLetters(Path file) {
        try (HfTokenizer t = HfTokenizer.fromDirectory(FileTaskFixtures.letterTokenizer(tmp.resolve("letters")))) {
            return FileExamples.encode(TaskFile.read(file), t, "letters", TINY);
        }
    }

    @Test
    void ids_answers_defaults_and_blank_lines_are_read_with_their_line_numbers() {
        TaskFile f = TaskFile.read(file(
                "{\"defaults\": {\"metric\": \"prob-diff\", \"positions\": [-2], \"ground_truth\": \"truth.txt\"}}",
                "",
                "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6], \"answer\": 7, \"wrong_answer\": \" Mary\"}",
                "   ",
                "{\"clean\": \"ab ba\", \"corrupted_ids\": [9, 9, 9], \"answer\": 1, \"wrong_answer\": 2, \"positions\": [0, -1]}"));
        assertEquals(2, f.examples().size());
        assertEquals(3, f.examples().get(0).line());
        assertEquals(5, f.examples().get(1).line());
        assertEquals(new Prompt.Ids(new int[] {1, 2, 3}), f.examples().get(0).clean());
        assertEquals(new AnswerToken.Id(7), f.examples().get(0).answer());
        assertEquals(new AnswerToken.Text(" Mary"), f.examples().get(0).wrongAnswer());
        assertEquals(new Prompt.Text("ab ba"), f.examples().get(1).clean());
        assertArrayEquals(new int[] {0, -1}, f.examples().get(1).positions());
        assertNull(f.examples().get(0).positions(), "no positions of its own: the defaults apply");
        assertEquals(1, f.defaults().line());
        assertArrayEquals(new int[] {-2}, f.defaults().positions());
        assertEquals("truth.txt", f.defaults().groundTruth());
        assertEquals(List.of("prob-diff", "kl", "logit-diff"), f.metricNames(), "the default metric comes first");
        assertTrue(f.needsTokenizer());
    }

    @Test
    void without_answers_only_kl_is_offered_and_a_file_of_ids_needs_no_tokenizer() {
        TaskFile f = TaskFile.read(file("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]}"));
        assertEquals(List.of("kl"), f.metricNames());
        assertFalse(f.needsTokenizer());
        assertFalse(encode(f.path()).hasAnswers());
    }

    @Test
    void examples_of_different_lengths_are_padded_on_the_right_and_masked_and_score_their_own_last_token() {
        FileExamples e = encode(file(
                "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6], \"answer\": 7, \"wrong_answer\": 8}",
                "{\"clean_ids\": [11, 12, 13, 14, 15], \"corrupted_ids\": [16, 17, 18, 19, 20], \"answer\": 21, \"wrong_answer\": 22}"));
        ModelInput clean = e.clean();
        assertTrue(e.padded());
        assertArrayEquals(new int[][] {{1, 2, 3, FileExamples.PAD_ID, FileExamples.PAD_ID}, {11, 12, 13, 14, 15}}, clean.tokens());
        assertArrayEquals(new int[][] {{4, 5, 6, FileExamples.PAD_ID, FileExamples.PAD_ID}, {16, 17, 18, 19, 20}}, e.corrupted().tokens());
        assertArrayEquals(new boolean[] {true, true, true, false, false}, clean.attendable()[0]);
        assertArrayEquals(new boolean[] {true, true, true, true, true}, clean.attendable()[1]);
        assertArrayEquals(clean.attendable()[0], e.corrupted().attendable()[0], "the corrupted run is masked alike");
        assertArrayEquals(new long[] {2, 9}, e.scoredPositions().flatIndices(2, 5), "row 0 scores its token 2, not the padding");
        assertArrayEquals(new int[] {7, 21}, e.answerIds());
        assertArrayEquals(new int[] {8, 22}, e.wrongAnswerIds());
        assertEquals(3, e.minLength());
        assertEquals(5, e.maxLength());
    }

    @Test
    void examples_of_one_length_are_not_padded() {
        FileExamples e = encode(file("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]}", "{\"clean_ids\": [5, 6], \"corrupted_ids\": [7, 8]}"));
        assertFalse(e.padded());
        assertNull(e.clean().attendable());
        assertArrayEquals(new long[] {1, 3}, e.scoredPositions().flatIndices(2, 2));
    }

    @Test
    void positions_count_from_each_examples_own_end_and_several_per_example_become_a_mask() {
        FileExamples e = encode(file(
                "{\"defaults\": {\"positions\": [-2]}}",
                "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6]}",
                "{\"clean_ids\": [1, 2, 3, 4, 5], \"corrupted_ids\": [4, 5, 6, 7, 8], \"positions\": [0, -1]}"));
        assertArrayEquals(new int[] {1}, e.examples().get(0).positions(), "-2 of a 3-token example is its position 1");
        assertArrayEquals(new int[] {0, 4}, e.examples().get(1).positions());
        assertFalse(e.scoredPositions().onePerRow());
        assertArrayEquals(new long[] {1, 5, 9}, e.scoredPositions().flatIndices(2, 5));
        assertEquals(3, e.scoredCount());
    }

    @Test
    void text_is_encoded_with_the_tokenizer_and_a_token_string_answer_is_its_one_token() {
        FileExamples e = encodeWithLetters(file(
                "{\"clean\": \"ab ba\", \"corrupted\": \"ab ab\", \"answer\": \" a\", \"wrong_answer\": \" b\"}"));
        // "ab" → a, b; " ba" → Ġb, a; " ab" → Ġa, b
        assertArrayEquals(new int[] {0, 1, 28, 0}, e.examples().get(0).clean());
        assertArrayEquals(new int[] {0, 1, 27, 1}, e.examples().get(0).corrupted());
        assertEquals(27, e.examples().get(0).answer());
        assertEquals(28, e.examples().get(0).wrongAnswer());
    }

    @Test
    void a_utf8_byte_order_mark_and_crlf_line_ends_are_accepted() throws IOException {
        Path f = tmp.resolve("bom.jsonl");
        Files.writeString(f, "\uFEFF{\"clean_ids\": [1], \"corrupted_ids\": [2]}\r\n{\"clean_ids\": [3], \"corrupted_ids\": [4]}\r\n");
        assertEquals(2, TaskFile.read(f).examples().size());
    }

    /** A refusal: the file's lines, then the line and field the message must name, and a phrase it must contain. */
    static Stream<Arguments> refusedFiles() {
        String ok = "{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]}";
        String okAnswers = "{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4], \"answer\": 5, \"wrong_answer\": 6}";
        return Stream.of(
                Arguments.of("malformed JSON", List.of(ok, ok, "{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]"), 3, null, "malformed JSON"),
                Arguments.of("single quotes (lenient JSON)", List.of("{'clean_ids': [1], 'corrupted_ids': [2]}"), 1, null,
                        "malformed JSON: not JSON (no single quotes, comments, unquoted names or NaN)"),
                Arguments.of("NaN", List.of("{\"clean_ids\": [NaN], \"corrupted_ids\": [2]}"), 1, null, "malformed JSON"),
                Arguments.of("two objects on a line", List.of(ok + " " + ok), 1, null, "text after the JSON object"),
                Arguments.of("not an object", List.of(ok, "[1, 2]"), 2, null, "expected a JSON object"),
                Arguments.of("unknown field", List.of(ok, "{\"clean_ids\": [1], \"corupted_ids\": [2]}"), 2, "corupted_ids", "unknown field"),
                Arguments.of("a field twice", List.of("{\"clean_ids\": [1], \"clean_ids\": [2], \"corrupted_ids\": [2]}"), 1, "clean_ids", "given twice"),
                Arguments.of("text and ids", List.of("{\"clean\": \"a\", \"clean_ids\": [1], \"corrupted_ids\": [2]}"), 1, "clean", "not both"),
                Arguments.of("no corrupted prompt", List.of(ok, ok, "{\"clean_ids\": [1]}"), 3, null, "no corrupted prompt"),
                Arguments.of("ids not a list", List.of("{\"clean_ids\": \"1 2\", \"corrupted_ids\": [2]}"), 1, "clean_ids", "expected a list of token ids"),
                Arguments.of("a negative id", List.of("{\"clean_ids\": [1, -2], \"corrupted_ids\": [2, 3]}"), 1, "clean_ids", "element 1 is -2"),
                Arguments.of("a fractional id", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2.5]}"), 1, "corrupted_ids", "element 0 is 2.5"),
                Arguments.of("no ids", List.of("{\"clean_ids\": [], \"corrupted_ids\": []}"), 1, "clean_ids", "no token ids"),
                Arguments.of("text not a string", List.of("{\"clean\": 5, \"corrupted_ids\": [2]}"), 1, "clean", "expected a string"),
                Arguments.of("answer without wrong_answer", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2], \"answer\": 3}"), 1, "wrong_answer", "come together"),
                Arguments.of("answer of the wrong type", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2], \"answer\": true, \"wrong_answer\": 3}"), 1, "answer", "expected a token id"),
                Arguments.of("answers on some lines only", List.of(okAnswers, okAnswers, ok), 3, "answer", "while line 1 gives"),
                Arguments.of("defaults after an example", List.of(ok, "{\"defaults\": {\"metric\": \"kl\"}}"), 2, "defaults", "first line"),
                Arguments.of("defaults with an example", List.of("{\"defaults\": {}, \"clean_ids\": [1]}"), 1, "clean_ids", "holds only"),
                Arguments.of("an unknown default", List.of("{\"defaults\": {\"metrics\": \"kl\"}}", ok), 1, "defaults.metrics", "unknown field"),
                Arguments.of("a default metric the file cannot offer", List.of("{\"defaults\": {\"metric\": \"logit-diff\"}}", ok), 1, "defaults.metric", "need answer"),
                Arguments.of("a position twice", List.of("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4], \"positions\": [1, 1]}"), 1, "positions", "listed twice"),
                Arguments.of("a position not an integer", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2], \"positions\": [\"last\"]}"), 1, "positions", "expected a position"),
                Arguments.of("no examples", List.of("{\"defaults\": {\"metric\": \"kl\"}}", ""), 0, null, "no examples"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedFiles")
    void a_malformed_file_is_refused_in_one_line_naming_the_line_and_field(String what, List<String> lines, int line, String field,
                                                                          String phrase) {
        Path f = write(tmp.resolve("bad.jsonl"), lines);
        TaskFileException ex = assertThrows(TaskFileException.class, () -> TaskFile.read(f));
        assertRefusal(ex, f, line, field, phrase);
    }

    /** A refusal that needs the model (vocabulary, context) or the tokenizer. */
    static Stream<Arguments> refusedForTheModel() {
        return Stream.of(
                Arguments.of("an id outside the vocabulary", List.of("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 101]}"), 1, "corrupted_ids",
                        "id 101 (element 1) is outside the vocabulary of model 'tiny' (ids 0..100)"),
                Arguments.of("more tokens than the context", List.of("{\"clean_ids\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1], \"corrupted_ids\": [2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]}"),
                        1, "clean_ids", "17 tokens, more than the context of 16"),
                Arguments.of("clean and corrupted of different lengths", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2]}", "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5]}"),
                        2, "corrupted_ids", "3 tokens in clean_ids but 2 in corrupted_ids"),
                Arguments.of("a position outside the example", List.of("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4], \"positions\": [2]}"), 1, "positions",
                        "position 2 is outside this example's 2 tokens"),
                Arguments.of("a default position outside an example", List.of("{\"defaults\": {\"positions\": [-3]}}", "{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6]}",
                        "{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4]}"), 3, "positions (from the defaults on line 1)", "position -3 is outside"),
                Arguments.of("two positions resolving to one", List.of("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4], \"positions\": [1, -1]}"), 1, "positions",
                        "two entries name position 1"),
                Arguments.of("answers with two positions", List.of("{\"clean_ids\": [1, 2], \"corrupted_ids\": [3, 4], \"positions\": [0, 1], \"answer\": 1, \"wrong_answer\": 2}"),
                        1, "positions", "give one position"),
                Arguments.of("an answer outside the vocabulary", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2], \"answer\": 1, \"wrong_answer\": 500}"), 1, "wrong_answer",
                        "id 500 is outside the output vocabulary"),
                Arguments.of("text without a tokenizer", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2]}", "{\"clean\": \"ab\", \"corrupted_ids\": [2, 3]}"), 2, "clean",
                        "text needs a tokenizer"),
                Arguments.of("an answer string without a tokenizer", List.of("{\"clean_ids\": [1], \"corrupted_ids\": [2], \"answer\": \" a\", \"wrong_answer\": 3}"), 1, "answer",
                        "give token ids (a number)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedForTheModel")
    void an_example_the_model_cannot_read_is_refused_naming_the_line_and_field(String what, List<String> lines, int line, String field,
                                                                               String phrase) {
        Path f = write(tmp.resolve("bad.jsonl"), lines);
        TaskFileException ex = assertThrows(TaskFileException.class, () -> encode(f));
        assertRefusal(ex, f, line, field, phrase);
    }

    static Stream<Arguments> refusedText() {
        return Stream.of(
                Arguments.of("characters the vocabulary lacks", "{\"clean\": \"ab Zz\", \"corrupted\": \"ab ab\"}", "clean", "cannot encode this text"),
                Arguments.of("text that gives no tokens", "{\"clean\": \"ab\", \"corrupted\": \"!!\"}", "corrupted", "as no tokens"),
                Arguments.of("a lone surrogate", "{\"clean\": \"a\\ud800b\", \"corrupted\": \"ab\"}", "clean", "not valid Unicode"),
                Arguments.of("an answer of two tokens", "{\"clean\": \"ab\", \"corrupted\": \"ba\", \"answer\": \" ab\", \"wrong_answer\": \" b\"}", "answer",
                        "is 2 tokens [27, 1]; an answer must be a single token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedText")
    void text_the_tokenizer_cannot_encode_is_refused_naming_the_line_and_field(String what, String line, String field, String phrase) {
        String first = line.contains("answer") ? "{\"clean\": \"ab\", \"corrupted\": \"ba\", \"answer\": 1, \"wrong_answer\": 2}"
                : "{\"clean\": \"ab\", \"corrupted\": \"ba\"}";
        Path f = write(tmp.resolve("bad.jsonl"), List.of(first, line));
        TaskFileException ex = assertThrows(TaskFileException.class, () -> encodeWithLetters(f));
        assertRefusal(ex, f, 2, field, phrase);
    }

    @Test
    void text_whose_tokens_fall_outside_the_models_vocabulary_asks_whether_the_tokenizer_is_the_models() {
        Path f = file("{\"clean\": \"az\", \"corrupted\": \"ab\"}");
        TransformerConfig small = TransformerConfig.gpt2Style("small-vocab", 1, 8, 2, 16, 20, 16, 1e-5);
        try (HfTokenizer t = HfTokenizer.fromDirectory(FileTaskFixtures.letterTokenizer(tmp.resolve("letters")))) {
            TaskFileException ex = assertThrows(TaskFileException.class, () -> FileExamples.encode(TaskFile.read(f), t, "letters", small));
            assertRefusal(ex, f, 1, "clean", "gives id 25 for token 1 (\"z\"), outside the vocabulary of model 'small-vocab' (ids 0..19)");
            assertTrue(ex.getMessage().contains("the model's own tokenizer"), ex.getMessage());
        }
    }

    @Test
    void a_missing_file_and_a_file_that_is_not_utf8_are_refused_naming_the_file() throws IOException {
        Path missing = tmp.resolve("nope.jsonl");
        assertRefusal(assertThrows(TaskFileException.class, () -> TaskFile.read(missing)), missing, 0, null, "no such file");
        Path latin1 = tmp.resolve("latin1.jsonl");
        Files.write(latin1, new byte[] {'{', '"', 'c', 'l', 'e', 'a', 'n', '"', ':', '"', (byte) 0xE9, '"', '}'});
        assertRefusal(assertThrows(TaskFileException.class, () -> TaskFile.read(latin1)), latin1, 0, null, "not UTF-8");
    }

    static void assertRefusal(TaskFileException ex, Path file, int line, String field, String phrase) {
        String m = ex.getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.startsWith(file.toString() + (line > 0 ? " line " + line : "")), m);
        assertEquals(line, ex.line(), m);
        assertEquals(field, ex.field(), m);
        if (field != null) assertTrue(m.contains(", field " + field + ":"), m);
        assertTrue(m.contains(phrase), "expected '" + phrase + "' in: " + m);
    }

    @Test
    void scored_positions_of_one_per_row_are_the_same_indices_as_the_builtin_last_position() {
        FileExamples e = encode(file("{\"clean_ids\": [1, 2, 3], \"corrupted_ids\": [4, 5, 6]}", "{\"clean_ids\": [7, 8, 9], \"corrupted_ids\": [1, 2, 3]}"));
        assertArrayEquals(ScoredPositions.last().flatIndices(2, 3), e.scoredPositions().flatIndices(2, 3));
    }
}
