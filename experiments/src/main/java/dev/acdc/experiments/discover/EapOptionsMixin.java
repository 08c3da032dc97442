package dev.acdc.experiments.discover;

import dev.acdc.discovery.method.GradientAt;
import dev.acdc.experiments.BadInputException;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Where EAP and EAP-IG take their gradient, shared by {@code roc} and {@code reproduce}. */
public final class EapOptionsMixin {

    @Option(names = "--eap-gradient", paramLabel = "WHERE",
            description = "where EAP and EAP-IG take the metric's gradient: clean, corrupted or mean (of both). EAP: at that run "
                    + "(default clean); EAP-IG: the Riemann sum's end (default corrupted, as hannamw/EAP-IG: alpha = k/m, k = 0..m-1)")
    String eapGradient;

    /** The value given, checked (unknown: bad input, exit 2); null when the flag is absent (each method's default). */
    public GradientAt gradientAt() {
        return parse(eapGradient);
    }

    /** The CLI spelling, or {@code default} when the flag is absent. */
    public String describe() {
        return eapGradient == null ? "default" : gradientAt().cliName();
    }

    static GradientAt parse(String value) {
        if (value == null) return null;
        GradientAt g = GradientAt.ofCliName(value);
        if (g == null) {
            throw new BadInputException("unknown --eap-gradient '" + value + "'; expected one of "
                    + Arrays.stream(GradientAt.values()).map(GradientAt::cliName).collect(Collectors.joining(", ")));
        }
        return g;
    }
}
