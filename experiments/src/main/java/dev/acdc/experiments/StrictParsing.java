package dev.acdc.experiments;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Strict parsing of command-line values: every problem is a {@link BadInputException} naming the option, the value
 * and what was expected. Java's own parsers are lenient in ways that hide mistakes ({@code Double.parseDouble}
 * accepts {@code " 1d"} and overflows {@code 1e400} to infinity; a {@code (int)} cast turns {@code 1.5} into 1 and
 * {@code 1e400} into 2147483647), and picocli's list splitting keeps empty and repeated items.
 */
public final class StrictParsing {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    private StrictParsing() {}

    /** A finite decimal number, e.g. {@code 0.01}, {@code 1e-5}; no spaces, suffixes, hex, NaN or infinity. */
    public static double finiteNumber(String flag, String text) {
        if (text == null || !DECIMAL.matcher(text).matches()) {
            throw new BadInputException(flag + " '" + text + "': expected a decimal number such as 0.01 or 1e-5");
        }
        double v = Double.parseDouble(text);
        if (!Double.isFinite(v)) throw new BadInputException(flag + " '" + text + "': out of range (larger than " + Double.MAX_VALUE + ")");
        return v;
    }

    /** A whole number in [min, max]: fractions, exponents and overflow are refused, not rounded or clamped. */
    public static int integer(String flag, String text, int min, int max) {
        if (text == null || !INTEGER.matcher(text).matches()) {
            throw new BadInputException(flag + " '" + text + "': expected a whole number from " + min + " to " + max);
        }
        BigInteger v = new BigInteger(text);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new BadInputException(flag + " " + text + ": expected a whole number from " + min + " to " + max);
        }
        return v.intValueExact();
    }

    /**
     * A comma-separated list's items (as picocli split them, over every repetition of the option): none empty, none
     * given twice, at most {@code max}.
     */
    public static List<String> distinctItems(String flag, List<String> items, int max) {
        return distinct(flag, items, max, Function.identity());
    }

    /** As {@link #distinctItems}, with duplicates judged on {@code key} (e.g. the value a vocabulary item parses to). */
    public static <T> List<String> distinct(String flag, List<String> items, int max, Function<String, T> key) {
        if (items.isEmpty()) throw new BadInputException(flag + ": expected at least one item");
        Set<T> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            if (item == null || item.isEmpty()) {
                throw new BadInputException(flag + ": item " + (i + 1) + " is empty (two commas in a row, or a comma at an end)");
            }
            if (!seen.add(key.apply(item))) throw new BadInputException(flag + ": '" + item + "' is given twice");
            out.add(item);
        }
        if (out.size() > max) throw new BadInputException(flag + ": " + out.size() + " items, expected at most " + max);
        return out;
    }

    /** Repeated {@code NAME=VALUE} pairs: a name given twice, an empty name or a missing '=' is refused. */
    public static Map<String, String> pairs(String flag, List<String> items) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0) throw new BadInputException(flag + " '" + item + "': expected NAME=VALUE");
            String name = item.substring(0, eq);
            if (out.putIfAbsent(name, item.substring(eq + 1)) != null) {
                throw new BadInputException(flag + " " + name + ": given twice ('" + out.get(name) + "' and '" + item.substring(eq + 1) + "')");
            }
        }
        return out;
    }
}
