package dev.acdc.patching.load;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model's own tokenizer through DJL's binding of Hugging Face {@code tokenizers}, read from local
 * files only (never a hub id, so nothing is fetched behind the user's back).
 *
 * <p>Two sources: a {@code tokenizer.json}, or a GPT-2 style {@code vocab.json} + {@code merges.txt}
 * pair, from which an equivalent byte-level BPE {@code tokenizer.json} is synthesised in memory
 * (ByteLevel pre-tokenizer without a prefix space, ByteLevel decoder, {@code <|endoftext|>} as the
 * special added token when the vocabulary has it). Special tokens are never added: {@code encode}
 * returns exactly the text's tokens, as HF {@code GPT2Tokenizer} does.
 */
public final class HfTokenizer implements TextTokenizer {
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String VOCAB_JSON = "vocab.json";
    public static final String MERGES_TXT = "merges.txt";
    private static final String END_OF_TEXT = "<|endoftext|>";

    private final HuggingFaceTokenizer tokenizer;
    private final String source;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, String source) {
        this.tokenizer = tokenizer;
        this.source = source;
    }

    /**
     * The tokenizer stored with a model: {@code dir/tokenizer.json}, else {@code dir/vocab.json} +
     * {@code dir/merges.txt}.
     */
    public static HfTokenizer fromDirectory(Path dir) {
        if (Files.isRegularFile(dir.resolve(TOKENIZER_JSON))) return fromTokenizerJson(dir.resolve(TOKENIZER_JSON));
        if (Files.isRegularFile(dir.resolve(VOCAB_JSON)) && Files.isRegularFile(dir.resolve(MERGES_TXT))) {
            return fromVocabAndMerges(dir.resolve(VOCAB_JSON), dir.resolve(MERGES_TXT));
        }
        throw new ModelLoadException("no tokenizer in " + dir + ": expected " + TOKENIZER_JSON + ", or " + VOCAB_JSON + " and "
                + MERGES_TXT + "; found " + (Files.isDirectory(dir) ? "neither" : "no such directory"));
    }

    /** Whether {@link #fromDirectory} would find a tokenizer in {@code dir}. */
    public static boolean hasTokenizer(Path dir) {
        return Files.isRegularFile(dir.resolve(TOKENIZER_JSON))
                || (Files.isRegularFile(dir.resolve(VOCAB_JSON)) && Files.isRegularFile(dir.resolve(MERGES_TXT)));
    }

    /** Reads a Hugging Face {@code tokenizer.json} file. */
    public static HfTokenizer fromTokenizerJson(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException ex) {
            throw new ModelLoadException("missing file: " + file + " (expected a Hugging Face tokenizer.json)");
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        return open(new ByteArrayInputStream(bytes), file.toString());
    }

    /** Builds a GPT-2 byte-level BPE tokenizer from {@code vocab.json} and {@code merges.txt}. */
    public static HfTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt) {
        JsonObject vocab = ConfigJson.readObject(vocabJson);
        for (var e : vocab.entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                throw new ModelLoadException(vocabJson + ": token " + e.getKey() + " maps to " + v + ", expected an integer id");
            }
        }
        JsonArray merges = readMerges(mergesTxt);
        String json = gpt2TokenizerJson(vocab, merges).toString();
        return open(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), vocabJson + " + " + mergesTxt);
    }

    private static JsonArray readMerges(Path mergesTxt) {
        List<String> lines;
        try {
            lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        } catch (NoSuchFileException ex) {
            throw new ModelLoadException("missing file: " + mergesTxt + " (expected GPT-2 BPE merges)");
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + mergesTxt + ": " + ex.getMessage(), ex);
        }
        JsonArray merges = new JsonArray();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if ((i == 0 && line.startsWith("#version")) || line.isEmpty()) continue;
            String[] parts = line.split(" ");
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new ModelLoadException(mergesTxt + " line " + (i + 1) + ": expected two symbols separated by one space, found \""
                        + line + "\"");
            }
            merges.add(line);
        }
        return merges;
    }

    /** The tokenizer.json that HF's GPT2TokenizerFast would serialise for this vocabulary and these merges. */
    static JsonObject gpt2TokenizerJson(JsonObject vocab, JsonArray merges) {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        if (vocab.has(END_OF_TEXT)) {
            JsonObject eot = new JsonObject();
            eot.addProperty("id", vocab.get(END_OF_TEXT).getAsInt());
            eot.addProperty("content", END_OF_TEXT);
            eot.addProperty("single_word", false);
            eot.addProperty("lstrip", false);
            eot.addProperty("rstrip", false);
            eot.addProperty("normalized", true);
            eot.addProperty("special", true);
            added.add(eot);
        }
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", byteLevel(false, true));
        root.add("post_processor", byteLevel(true, false));
        root.add("decoder", byteLevel(true, true));
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.addProperty("continuing_subword_prefix", "");
        model.addProperty("end_of_word_suffix", "");
        model.addProperty("fuse_unk", false);
        model.add("vocab", vocab);
        model.add("merges", merges);
        root.add("model", model);
        return root;
    }

    private static JsonObject byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        JsonObject o = new JsonObject();
        o.addProperty("type", "ByteLevel");
        o.addProperty("add_prefix_space", addPrefixSpace);
        o.addProperty("trim_offsets", trimOffsets);
        return o;
    }

    private static HfTokenizer open(InputStream json, String source) {
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(json,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            return new HfTokenizer(t, source);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read tokenizer " + source + ": " + ex.getMessage(), ex);
        } catch (RuntimeException ex) {
            throw new ModelLoadException("invalid tokenizer " + source + ": " + firstLine(ex.getMessage()), ex);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Where this tokenizer was read from. */
    public String source() {
        return source;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return tokenizer.decode(l, false);
    }

    @Override
    public String tokenString(int id) {
        return decode(new int[] {id});
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
