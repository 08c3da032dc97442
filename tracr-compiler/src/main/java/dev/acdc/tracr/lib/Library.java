package dev.acdc.tracr.lib;

import dev.acdc.tracr.rasp.Rasp;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static dev.acdc.tracr.rasp.Rasp.indices;
import static dev.acdc.tracr.rasp.Rasp.tokens;

/**
 * The library programs by name, with their parameters (and defaults), default vocabulary and
 * max_seq_len: what {@code acdc compile --program NAME --arg K=V} builds.
 */
public final class Library {
    private Library() {}

    /**
     * One registered program.
     *
     * @param parameters parameter name → default value (as text)
     * @param factory    (parameters with defaults filled in, max_seq_len) → the program's output SOp
     */
    public record Entry(String name, String description, Map<String, String> parameters, List<Object> defaultVocab,
                        int defaultMaxSeqLen, BiFunction<Map<String, String>, Integer, SOp> factory) {

        /** Builds the program; an unknown parameter or a bad value is an IllegalArgumentException naming it. */
        public SOp build(Map<String, String> args, int maxSeqLen) {
            Map<String, String> p = new LinkedHashMap<>(parameters);
            for (var e : args.entrySet()) {
                if (!parameters.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("unknown parameter '" + e.getKey() + "' for program " + name
                            + (parameters.isEmpty() ? " (it takes none)" : "; expected one of " + parameters.keySet()));
                }
                p.put(e.getKey(), e.getValue());
            }
            return factory.apply(p, maxSeqLen);
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        List<Object> abc = List.of("a", "b", "c");
        List<Object> nums = List.of(1, 2, 3);
        register("length", "length of the input (SelectorWidth)", Map.of("encoding", "categorical"), abc, 5,
                (p, n) -> encoded(Programs.makeLength(), p.get("encoding"), "length"));
        register("reverse", "make_reverse(tokens)", Map.of(), nums, 5, (p, n) -> Programs.makeReverse(tokens()));
        register("hist", "occurrences of each position's token", Map.of(), abc, 5, (p, n) -> Programs.makeHist());
        register("sort_unique", "make_sort_unique(tokens, tokens) (keys must be unique)", Map.of(), nums, 5,
                (p, n) -> Programs.makeSortUnique(tokens(), tokens()));
        register("sort", "make_sort(tokens, tokens, max_seq_len, min_key)", Map.of("min_key", "1"), nums, 5,
                (p, n) -> Programs.makeSort(tokens(), tokens(), n, number(p, "min_key")));
        register("sort_freq", "make_sort_freq(max_seq_len)", Map.of(), abc, 5, (p, n) -> Programs.makeSortFreq(n));
        register("frac_prevs", "make_frac_prevs(tokens == token)", Map.of("token", "x"), List.of("w", "x", "y", "z"), 5,
                (p, n) -> Programs.makeFracPrevs(Rasp.eq(tokens(), value(p.get("token")))));
        register("pair_balance", "make_pair_balance(tokens, open, close)", Map.of("open", "(", "close", ")"),
                List.of("(", ")", "a"), 5,
                (p, n) -> Programs.makePairBalance(tokens(), value(p.get("open")), value(p.get("close"))));
        register("shuffle_dyck", "make_shuffle_dyck(pairs)", Map.of("pairs", "()"), List.of("(", ")"), 5,
                (p, n) -> Programs.makeShuffleDyck(Arrays.asList(p.get("pairs").split(","))));
        register("shuffle_dyck2", "make_shuffle_dyck2()", Map.of(), List.of("(", ")", "{", "}"), 4,
                (p, n) -> Programs.makeShuffleDyck2());
        register("shift_by", "shift_by(offset, tokens)", Map.of("offset", "1"), abc, 5,
                (p, n) -> Programs.shiftBy(integer(p, "offset"), tokens()));
        register("detect_pattern", "detect_pattern(tokens, pattern)", Map.of("pattern", "ab"), abc, 5,
                (p, n) -> Programs.detectPattern(tokens(), pattern(p.get("pattern"))));
        register("count", "make_count(tokens, token)", Map.of("token", "a"), abc, 5,
                (p, n) -> Programs.makeCount(tokens(), value(p.get("token"))));
        register("count_less_freq", "make_count_less_freq(n)", Map.of("n", "2", "encoding", "categorical"), abc, 5,
                (p, n) -> encoded(Programs.makeCountLessFreq(integer(p, "n")), p.get("encoding"), "count_less_freq"));
        register("nary_sequencemap", "make_nary_sequencemap(f, tokens, indices, tokens) with f(x, i, y) = x + i·y",
                Map.of(), nums, 4,
                (p, n) -> Programs.makeNarySequenceMap(a -> Rasp.num(a.get(0)) + Rasp.num(a.get(1)) * Rasp.num(a.get(2)),
                        List.of(tokens(), indices(), tokens())).named("nary_sequencemap"));
    }

    private static void register(String name, String description, Map<String, String> params, List<Object> vocab,
                                 int maxSeqLen, BiFunction<Map<String, String>, Integer, SOp> factory) {
        ENTRIES.put(name, new Entry(name, description, Collections.unmodifiableMap(new TreeMap<>(params)), vocab, maxSeqLen, factory));
    }

    /**
     * The vocabulary values a program's parameters name (frac_prevs token, count token, pair_balance
     * open/close, detect_pattern pattern, shuffle_dyck pairs), with defaults filled in: the CLI checks
     * them against the vocabulary, since a token outside it would silently never match.
     */
    public static List<Object> referencedTokens(String program, Map<String, String> args) {
        Entry e = get(program);
        Map<String, String> p = new LinkedHashMap<>(e.parameters());
        p.putAll(args);
        List<Object> out = new ArrayList<>();
        switch (program) {
            case "frac_prevs": case "count": out.add(value(p.get("token"))); break;
            case "pair_balance": out.add(value(p.get("open"))); out.add(value(p.get("close"))); break;
            case "detect_pattern": out.addAll(pattern(p.get("pattern"))); break;
            case "shuffle_dyck":
                for (String pair : p.get("pairs").split(",")) for (char c : pair.toCharArray()) out.add(value(String.valueOf(c)));
                break;
            case "shuffle_dyck2": for (String t : List.of("(", ")", "{", "}")) out.add(t); break;
            default: break;
        }
        return out;
    }

    /** Every registered name, in registration order. */
    public static List<String> names() {
        return new ArrayList<>(ENTRIES.keySet());
    }

    /** The entry of that name; throws listing the known names when absent. */
    public static Entry get(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) throw new IllegalArgumentException("unknown program '" + name + "'; expected one of " + names());
        return e;
    }

    /** A parameter or vocabulary value: an integer when it parses as one, else the string. */
    public static Object value(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return text;
        }
    }

    private static List<Object> pattern(String text) {
        List<Object> out = new ArrayList<>();
        if (text.contains(",")) for (String s : text.split(",")) out.add(value(s));
        else for (char c : text.toCharArray()) out.add(value(String.valueOf(c)));
        return out;
    }

    /** A finite decimal number: no NaN, no infinity (1e400 overflows to it), no suffix or hex. */
    private static double number(Map<String, String> p, String key) {
        String text = p.get(key);
        if (text == null || !text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?") || !Double.isFinite(Double.parseDouble(text))) {
            throw new IllegalArgumentException("parameter " + key + " must be a finite decimal number, found '" + text + "'");
        }
        return Double.parseDouble(text);
    }

    /** A whole number that fits an int: 1.5 or 1e400 is refused, never rounded or clamped. */
    private static int integer(Map<String, String> p, String key) {
        String text = p.get(key);
        try {
            if (text == null || !text.matches("[+-]?\\d+")) throw new NumberFormatException();
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + key + " must be a whole number from " + Integer.MIN_VALUE + " to "
                    + Integer.MAX_VALUE + ", found '" + text + "'");
        }
    }

    private static SOp encoded(SOp sop, String encoding, String name) {
        switch (encoding) {
            case "categorical": return sop;
            case "numerical": return Rasp.numerical(sop).named(name);
            default: throw new IllegalArgumentException("parameter encoding must be categorical or numerical, found '" + encoding + "'");
        }
    }

    static Object normalize(Object v) {
        return Values.normalize(v);
    }
}
