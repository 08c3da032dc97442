package dev.acdc.experiments;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The data behind our strongest checks (golden GPT-2 logits, the real tokenizer, the generated datasets) is part of
 * the repository's test resources, so a fresh clone runs those checks instead of skipping them.
 */
class TestResourcesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "fixtures/gpt2-tiny/config.json", "fixtures/gpt2-tiny/model.safetensors", "fixtures/gpt2-tiny/model_prefixed.safetensors",
            "fixtures/gpt2-tiny/expected.json", "fixtures/gpt2-tokenizer/tokenizer.json", "fixtures/gpt2-tokenizer/vocab.json",
            "fixtures/gpt2-tokenizer/merges.txt", "fixtures/gpt2-tokenizer/expected.json",
            "fixtures/gpt2-tokenizer/LICENSE-openai-gpt-2.txt"})
    void the_fixture_file_is_on_the_test_classpath_of_a_fresh_clone(String resource) {
        assertNotNull(getClass().getClassLoader().getResource(resource), resource + " is not in the test resources");
    }
}
