package dev.acdc.datasets.gpt2;

/**
 * The arguments of ACDC's {@code docstring_induction_prompt_generator} (style {@code "rest"}, no
 * defaults), which fix the shape of every prompt.
 *
 * @param matchingArgs args that appear in the def and (all but the last) as {@code :param} lines
 * @param defPrefixArgs args before the matching ones in the def
 * @param defSuffixArgs args after the matching ones in the def
 * @param docPrefixArgs documented params before the matching ones
 * @param methodDescriptionWords words of the docstring's first line
 * @param argDescriptionWords words describing each documented param
 */
public record DocstringSettings(
        int matchingArgs,
        int defPrefixArgs,
        int defSuffixArgs,
        int docPrefixArgs,
        int methodDescriptionWords,
        int argDescriptionWords) {
    public DocstringSettings {
        if (matchingArgs < 1) throw new IllegalArgumentException("docstring needs at least one matching arg (the answer), got " + matchingArgs);
        if (defPrefixArgs < 0 || defSuffixArgs < 0 || docPrefixArgs < 0 || methodDescriptionWords < 0 || argDescriptionWords < 1) {
            throw new IllegalArgumentException("docstring settings must be non-negative (and at least one word per arg description), got " + this);
        }
    }

    /** ACDC's settings: 3 matching, 2 def-prefix, 1 def-suffix, 0 doc-prefix args; 3 and 2 description words. */
    public static DocstringSettings acdc() {
        return new DocstringSettings(3, 2, 1, 0, 3, 2);
    }

    /** How many variable names one prompt samples: the method name, the random answer and every arg role. */
    public int namesPerPrompt() {
        int notMatching = matchingArgs - 1;
        return 2 + matchingArgs + notMatching + notMatching + matchingArgs + defPrefixArgs + defSuffixArgs + docPrefixArgs;
    }
}
