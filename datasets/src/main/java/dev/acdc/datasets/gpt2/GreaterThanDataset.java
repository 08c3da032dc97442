package dev.acdc.datasets.gpt2;

import dev.acdc.datasets.random.TorchCpuRandom;
import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The greater-than prompts of the ACDC code ({@code get_year_data}, acdc/greaterthan/utils.py).
 *
 * <p>{@code torch.random.manual_seed(seed)}, then {@code nouns_perm = torch.randint(0, #nouns, (n,))} and
 * {@code years_perm = torch.randint(0, #years, (n,))} from the same stream (emulated by
 * {@link TorchCpuRandom}); prompt {@code i} is {@code "The NOUN lasted from the year YEAR to CC"}. The
 * corrupted input is the clean token ids with the {@code YY} token (position 7, no BOS) replaced by the
 * token of {@code "01"}. The first half is validation, the second test.
 */
public final class GreaterThanDataset {
    /** The ACDC run's prompt count (100 validation + 100 test) and seed. */
    public static final int ACDC_SIZE = 200;
    public static final long ACDC_SEED = 54;
    /** Index of the start year's {@code YY} token in the 10-token input (no BOS). */
    public static final int YY_POSITION = 7;
    /** The two digits the corruption writes in place of {@code YY}. */
    public static final int CORRUPTED_YY = 1;

    private final List<GreaterThanPrompt> prompts;

    private GreaterThanDataset(List<GreaterThanPrompt> prompts) {
        this.prompts = List.copyOf(prompts);
    }

    /** The 120 nouns of the ACDC code, each a single GPT-2 token after a space. */
    public static List<String> nouns() {
        return Holder.NOUNS;
    }

    private static final class Holder {
        static final List<String> NOUNS = WordLists.load("greaterthan/nouns.txt");
    }

    /** The ACDC task's 200 prompts, with years derived from the model's tokenizer. */
    public static GreaterThanDataset acdc(TextTokenizer tokenizer) {
        return acdc(GreaterThanYears.derive(tokenizer));
    }

    /** The ACDC task's 200 prompts over the given year list (see {@link GreaterThanYears#derive}). */
    public static GreaterThanDataset acdc(List<Integer> years) {
        return generate(nouns(), years, ACDC_SIZE, ACDC_SEED);
    }

    /** {@code n} prompts drawn as ACDC draws them. */
    public static GreaterThanDataset generate(List<String> nouns, List<Integer> years, int n, long seed) {
        if (n < 2 || n % 2 != 0) throw new IllegalArgumentException("greater-than prompt count must be even and at least 2 (validation + test halves), got " + n);
        if (nouns.isEmpty() || years.isEmpty()) throw new IllegalArgumentException("greater-than needs nouns and years, got " + nouns.size() + " nouns and " + years.size() + " years");
        TorchCpuRandom rng = new TorchCpuRandom(seed);
        int[] nounIdx = rng.randint(nouns.size(), n);
        int[] yearIdx = rng.randint(years.size(), n);
        List<GreaterThanPrompt> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new GreaterThanPrompt(nouns.get(nounIdx[i]), years.get(yearIdx[i])));
        return new GreaterThanDataset(out);
    }

    public List<GreaterThanPrompt> prompts() {
        return prompts;
    }

    /** The first half: the prompts ACDC discovers circuits on. */
    public List<GreaterThanPrompt> validation() {
        return prompts.subList(0, prompts.size() / 2);
    }

    /** The second half, for held-out metrics. */
    public List<GreaterThanPrompt> test() {
        return prompts.subList(prompts.size() / 2, prompts.size());
    }

    /**
     * Token ids as ACDC builds them (no BOS): all prompts must have the same length, and the token at
     * {@link #YY_POSITION} must be the two-digit token of the year's {@code YY}; the corrupted ids replace
     * it with the token of {@code "01"}.
     */
    public List<GreaterThanTokens> tokenize(TextTokenizer tokenizer) {
        int[] twoDigit = GreaterThanYears.twoDigitTokenIds(tokenizer);
        List<GreaterThanTokens> out = new ArrayList<>(prompts.size());
        int length = -1;
        for (int i = 0; i < prompts.size(); i++) {
            GreaterThanPrompt p = prompts.get(i);
            int[] clean = tokenizer.encode(p.text());
            if (length < 0) length = clean.length;
            if (clean.length != length || clean.length <= YY_POSITION || clean[YY_POSITION] != twoDigit[p.yy()]) {
                throw new IllegalArgumentException("greater-than prompt " + i + " '" + p.text() + "' tokenizes to "
                        + Arrays.toString(clean) + "; expected " + length + " tokens with the token of '"
                        + String.format("%02d", p.yy()) + "' (" + twoDigit[p.yy()] + ") at position " + YY_POSITION
                        + ". Was the year list derived with this tokenizer?");
            }
            int[] corrupted = clean.clone();
            corrupted[YY_POSITION] = twoDigit[CORRUPTED_YY];
            out.add(new GreaterThanTokens(new TokenizedPair(clean, corrupted), p.yy()));
        }
        return out;
    }
}
