package dev.acdc.datasets.gpt2;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.acdc.datasets.testing.DjlTestTokenizer;
import dev.acdc.datasets.testing.SharedDatasets;
import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocstringDatasetTest {

    @Test
    void word_lists_in_resources_equal_the_shared_ones() {
        JsonObject shared = SharedDatasets.load("docstring.json");
        assertEquals(SharedDatasets.strings(shared.get("variable_names")), DocstringDataset.variableNames());
        assertEquals(SharedDatasets.strings(shared.get("common_single_token_nouns")), DocstringDataset.nouns());
    }

    @Test
    void acdc_prompts_reproduce_every_shared_text_and_answer_exactly() {
        JsonArray expected = SharedDatasets.load("docstring.json").getAsJsonObject("generated").getAsJsonArray("prompts");
        DocstringDataset d = DocstringDataset.acdc();
        assertEquals(expected.size(), d.prompts().size());
        List<Runnable> checks = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            JsonObject e = expected.get(i).getAsJsonObject();
            DocstringPrompt p = d.prompts().get(i);
            String at = "seed " + i;
            checks.add(() -> assertEquals(e.get("seed").getAsInt(), p.seed(), at));
            checks.add(() -> assertEquals(e.get("clean_text").getAsString(), p.cleanText(), at));
            checks.add(() -> assertEquals(e.get("random_random_text").getAsString(), p.corruptedText(), at));
            checks.add(() -> assertEquals(e.get("correct_answer").getAsString(), p.correctAnswer(), at));
            checks.add(() -> assertEquals(SharedDatasets.strings(e.get("wrong_answers")), p.wrongAnswers(), at));
            JsonObject all = e.getAsJsonObject("all_corrupt_texts");
            for (DocstringCorruption c : DocstringCorruption.values()) {
                checks.add(() -> assertEquals(all.get(c.acdcName()).getAsString(), p.corruptedTexts().get(c), at + " " + c.acdcName()));
            }
        }
        assertAll(checks.stream().map(r -> r::run));
    }

    @Test
    void acdc_settings_sample_15_names_and_give_13_wrong_answers() {
        assertEquals(15, DocstringSettings.acdc().namesPerPrompt());
        assertAll(DocstringDataset.acdc().prompts().stream().map(p -> () -> assertEquals(13, p.wrongAnswers().size())));
    }

    @Test
    void seed_0_is_the_readme_example() {
        DocstringPrompt p = DocstringDataset.prompt(DocstringSettings.acdc(), 0);
        assertEquals("\ndef old(self, first, files, page, names, size, read):\n    \"\"\"sector gap population\n\n"
                + "    :param page: message tree\n    :param names: detail mine\n    :param", p.cleanText());
        assertEquals(" size", p.correctAnswer());
    }

    @Test
    void splits_are_seeds_0_to_49_and_50_to_99() {
        DocstringDataset d = DocstringDataset.acdc();
        assertEquals(0, d.validation().get(0).seed());
        assertEquals(49, d.validation().get(49).seed());
        assertEquals(50, d.test().get(0).seed());
        assertEquals(50, d.test().size());
    }

    @Test
    void tokenize_prepends_bos_and_takes_first_answer_tokens() {
        // GPT-2's tokenizer stands in for attn-only-4l's here; the lengths then differ per prompt, so use one prompt
        TextTokenizer tok = DjlTestTokenizer.gpt2();
        DocstringPrompt p = DocstringDataset.prompt(DocstringSettings.acdc(), 0);
        DocstringTokens t = DocstringDataset.generate(DocstringSettings.acdc(), 2).tokenize(tok, 50256).get(0);
        int[] clean = t.inputs().clean();
        assertEquals(50256, clean[0]);
        assertArrayEquals(tok.encode(p.cleanText()), Arrays.copyOfRange(clean, 1, clean.length));
        assertEquals(tok.encode(" size")[0], t.correctTokenId());
        assertEquals(13, t.wrongTokenIds().length);
    }

    @Test
    void settings_needing_more_names_than_exist_are_rejected_with_the_count() {
        DocstringSettings tooMany = new DocstringSettings(40, 2, 1, 0, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DocstringDataset.prompt(tooMany, 0));
        assertTrue(e.getMessage().contains("only 111 exist"), e.getMessage());
    }
}
