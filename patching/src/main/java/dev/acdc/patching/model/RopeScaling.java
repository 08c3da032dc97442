package dev.acdc.patching.model;

/**
 * A rescaling of rotary frequencies ({@code rope_scaling} in a Hugging Face config). Only the kinds the models
 * this project reads use are implemented; a loader refuses the others by name.
 */
public sealed interface RopeScaling permits RopeScaling.None, RopeScaling.Llama3 {

    /** The frequencies {@code 1 / θ^(2j/dims)} as they are. */
    enum None implements RopeScaling {
        INSTANCE
    }

    /**
     * Llama 3.1's "NTK by parts" rescaling ({@code rope_type: "llama3"}), as transformers'
     * {@code _compute_llama3_parameters} computes it: frequencies whose wavelength exceeds
     * {@code originalContext / lowFreqFactor} are divided by {@code factor}, those below
     * {@code originalContext / highFreqFactor} are kept, and the band between is interpolated.
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) implements RopeScaling {
        public Llama3 {
            if (!(factor >= 1)) throw new IllegalArgumentException("llama3 rope factor must be ≥ 1, found " + factor);
            if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0)) {
                throw new IllegalArgumentException("llama3 rope needs 0 < low_freq_factor < high_freq_factor, found "
                        + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalContext < 1) {
                throw new IllegalArgumentException("llama3 rope original_max_position_embeddings must be ≥ 1, found " + originalContext);
            }
        }
    }
}
