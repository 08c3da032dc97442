package dev.acdc.datasets.gpt2;

import dev.acdc.datasets.random.PythonRandom;
import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The docstring prompts of the ACDC code ({@code docstring_induction_prompt_generator},
 * acdc/docstring/prompts.py), reproduced exactly; prompt {@code k} uses {@code random.seed(k)}.
 *
 * <p>Per prompt: one {@code sample} of {@link DocstringSettings#namesPerPrompt()} variable names, split
 * in order into method name, random answer, random-random def args, random-random doc args, not-matching
 * args, matching args, def prefix, def suffix and doc prefix; then a {@code sample} of method-description
 * nouns; then one {@code sample} of description nouns per documented param; last, the {@code randint}
 * draws that redistribute description words for the {@code vary_length} variants.
 *
 * <p>The model is TransformerLens's attn-only-4l with its own tokenizer (not GPT-2's); inputs get BOS.
 * Splits: the first half is validation, the second test (seeds 0..49 and 50..99 for ACDC).
 */
public final class DocstringDataset {
    /** The ACDC run's prompt count (50 validation + 50 test). */
    public static final int ACDC_SIZE = 100;

    private static final String INDENT = "    ";
    private static final String PARAM = INDENT + ":param";

    private final List<DocstringPrompt> prompts;

    private DocstringDataset(List<DocstringPrompt> prompts) {
        this.prompts = List.copyOf(prompts);
    }

    /** The 111 variable names of the ACDC code. */
    public static List<String> variableNames() {
        return Holder.VARIABLE_NAMES;
    }

    /** The 687 common single-token nouns of the ACDC code. */
    public static List<String> nouns() {
        return Holder.NOUNS;
    }

    private static final class Holder {
        static final List<String> VARIABLE_NAMES = WordLists.load("docstring/variable_names.txt");
        static final List<String> NOUNS = WordLists.load("docstring/nouns.txt");
    }

    /** ACDC's 100 prompts (seeds 0..99, ACDC settings). */
    public static DocstringDataset acdc() {
        return generate(DocstringSettings.acdc(), ACDC_SIZE);
    }

    /** Prompts for seeds {@code 0..n-1}. */
    public static DocstringDataset generate(DocstringSettings settings, int n) {
        if (n < 2 || n % 2 != 0) throw new IllegalArgumentException("docstring prompt count must be even and at least 2 (validation + test halves), got " + n);
        List<DocstringPrompt> out = new ArrayList<>(n);
        for (int seed = 0; seed < n; seed++) out.add(prompt(settings, seed));
        return new DocstringDataset(out);
    }

    /** The prompt of one seed. */
    public static DocstringPrompt prompt(DocstringSettings s, int seed) {
        if (s.namesPerPrompt() > variableNames().size()) {
            throw new IllegalArgumentException("docstring settings " + s + " need " + s.namesPerPrompt()
                    + " distinct variable names, only " + variableNames().size() + " exist");
        }
        PythonRandom rng = new PythonRandom(seed);
        List<String> sampled = rng.sample(variableNames(), s.namesPerPrompt());
        String method = sampled.get(0);
        List<String> allArgs = sampled.subList(1, sampled.size());
        int notMatching = s.matchingArgs() - 1;
        Cursor c = new Cursor(allArgs);
        String randomAnswer = c.take(1).get(0);
        List<String> randomRandomDef = c.take(s.matchingArgs());
        List<String> randomRandomDoc = c.take(notMatching);
        List<String> notMatchingArgs = c.take(notMatching);
        List<String> matching = c.take(s.matchingArgs());
        List<String> defPrefix = c.take(s.defPrefixArgs());
        List<String> defSuffix = c.take(s.defSuffixArgs());
        List<String> docPrefix = c.take(s.docPrefixArgs());
        String answer = matching.get(matching.size() - 1);
        List<String> matchingButLast = matching.subList(0, matching.size() - 1);

        List<String> cleanDef = concat(defPrefix, matching, defSuffix);
        List<String> cleanDoc = concat(docPrefix, matchingButLast);
        List<String> methodDescription = rng.sample(nouns(), s.methodDescriptionWords());
        List<List<String>> argDescriptions = new ArrayList<>();
        for (int i = 0; i < cleanDoc.size(); i++) argDescriptions.add(rng.sample(nouns(), s.argDescriptionWords()));

        List<String> randomDocDoc = concat(docPrefix, notMatchingArgs);
        List<String> randomDefDef = concat(defPrefix, notMatchingArgs, List.of(answer), defSuffix);
        List<String> randomAnswerDef = concat(defPrefix, matchingButLast, List.of(randomAnswer), defSuffix);
        List<String> randomRandomDefArgs = concat(defPrefix, randomRandomDef, defSuffix);
        List<String> randomRandomDocArgs = concat(docPrefix, randomRandomDoc);

        // each doc line keeps its first word; every later word moves to a random line (drawn last)
        List<List<String>> varied = new ArrayList<>();
        for (List<String> words : argDescriptions) varied.add(new ArrayList<>(List.of(words.get(0))));
        for (List<String> words : argDescriptions) {
            for (int j = 1; j < words.size(); j++) varied.get(rng.randint(0, cleanDoc.size() - 1)).add(words.get(j));
        }

        Template t = new Template(method, methodDescription);
        Map<DocstringCorruption, String> corrupted = new EnumMap<>(DocstringCorruption.class);
        corrupted.put(DocstringCorruption.RANDOM_DOC, t.render(cleanDef, randomDocDoc, argDescriptions));
        corrupted.put(DocstringCorruption.RANDOM_DEF, t.render(randomDefDef, cleanDoc, argDescriptions));
        corrupted.put(DocstringCorruption.RANDOM_ANSWER, t.render(randomAnswerDef, cleanDoc, argDescriptions));
        corrupted.put(DocstringCorruption.RANDOM_DEF_DOC, t.render(randomDefDef, randomDocDoc, argDescriptions));
        corrupted.put(DocstringCorruption.RANDOM_ANSWER_DOC, t.render(randomAnswerDef, randomDocDoc, argDescriptions));
        corrupted.put(DocstringCorruption.RANDOM_RANDOM, t.render(randomRandomDefArgs, randomRandomDocArgs, argDescriptions));
        corrupted.put(DocstringCorruption.VARY_LENGTH_DOC_DESC, t.render(cleanDef, cleanDoc, varied));
        corrupted.put(DocstringCorruption.VARY_LENGTH_DOC_DESC_RANDOM_DOC, t.render(cleanDef, randomDocDoc, varied));

        List<String> wrong = allArgs.stream().filter(a -> !a.equals(answer)).map(a -> " " + a).toList();
        return new DocstringPrompt(seed, t.render(cleanDef, cleanDoc, argDescriptions), corrupted, " " + answer, wrong);
    }

    /** Takes consecutive slices of a list, as the ACDC code unpacks its sample. */
    private static final class Cursor {
        private final List<String> items;
        private int at;

        Cursor(List<String> items) {
            this.items = items;
        }

        List<String> take(int n) {
            List<String> out = items.subList(at, at + n);
            at += n;
            return out;
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) out.addAll(p);
        return out;
    }

    /**
     * The reST template ({@code docstring_prompt_templ}, style "rest", no defaults):
     * <pre>
     * \ndef NAME(self, A, B, ...):\n    """DESC WORDS\n\n    :param A: WORDS\n    :param B: WORDS\n    :param
     * </pre>
     */
    private record Template(String method, List<String> methodDescription) {
        String render(List<String> defArgs, List<String> docArgs, List<List<String>> docDescriptions) {
            List<String> docLines = new ArrayList<>();
            for (int i = 0; i < docArgs.size(); i++) {
                docLines.add(PARAM + " " + docArgs.get(i) + ": " + String.join(" ", docDescriptions.get(i)));
            }
            return "\ndef " + method + "(self, " + String.join(", ", defArgs) + "):\n"
                    + INDENT + "\"\"\"" + String.join(" ", methodDescription) + "\n"
                    + "\n" + String.join("\n", docLines) + "\n" + PARAM;
        }
    }

    public List<DocstringPrompt> prompts() {
        return prompts;
    }

    /** The first half: the prompts ACDC discovers circuits on. */
    public List<DocstringPrompt> validation() {
        return prompts.subList(0, prompts.size() / 2);
    }

    /** The second half, for held-out metrics. */
    public List<DocstringPrompt> test() {
        return prompts.subList(prompts.size() / 2, prompts.size());
    }

    /**
     * Token ids as ACDC builds them: {@code bosTokenId} then the text's tokens, for the clean and the
     * {@code random_random} prompt; every input must have the same length (ACDC stacks them; 41 is
     * expected with attn-only-4l's tokenizer). Answers are the first token of each answer string.
     */
    public List<DocstringTokens> tokenize(TextTokenizer tokenizer, int bosTokenId) {
        List<DocstringTokens> out = new ArrayList<>(prompts.size());
        int length = -1;
        for (int i = 0; i < prompts.size(); i++) {
            DocstringPrompt p = prompts.get(i);
            int[] clean = withBos(bosTokenId, tokenizer.encode(p.cleanText()));
            int[] corrupted = withBos(bosTokenId, tokenizer.encode(p.corruptedText()));
            if (length < 0) length = clean.length;
            if (clean.length != length || corrupted.length != length) {
                throw new IllegalArgumentException("docstring prompt " + i + " (seed " + p.seed() + "): every input must have "
                        + length + " tokens (from prompt 0, with BOS); got " + clean.length + " clean and " + corrupted.length
                        + " corrupted. Is this the model's own tokenizer?");
            }
            int correct = tokenizer.encode(p.correctAnswer())[0];
            int[] wrong = p.wrongAnswers().stream().mapToInt(w -> tokenizer.encode(w)[0]).toArray();
            out.add(new DocstringTokens(new TokenizedPair(clean, corrupted), correct, wrong));
        }
        return out;
    }

    private static int[] withBos(int bos, int[] ids) {
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }
}
