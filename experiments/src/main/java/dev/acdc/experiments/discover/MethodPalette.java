package dev.acdc.experiments.discover;

import java.awt.Color;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One fixed colour per discovery method, the same in every plot (ROC, faithfulness, the report), so that a reader
 * who learned "ACDC is blue" in one figure can trust it in the next. Okabe and Ito's colour-blind-safe palette; the
 * reference lines (chance, f = 1) are {@link #REFERENCE} grey and are never a method's colour.
 *
 * <p>A series label starting with a method's name and a space ({@code "acdc (AUC 0.83)"}, {@code "sp sweep (CPR
 * 0.9)"}) takes that method's colour; a name outside {@link MethodFactory#NAMES} takes one of the spare colours, chosen
 * by the name alone (never by the order of the series), so it too is stable across plots.
 */
public final class MethodPalette {
    private MethodPalette() {}

    /** The chance diagonal and the f = 1 line. */
    public static final Color REFERENCE = new Color(0x99, 0x99, 0x99);

    private static final Map<String, Color> METHODS = Map.of(
            "acdc", new Color(0x00, 0x72, 0xB2),     // blue
            "sp", new Color(0xD5, 0x5E, 0x00),       // vermillion
            "hisp", new Color(0x00, 0x9E, 0x73),     // bluish green
            "eap", new Color(0xCC, 0x79, 0xA7),      // reddish purple
            "eap-ig", new Color(0xE6, 0x9F, 0x00),   // orange
            "acdc-eap-ig", new Color(0x56, 0xB4, 0xE9),   // sky blue: ACDC after an EAP-IG prefilter
            "edge-pruning", new Color(0x00, 0x00, 0x00)); // black

    /** For methods without a fixed colour (e.g. {@code acdc-eap-ig:10%} beside {@code acdc-eap-ig:25%}). */
    private static final List<Color> SPARE = List.of(new Color(0xF0, 0xE4, 0x42), new Color(0x88, 0x4E, 0xA0),
            new Color(0x8C, 0x56, 0x4B), new Color(0x66, 0x66, 0x00));

    /** The colour of a method, or of the method a series label starts with. */
    public static Color colour(String methodOrLabel) {
        String method = method(methodOrLabel);
        Color c = METHODS.get(method);
        return c != null ? c : SPARE.get(Math.floorMod(method.hashCode(), SPARE.size()));
    }

    /** {@code #rrggbb}, for HTML and SVG. */
    public static String hex(String methodOrLabel) {
        Color c = colour(methodOrLabel);
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /** The method a series label names: its text up to the first space. */
    static String method(String label) {
        int space = label.indexOf(' ');
        return (space < 0 ? label : label.substring(0, space)).toLowerCase(Locale.ROOT);
    }
}
