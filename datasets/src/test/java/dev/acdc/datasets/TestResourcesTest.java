package dev.acdc.datasets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The generated prompts and circuits the dataset tests compare against are in the repository's test resources. */
class TestResourcesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"datasets/ioi.json", "datasets/greaterthan.json", "datasets/docstring.json", "datasets/circuits.json",
            "fixtures/gpt2-tiny/model.safetensors", "fixtures/gpt2-tokenizer/tokenizer.json"})
    void the_dataset_file_is_on_the_test_classpath_of_a_fresh_clone(String resource) {
        assertNotNull(getClass().getClassLoader().getResource(resource), resource + " is not in the test resources");
    }
}
