package dev.acdc.patching.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A model's own tokenizer.json in the SentencePiece-BPE form of Llama 2 and Gemma (a "▁" word prefix, byte fallback, and
 * a post-processor that would put BOS first): read from the model directory, with no special token added.
 */
class HfTokenizerFamiliesTest {

    @Test
    void sentencePieceTokenizerJsonEncodesWithoutBosAndDecodesWords() {
        try (HfTokenizer t = HfTokenizer.fromDirectory(HfFixture.resource("/tokenizers/sentencepiece-bpe"))) {
            assertArrayEquals(new int[] {15, 19}, t.encode("Mary John"), "no <s> (id 1) in front");
            assertEquals("Mary John", t.decode(new int[] {15, 19}));
            assertEquals("Mary", t.tokenString(15));
        }
    }
}
