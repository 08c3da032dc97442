package dev.acdc.datasets.testing;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Test-only {@link TextTokenizer} over DJL's HuggingFace tokenizers, reading a local
 * {@code tokenizer.json} (never a hub id), until the project's own {@code HfTokenizer} lands.
 */
public final class DjlTestTokenizer implements TextTokenizer {
    private static final String GPT2 = "fixtures/gpt2-tokenizer/tokenizer.json";
    private static DjlTestTokenizer gpt2;

    private final HuggingFaceTokenizer hf;

    private DjlTestTokenizer(Path tokenizerJson) {
        try {
            this.hf = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + tokenizerJson, e);
        }
    }

    /** GPT-2's tokenizer from the test resources' {@code fixtures/gpt2-tokenizer}, shared by all tests. */
    public static synchronized TextTokenizer gpt2() {
        if (gpt2 == null) gpt2 = new DjlTestTokenizer(Fixtures.path(GPT2));
        return gpt2;
    }

    @Override
    public int[] encode(String text) {
        return Arrays.stream(hf.encode(text, false, false).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return hf.decode(Arrays.stream(ids).asLongStream().toArray(), false);
    }

    @Override
    public String tokenString(int id) {
        return decode(new int[] {id});
    }
}
