package dev.acdc.datasets.gpt2;

import dev.acdc.datasets.random.NumpyRandomState;
import dev.acdc.datasets.random.PythonRandom;
import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The IOI prompts of the ACDC code, reproduced exactly: {@code IOIDataset(prompt_type="ABBA", N,
 * nb_templates=1, seed)} for the clean prompts and the chain {@code gen_flipped_prompts(("IO","RAND"),
 * seed=1)}, {@code (("S","RAND"), seed=2)}, {@code (("S1","RAND"), seed=3)} for the ABC corruption.
 *
 * <p><b>Clean prompts</b> ({@code gen_prompt_uniform}, CPython {@code random} seeded with
 * {@code (seed + 987654321) % 123456789}). Per prompt, in this order of draws: a template (a choice from
 * a one-element list still draws), then three names redrawn together until pairwise distinct (the third
 * is unused), then a place, then an object. Slots are filled {@code [PLACE]}, {@code [OBJECT]}, then
 * every {@code [A]} with IO and every {@code [B]} with S.
 *
 * <p><b>Corruption</b> works on {@code text.split(" ")}; each step reseeds NumPy's legacy generator with
 * {@code (stepSeed + 345467) % 5432} and walks all prompts:
 * <ol>
 *   <li>IO: draw a name until it differs from IO and S, replace the first IO word, then the (new) first IO
 *       word again, i.e. both occurrences;</li>
 *   <li>S: draw a name (no rejection), replace the first and then the last S word;</li>
 *   <li>S1: draw a name (no rejection), replace the first word equal to the current S. When that name
 *       equals the new IO, this hits word 1 instead of word 3 (5 of the ACDC prompts): kept as is.</li>
 * </ol>
 *
 * <p>Splits: the first half is validation (what ACDC runs on), the second half is test.
 */
public final class IoiDataset {
    /** The ACDC run's prompt count (100 validation + 100 test). */
    public static final int ACDC_SIZE = 200;

    private static final long UNIFORM_SEED_OFFSET = 987654321L;
    private static final long UNIFORM_SEED_MODULUS = 123456789L;
    private static final long FLIP_SEED_OFFSET = 345467L;
    private static final long FLIP_SEED_MODULUS = 5432L;

    private final List<IoiPrompt> prompts;

    private IoiDataset(List<IoiPrompt> prompts) {
        this.prompts = List.copyOf(prompts);
    }

    /** The 200 prompts of ACDC's IOI task (seed 0, ABBA template 0). */
    public static IoiDataset acdc() {
        return generate(IoiVocabulary.acdc(), ACDC_SIZE, 0);
    }

    /** {@code n} prompts with the ACDC word lists, the first ABBA template and the given seed. */
    public static IoiDataset generate(int n, long seed) {
        return generate(IoiVocabulary.acdc(), n, seed);
    }

    /** {@code n} prompts from the given lists, using only the first ABBA template (nb_templates=1). */
    public static IoiDataset generate(IoiVocabulary vocab, int n, long seed) {
        if (n < 2 || n % 2 != 0) throw new IllegalArgumentException("IOI prompt count must be even and at least 2 (validation + test halves), got " + n);
        if (seed < 0) throw new IllegalArgumentException("IOI seed must be non-negative, got " + seed);
        List<String> templates = vocab.abbaTemplates().subList(0, 1);
        List<Sampled> clean = sampleClean(vocab, templates, n, (seed + UNIFORM_SEED_OFFSET) % UNIFORM_SEED_MODULUS);
        List<Flipped> flipped = clean.stream().map(Flipped::of).toList();
        flipped = flipIo(flipped, vocab.names(), flipSeed(1));
        flipped = flipS(flipped, vocab.names(), flipSeed(2));
        flipped = flipS1(flipped, vocab.names(), flipSeed(3));
        List<IoiPrompt> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Sampled c = clean.get(i);
            Flipped f = flipped.get(i);
            out.add(new IoiPrompt(c.templateIndex, c.io, c.s, c.place, c.object, c.text, String.join(" ", f.words), f.io, f.s));
        }
        return new IoiDataset(out);
    }

    private static long flipSeed(long stepSeed) {
        return (stepSeed + FLIP_SEED_OFFSET) % FLIP_SEED_MODULUS;
    }

    private record Sampled(int templateIndex, String io, String s, String place, String object, String text) {}

    private static List<Sampled> sampleClean(IoiVocabulary vocab, List<String> templates, int n, long seed) {
        PythonRandom rng = new PythonRandom(seed);
        List<Sampled> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String template = rng.choice(templates);
            String n1 = "";
            String n2 = "";
            String n3 = "";
            while (n1.equals(n2) || n2.equals(n3) || n1.equals(n3)) { // all three redrawn each time
                n1 = rng.choice(vocab.names());
                n2 = rng.choice(vocab.names());
                n3 = rng.choice(vocab.names());
            }
            String place = rng.choice(vocab.places());
            String object = rng.choice(vocab.objects());
            String text = template.replace("[PLACE]", place).replace("[OBJECT]", object)
                    .replace("[A]", n1).replace("[B]", n2);
            out.add(new Sampled(templates.indexOf(template), n1, n2, place, object, text));
        }
        return out;
    }

    /** A prompt in the middle of the corruption chain: its words and its IO and S fields. */
    private record Flipped(List<String> words, String io, String s) {
        static Flipped of(Sampled c) {
            return new Flipped(List.of(c.text.split(" ", -1)), c.io, c.s);
        }
    }

    private static List<Flipped> flipIo(List<Flipped> in, List<String> names, long seed) {
        NumpyRandomState rng = new NumpyRandomState(seed);
        List<Flipped> out = new ArrayList<>(in.size());
        for (Flipped p : in) {
            String r = names.get(rng.randint(names.size()));
            while (r.equals(p.io) || r.equals(p.s)) r = names.get(rng.randint(names.size()));
            List<String> w = new ArrayList<>(p.words);
            w.set(firstIndex(w, p.io, p), r);
            w.set(firstIndex(w, p.io, p), r);
            out.add(new Flipped(w, r, p.s));
        }
        return out;
    }

    private static List<Flipped> flipS(List<Flipped> in, List<String> names, long seed) {
        NumpyRandomState rng = new NumpyRandomState(seed);
        List<Flipped> out = new ArrayList<>(in.size());
        for (Flipped p : in) {
            String r = names.get(rng.randint(names.size()));
            List<String> w = new ArrayList<>(p.words);
            w.set(firstIndex(w, p.s, p), r);
            w.set(lastIndex(w, p.s, p), r);
            out.add(new Flipped(w, p.io, r));
        }
        return out;
    }

    private static List<Flipped> flipS1(List<Flipped> in, List<String> names, long seed) {
        NumpyRandomState rng = new NumpyRandomState(seed);
        List<Flipped> out = new ArrayList<>(in.size());
        for (Flipped p : in) {
            String r = names.get(rng.randint(names.size()));
            List<String> w = new ArrayList<>(p.words);
            w.set(firstIndex(w, p.s, p), r);
            out.add(new Flipped(w, p.io, p.s));
        }
        return out;
    }

    private static int firstIndex(List<String> words, String word, Flipped p) {
        int i = words.indexOf(word);
        if (i < 0) throw new IllegalStateException("IOI corruption: word '" + word + "' not in " + words + " (prompt " + p + ")");
        return i;
    }

    private static int lastIndex(List<String> words, String word, Flipped p) {
        int i = words.lastIndexOf(word);
        if (i < 0) throw new IllegalStateException("IOI corruption: word '" + word + "' not in " + words + " (prompt " + p + ")");
        return i;
    }

    /** All prompts, validation half first. */
    public List<IoiPrompt> prompts() {
        return prompts;
    }

    /** The first half: the prompts ACDC discovers circuits on. */
    public List<IoiPrompt> validation() {
        return prompts.subList(0, prompts.size() / 2);
    }

    /** The second half, for held-out metrics. */
    public List<IoiPrompt> test() {
        return prompts.subList(prompts.size() / 2, prompts.size());
    }

    /**
     * Token ids as ACDC builds them: each full sentence is encoded without BOS, every clean and corrupted
     * sentence must have the same length (16 for the ACDC template, which the ACDC code asserts), and the
     * model input drops the final token. The clean sentence's final token must be the IO answer id.
     */
    public List<IoiTokens> tokenize(TextTokenizer tokenizer) {
        List<IoiTokens> out = new ArrayList<>(prompts.size());
        int length = -1;
        for (int i = 0; i < prompts.size(); i++) {
            IoiPrompt p = prompts.get(i);
            int[] clean = tokenizer.encode(p.cleanText());
            int[] corrupted = tokenizer.encode(p.corruptedText());
            if (length < 0) length = clean.length;
            if (clean.length != length || corrupted.length != length) {
                throw new IllegalArgumentException("IOI prompt " + i + ": every sentence must tokenize to the same length ("
                        + length + ", from prompt 0); got " + clean.length + " tokens for '" + p.cleanText() + "' and "
                        + corrupted.length + " for '" + p.corruptedText() + "'. Are all names single tokens after a space?");
            }
            int io = tokenizer.encode(p.ioAnswer())[0];
            int s = tokenizer.encode(p.sAnswer())[0];
            if (clean[length - 1] != io) {
                throw new IllegalArgumentException("IOI prompt " + i + ": the last token of '" + p.cleanText() + "' is "
                        + clean[length - 1] + ", expected the IO token " + io + " of '" + p.ioAnswer() + "'");
            }
            out.add(new IoiTokens(new TokenizedPair(Arrays.copyOf(clean, length - 1), Arrays.copyOf(corrupted, length - 1)), io, s));
        }
        return out;
    }
}
