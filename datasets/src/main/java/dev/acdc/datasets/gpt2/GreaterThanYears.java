package dev.acdc.datasets.gpt2;

import dev.acdc.patching.load.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The token facts greater-than depends on, derived from the model's tokenizer as the ACDC code does
 * ({@code GreaterThanConstants}, acdc/greaterthan/utils.py).
 *
 * <p>Years: for each century {@code c = 11..17}, try {@code c*100+2 .. c*100+98}; keep a year when
 * {@code encode(" YYYY")} is exactly {@code [encode(" CC")[0], encode("YY")[0]]}; then drop the first and
 * the last kept year of the century. With GPT-2's tokenizer this gives 604 years.
 */
public final class GreaterThanYears {
    /** The centuries tried, inclusive. */
    public static final int FIRST_CENTURY = 11;
    public static final int LAST_CENTURY = 17;

    private GreaterThanYears() {}

    /** The years, ascending, whose {@code " YYYY"} splits as {@code " CC" + "YY"}, minus each century's first and last. */
    public static List<Integer> derive(TextTokenizer tokenizer) {
        List<Integer> out = new ArrayList<>();
        for (int c = FIRST_CENTURY; c <= LAST_CENTURY; c++) {
            List<Integer> kept = new ArrayList<>();
            for (int year = c * 100 + 2; year <= c * 100 + 98; year++) {
                if (splitsAsCenturyAndTwoDigits(tokenizer, year)) kept.add(year);
            }
            if (kept.size() > 2) out.addAll(kept.subList(1, kept.size() - 1));
        }
        return List.copyOf(out);
    }

    static boolean splitsAsCenturyAndTwoDigits(TextTokenizer tokenizer, int year) {
        String yyyy = Integer.toString(year);
        int[] whole = tokenizer.encode(" " + yyyy);
        int[] split = {tokenizer.encode(" " + yyyy.substring(0, 2))[0], tokenizer.encode(yyyy.substring(2))[0]};
        return Arrays.equals(whole, split);
    }

    /** {@code TOKENS}: entry {@code d} is the first token of {@code "%02d"}, for d = 0..99. */
    public static int[] twoDigitTokenIds(TextTokenizer tokenizer) {
        int[] ids = new int[100];
        for (int d = 0; d < 100; d++) ids[d] = tokenizer.encode(String.format("%02d", d))[0];
        return ids;
    }
}
