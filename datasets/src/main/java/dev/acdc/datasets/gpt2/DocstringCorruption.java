package dev.acdc.datasets.gpt2;

/**
 * The corrupted variants the docstring generator builds, in the ACDC code's order. ACDC patches with
 * {@link #RANDOM_RANDOM}; the others are kept for experiments.
 */
public enum DocstringCorruption {
    /** Documented params replaced by unrelated names. */
    RANDOM_DOC("random_doc"),
    /** The def's matching args (except the answer) replaced by unrelated names. */
    RANDOM_DEF("random_def"),
    /** The answer arg in the def replaced by an unrelated name. */
    RANDOM_ANSWER("random_answer"),
    RANDOM_DEF_DOC("random_def_doc"),
    RANDOM_ANSWER_DOC("random_answer_doc"),
    /** The def's matching args and the documented params replaced by fresh names (ACDC's corruption). */
    RANDOM_RANDOM("random_random"),
    /** Description words redistributed over the doc lines. */
    VARY_LENGTH_DOC_DESC("vary_length_doc_desc"),
    VARY_LENGTH_DOC_DESC_RANDOM_DOC("vary_length_doc_desc_random_doc");

    private final String acdcName;

    DocstringCorruption(String acdcName) {
        this.acdcName = acdcName;
    }

    /** The key the ACDC code uses ({@code dataset_version}). */
    public String acdcName() {
        return acdcName;
    }
}
