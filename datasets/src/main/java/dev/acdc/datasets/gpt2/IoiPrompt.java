package dev.acdc.datasets.gpt2;

/**
 * One IOI prompt with its ABC corruption.
 *
 * <p>The clean text is {@code "Then, IO and S went to the PLACE. S gave a OBJECT to IO"}; the model
 * reads it without the final {@code " IO"} and should predict {@code " IO"} rather than {@code " S"}.
 * The corrupted text normally is {@code "Then, R1 and R3 went to the PLACE. R2 gave a OBJECT to R1"}
 * with fresh names (see {@link IoiDataset} for the exact chain and its quirk).
 *
 * @param templateIndex index into {@link IoiVocabulary#abbaTemplates()}
 * @param io the indirect object (the correct answer, without its leading space)
 * @param s the subject (the wrong answer, without its leading space)
 * @param place the place word
 * @param object the object word
 * @param cleanText the full clean sentence, ending with the IO name
 * @param corruptedText the full corrupted sentence
 * @param corruptedIo the corruption chain's {@code IO} field (the name that replaced IO)
 * @param corruptedS the corruption chain's {@code S} field (the name that replaced both S, before the
 *     S1 step replaced the first one again)
 */
public record IoiPrompt(
        int templateIndex,
        String io,
        String s,
        String place,
        String object,
        String cleanText,
        String corruptedText,
        String corruptedIo,
        String corruptedS) {

    /** The correct answer token's text, {@code " " + io}. */
    public String ioAnswer() {
        return " " + io;
    }

    /** The wrong answer token's text, {@code " " + s}. */
    public String sAnswer() {
        return " " + s;
    }

    /** The clean model input: the sentence without its final word. */
    public String cleanInput() {
        return withoutLastWord(cleanText);
    }

    /** The corrupted model input: the corrupted sentence without its final word. */
    public String corruptedInput() {
        return withoutLastWord(corruptedText);
    }

    /** Both model inputs as text. */
    public PromptPair inputs() {
        return new PromptPair(cleanInput(), corruptedInput());
    }

    private static String withoutLastWord(String text) {
        return text.substring(0, text.lastIndexOf(' '));
    }
}
