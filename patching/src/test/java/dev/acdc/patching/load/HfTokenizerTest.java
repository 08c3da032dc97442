package dev.acdc.patching.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.testsupport.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

class HfTokenizerTest {
    private static final String REL = "fixtures/gpt2-tokenizer";
    private static Path dir;
    private static HfTokenizer fromJson;
    private static HfTokenizer fromVocab;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        dir = Fixtures.path(REL);
        fromJson = HfTokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        fromVocab = HfTokenizer.fromVocabAndMerges(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    }

    @AfterAll
    static void close() {
        if (fromJson != null) fromJson.close();
        if (fromVocab != null) fromVocab.close();
    }

    private record Case(String text, int[] ids) {}

    private static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        JsonObject expected = ConfigJson.readObject(dir.resolve("expected.json"));
        for (JsonElement e : expected.getAsJsonArray("cases")) {
            JsonObject o = e.getAsJsonObject();
            out.add(new Case(o.get("text").getAsString(), Gpt2TinyFixture.ints(o.getAsJsonArray("ids"))));
        }
        return out;
    }

    @Test
    void tokenizerJsonGivesTheReferenceIds() {
        for (Case c : cases()) assertArrayEquals(c.ids(), fromJson.encode(c.text()), "ids of \"" + c.text() + "\"");
    }

    @Test
    void vocabAndMergesGiveTheReferenceIds() {
        for (Case c : cases()) assertArrayEquals(c.ids(), fromVocab.encode(c.text()), "ids of \"" + c.text() + "\"");
    }

    @Test
    void decodingTheIdsGivesBackTheText() {
        for (Case c : cases()) {
            assertEquals(c.text(), fromJson.decode(c.ids()));
            assertEquals(c.text(), fromVocab.decode(c.ids()));
        }
    }

    @Test
    void endOfTextInsideTheTextIsTheSpecialTokenAsInHf() {
        assertArrayEquals(new int[] {15496, 50256}, fromJson.encode("Hello<|endoftext|>"));
        assertArrayEquals(new int[] {15496, 50256}, fromVocab.encode("Hello<|endoftext|>"));
        assertEquals("<|endoftext|>", fromJson.tokenString(50256));
    }

    @Test
    void noSpecialTokensAreAddedAndLongTextIsNotTruncated() {
        String text = " the".repeat(3000);
        int[] ids = fromJson.encode(text);
        assertEquals(3000, ids.length);
        for (int id : ids) assertEquals(262, id);
    }

    @Test
    void tokenStringIsTheDecodedToken() {
        assertEquals(" Mary", fromJson.tokenString(5335));
        assertEquals(" John", fromVocab.tokenString(1757));
    }

    @Test
    void directoryWithOnlyVocabAndMergesIsFound() throws IOException {
        Files.copy(dir.resolve("vocab.json"), tmp.resolve("vocab.json"));
        Files.copy(dir.resolve("merges.txt"), tmp.resolve("merges.txt"));
        assertTrue(HfTokenizer.hasTokenizer(tmp));
        try (HfTokenizer t = HfTokenizer.fromDirectory(tmp)) {
            assertArrayEquals(new int[] {5335}, t.encode(" Mary"));
        }
    }

    @Test
    void directoryWithoutTokenizerFilesIsNamed() {
        var ex = assertThrows(ModelLoadException.class, () -> HfTokenizer.fromDirectory(tmp));
        assertMentions(ex, "no tokenizer in " + tmp, "tokenizer.json", "vocab.json", "merges.txt");
    }

    @Test
    void malformedMergeLineIsNamed() throws IOException {
        Files.copy(dir.resolve("vocab.json"), tmp.resolve("vocab.json"));
        Files.writeString(tmp.resolve("merges.txt"), "#version: 0.2\nĠ t\nthree symbols here\n");
        var ex = assertThrows(ModelLoadException.class, () -> HfTokenizer.fromDirectory(tmp));
        assertMentions(ex, "merges.txt line 3", "expected two symbols", "three symbols here");
    }

    @Test
    void missingTokenizerJsonIsNamed() {
        Path f = tmp.resolve("tokenizer.json");
        var ex = assertThrows(ModelLoadException.class, () -> HfTokenizer.fromTokenizerJson(f));
        assertMentions(ex, "missing file", f.toString());
    }
}
