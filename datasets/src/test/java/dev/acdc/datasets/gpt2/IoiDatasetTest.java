package dev.acdc.datasets.gpt2;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.acdc.datasets.testing.DjlTestTokenizer;
import dev.acdc.datasets.testing.SharedDatasets;
import dev.acdc.datasets.testing.WordTokenizer;
import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IoiDatasetTest {

    @Test
    void word_lists_in_resources_equal_the_shared_ones() {
        JsonObject shared = SharedDatasets.load("ioi.json");
        IoiVocabulary v = IoiVocabulary.acdc();
        assertEquals(SharedDatasets.strings(shared.get("NAMES")), v.names());
        assertEquals(SharedDatasets.strings(shared.get("PLACES")), v.places());
        assertEquals(SharedDatasets.strings(shared.get("OBJECTS")), v.objects());
        assertEquals(SharedDatasets.strings(shared.get("ABBA_TEMPLATES")), v.abbaTemplates());
    }

    @Test
    void acdc_prompts_reproduce_the_shared_generated_prompts_exactly() {
        JsonArray expected = SharedDatasets.load("ioi.json").getAsJsonObject("generated").getAsJsonArray("prompts");
        List<IoiPrompt> got = IoiDataset.acdc().prompts();
        assertEquals(expected.size(), got.size());
        List<Runnable> checks = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            JsonObject e = expected.get(i).getAsJsonObject();
            IoiPrompt p = got.get(i);
            String[] words = p.corruptedText().split(" ");
            JsonObject byWord = e.getAsJsonObject("corrupted_names_by_word");
            int idx = i;
            checks.add(() -> assertEquals(
                    List.of(e.get("clean_text").getAsString(), e.get("IO").getAsString(), e.get("S").getAsString(),
                            e.get("place").getAsString(), e.get("object").getAsString(), e.get("corrupted_text").getAsString(),
                            e.get("corrupted_IO_field").getAsString(), e.get("corrupted_S_field").getAsString(),
                            byWord.get("word1").getAsString(), byWord.get("word3").getAsString(), byWord.get("word8").getAsString()),
                    List.of(p.cleanText(), p.io(), p.s(), p.place(), p.object(), p.corruptedText(), p.corruptedIo(), p.corruptedS(),
                            words[1], words[3], words[8]),
                    "prompt " + idx));
        }
        assertAll(checks.stream().map(r -> r::run));
    }

    @ParameterizedTest(name = "prompt {0}: S1 step hits word 1 because R2 equals R1")
    @CsvSource({"16", "29", "65", "97", "120"})
    void the_s1_step_quirk_replaces_the_first_name_when_the_new_s_equals_the_new_io(int i) {
        IoiPrompt p = IoiDataset.acdc().prompts().get(i);
        String[] w = p.corruptedText().split(" ");
        assertEquals(p.corruptedS(), p.corruptedIo());
        assertEquals(p.corruptedS(), w[3]);
        assertEquals(p.corruptedS(), w[13]);
    }

    @Test
    void acdc_token_ids_equal_the_shared_ids_and_inputs_are_15_tokens() {
        JsonArray expected = SharedDatasets.load("ioi.json").getAsJsonObject("generated").getAsJsonArray("prompts");
        TextTokenizer tok = DjlTestTokenizer.gpt2();
        List<IoiTokens> got = IoiDataset.acdc().tokenize(tok);
        List<Runnable> checks = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            JsonObject e = expected.get(i).getAsJsonObject();
            IoiTokens t = got.get(i);
            String at = "prompt " + i;
            checks.add(() -> assertEquals(15, t.inputs().length(), at));
            checks.add(() -> assertArrayEquals(SharedDatasets.ints(e.get("clean_input_ids")), t.inputs().clean(), at));
            checks.add(() -> assertArrayEquals(SharedDatasets.ints(e.get("corrupted_input_ids")), t.inputs().corrupted(), at));
            checks.add(() -> assertEquals(e.get("io_token_id").getAsInt(), t.ioTokenId(), at));
            checks.add(() -> assertEquals(e.get("s_token_id").getAsInt(), t.sTokenId(), at));
        }
        assertAll(checks.stream().map(r -> r::run));
    }

    @Test
    void every_name_place_and_object_is_one_gpt2_token_after_a_space() {
        TextTokenizer tok = DjlTestTokenizer.gpt2();
        IoiVocabulary v = IoiVocabulary.acdc();
        List<String> words = new ArrayList<>(v.names());
        words.addAll(v.places());
        words.addAll(v.objects());
        assertAll(words.stream().map(w -> () -> assertEquals(1, tok.encode(" " + w).length, w)));
    }

    @Test
    void splits_are_the_two_halves_in_order() {
        IoiDataset d = IoiDataset.generate(10, 4);
        assertEquals(d.prompts().subList(0, 5), d.validation());
        assertEquals(d.prompts().subList(5, 10), d.test());
        assertTrue(d.prompts().stream().allMatch(p -> !p.io().equals(p.s()) && !p.corruptedIo().equals(p.io())));
    }

    @Test
    void model_inputs_drop_the_final_name() {
        IoiPrompt p = IoiDataset.acdc().prompts().get(0);
        assertEquals("Then, Mary and Jeffrey went to the restaurant. Jeffrey gave a bone to", p.cleanInput());
        assertEquals(" Mary", p.ioAnswer());
        assertEquals(" Jeffrey", p.sAnswer());
    }

    @Test
    void tokenize_works_with_any_tokenizer_whose_names_are_single_tokens() {
        List<IoiTokens> t = IoiDataset.generate(4, 0).tokenize(new WordTokenizer());
        assertEquals(13, t.get(0).inputs().length()); // 14 words, the last (IO) dropped
    }
}
