package dev.acdc.patching.patch;

/**
 * What a removed edge carries instead of the sender's current output.
 * <ul>
 *   <li>RESAMPLE (interchange intervention): the sender's output on the corrupted input;</li>
 *   <li>ZERO: zero;</li>
 *   <li>MEAN: the sender's mean output over the dataset (batch and positions);</li>
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
