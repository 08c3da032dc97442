package dev.acdc.datasets.gpt2;

/**
 * One greater-than prompt, {@code "The NOUN lasted from the year CCYY to CC"}: the model should put
 * its probability on two-digit tokens greater than {@code YY}.
 *
 * @param noun the noun (no leading space)
 * @param year the start year, four digits
 */
public record GreaterThanPrompt(String noun, int year) {
    public GreaterThanPrompt {
        if (year < 1000 || year > 9999) throw new IllegalArgumentException("greater-than year must have four digits, got " + year);
    }

    /** The century digits {@code "CC"}. */
    public String century() {
        return Integer.toString(year).substring(0, 2);
    }

    /** The start year's last two digits. */
    public int yy() {
        return year % 100;
    }

    /** The clean model input. */
    public String text() {
        return "The " + noun + " lasted from the year " + year + " to " + century();
    }

    /**
     * The corrupted input as text, {@code YY} replaced by {@code 01}. ACDC corrupts token ids, not
     * text (see {@link GreaterThanDataset#tokenize}); this is the text those ids decode to.
     */
    public String corruptedText() {
        return "The " + noun + " lasted from the year " + century() + "01 to " + century();
    }
}
