package dev.acdc.datasets.gpt2;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.acdc.datasets.testing.DjlTestTokenizer;
import dev.acdc.datasets.random.TorchCpuRandom;
import dev.acdc.datasets.testing.SharedDatasets;
import dev.acdc.datasets.testing.WordTokenizer;
import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GreaterThanDatasetTest {
    private static List<Integer> gpt2Years;

    private static synchronized List<Integer> gpt2Years() {
        if (gpt2Years == null) gpt2Years = GreaterThanYears.derive(DjlTestTokenizer.gpt2());
        return gpt2Years;
    }

    private static List<Integer> sharedYears(JsonObject shared) {
        return SharedDatasets.strings(shared.get("YEARS")).stream().map(Integer::parseInt).toList();
    }

    @Test
    void nouns_in_resources_equal_the_shared_ones_and_are_single_tokens() {
        assertEquals(SharedDatasets.strings(SharedDatasets.load("greaterthan.json").get("NOUNS")), GreaterThanDataset.nouns());
        TextTokenizer tok = DjlTestTokenizer.gpt2();
        assertAll(GreaterThanDataset.nouns().stream().map(n -> () -> assertEquals(1, tok.encode(" " + n).length, n)));
    }

    @Test
    void the_year_rule_on_gpt2_gives_the_shared_604_years() {
        JsonObject shared = SharedDatasets.load("greaterthan.json");
        assertEquals(604, gpt2Years().size());
        assertEquals(sharedYears(shared), gpt2Years());
    }

    @ParameterizedTest(name = "century {0} keeps {1} years")
    @CsvSource({"11, 52", "12, 94", "13, 87", "14, 94", "15, 87", "16, 95", "17, 95"})
    void per_century_counts_match_the_readme(int century, int count) {
        assertEquals(count, gpt2Years().stream().filter(y -> y / 100 == century).count());
    }

    @ParameterizedTest(name = "\" {0}\" splits as \" CC\" + \"YY\": {1}")
    @CsvSource({"1732, true", "1289, true", "1102, false", "1109, false"})
    void years_split_into_century_and_two_digit_tokens_or_not(int year, boolean splits) {
        assertEquals(splits, GreaterThanYears.splitsAsCenturyAndTwoDigits(DjlTestTokenizer.gpt2(), year));
    }

    @Test
    void two_digit_token_ids_equal_the_shared_ones() {
        JsonObject shared = SharedDatasets.load("greaterthan.json");
        int[] ids = GreaterThanYears.twoDigitTokenIds(DjlTestTokenizer.gpt2());
        assertArrayEquals(SharedDatasets.ints(shared.get("TWO_DIGIT_TOKEN_IDS")), ids);
        assertEquals(405, ids[0]);
        assertEquals(486, ids[1]);
        assertEquals(100, Arrays.stream(ids).distinct().count());
    }

    @Test
    void acdc_prompts_reproduce_the_shared_generated_prompts_and_ids_exactly() {
        JsonObject gen = SharedDatasets.load("greaterthan.json").getAsJsonObject("generated");
        JsonArray expected = gen.getAsJsonArray("prompts");
        TextTokenizer tok = DjlTestTokenizer.gpt2();
        GreaterThanDataset d = GreaterThanDataset.acdc(gpt2Years());
        List<GreaterThanTokens> toks = d.tokenize(tok);
        assertEquals(expected.size(), d.prompts().size());
        List<Runnable> checks = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            JsonObject e = expected.get(i).getAsJsonObject();
            GreaterThanPrompt p = d.prompts().get(i);
            GreaterThanTokens t = toks.get(i);
            String at = "prompt " + i;
            checks.add(() -> assertEquals(e.get("text").getAsString(), p.text(), at));
            checks.add(() -> assertEquals(e.get("noun").getAsString(), p.noun(), at));
            checks.add(() -> assertEquals(Integer.parseInt(e.get("year").getAsString()), p.year(), at));
            checks.add(() -> assertEquals(e.get("YY").getAsInt(), t.yy(), at));
            checks.add(() -> assertArrayEquals(SharedDatasets.ints(e.get("token_ids")), t.inputs().clean(), at));
            checks.add(() -> assertArrayEquals(SharedDatasets.ints(e.get("corrupted_token_ids")), t.inputs().corrupted(), at));
            checks.add(() -> assertEquals(p.corruptedText(), tok.decode(t.inputs().corrupted()), at));
            checks.add(() -> assertEquals(10, t.inputs().length(), at));
        }
        assertAll(checks.stream().map(r -> r::run));
    }

    @Test
    void the_sampled_indices_equal_the_shared_permutations() {
        JsonObject gen = SharedDatasets.load("greaterthan.json").getAsJsonObject("generated");
        var rng = new TorchCpuRandom(GreaterThanDataset.ACDC_SEED);
        assertArrayEquals(SharedDatasets.ints(gen.get("nouns_perm")), rng.randint(120, 200));
        assertArrayEquals(SharedDatasets.ints(gen.get("years_perm")), rng.randint(604, 200));
    }

    @Test
    void the_prompt_ends_with_to_cc_as_in_the_acdc_code_not_to_the_year_cc() {
        GreaterThanPrompt p = new GreaterThanPrompt("war", 1732);
        assertEquals("The war lasted from the year 1732 to 17", p.text());
        assertEquals("The war lasted from the year 1701 to 17", p.corruptedText());
        assertEquals(32, p.yy());
        assertEquals("17", p.century());
    }

    @Test
    void tokenizing_with_a_tokenizer_that_does_not_split_years_names_the_prompt_and_the_fix() {
        GreaterThanDataset d = GreaterThanDataset.generate(GreaterThanDataset.nouns(), List.of(1732), 2, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.tokenize(new WordTokenizer()));
        assertTrue(e.getMessage().startsWith("greater-than prompt 0 'The "), e.getMessage());
        assertTrue(e.getMessage().endsWith("Was the year list derived with this tokenizer?"), e.getMessage());
    }
}
