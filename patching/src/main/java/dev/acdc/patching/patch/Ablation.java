package dev.acdc.patching.patch;

/**
 * What a removed edge carries instead of the sender's current output. For a residual edge that is the
 * sender's output in the ablated run; for a direct-computation edge {@code aL.H.q->aL.H.hook_q} it is the
 * head's computed q in that run (likewise k, v).
 * <ul>
 *   <li>RESAMPLE (interchange intervention): the run on the corrupted input;</li>
 *   <li>ZERO: ACDC's zero-ablated run: every head result, MLP output and embedding set to zero, so senders
 *       carry zero and a direct edge carries the q/k/v that the biases alone give (through LayerNorm, W_Q, b_Q);</li>
 *   <li>MEAN: the mean of the clean run's values over the dataset (batch and positions), q/k/v included;</li>
 *   <li>MEAN_PER_POSITION: the mean over the batch, separately for each position.</li>
 * </ul>
 */
public enum Ablation {
    RESAMPLE, ZERO, MEAN, MEAN_PER_POSITION;

    /** Parses the CLI spelling ({@code resample|zero|mean|mean-per-position}). */
    public static Ablation parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "resample" -> RESAMPLE;
            case "zero" -> ZERO;
            case "mean" -> MEAN;
            case "mean-per-position" -> MEAN_PER_POSITION;
            default -> throw new IllegalArgumentException("unknown ablation '" + s
                    + "'; expected one of resample, zero, mean, mean-per-position");
        };
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
