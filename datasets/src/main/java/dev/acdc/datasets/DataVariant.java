package dev.acdc.datasets;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which data a task is built with: ours (the default) or, for the tracr tasks, exactly what the ACDC code ran.
 */
public enum DataVariant {
    /** The project's task data (for tracr-proportion: BOS first, every token encoded as the compiled model expects). */
    OURS,
    /**
     * The ACDC code's data, token encoding and metric, on tracr's model as its TransformerLens port ran it
     * ({@code acdc/tracr_task/utils.py} after {@code main.py}'s {@code torch.manual_seed(1234)}): tracr-proportion
     * without BOS and with its letters given tracr's ids for other tokens, tracr-reverse with the reference's
     * corruption permutation. Only the tracr tasks have it.
     */
    ACDC_CODE;

    /** The CLI spelling: {@code ours}, {@code acdc-code}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Every CLI spelling, in declaration order. */
    public static List<String> cliNames() {
        return Arrays.stream(values()).map(DataVariant::cliName).toList();
    }

    /** The variant of a CLI spelling. */
    public static DataVariant parse(String s) {
        for (DataVariant v : values()) if (v.cliName().equals(s)) return v;
        throw new IllegalArgumentException("unknown data variant '" + s + "'; expected one of " + String.join(", ", cliNames()));
    }
}
