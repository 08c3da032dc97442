package dev.acdc.datasets.tracr;

import dev.acdc.tracr.compiler.InputEncoder;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The token ids of a model compiled by DeepMind's tracr (commit e75ecda, the one the ACDC code pins), so that ids
 * written for tracr's model can be given to ours meaning the same tokens.
 *
 * <p>tracr's input encoder ({@code compiler/craft_model_to_transformer.py}, {@code transformer/encoder.py}
 * {@code CategoricalEncoder}) numbers the basis of the token space: the vocabulary plus the compiler's
 * {@value #BOS} and {@value #PAD} tokens, sorted as {@code bases.BasisDirection.__lt__} sorts them. That compares
 * {@code (name, value)} tuples and, when the values cannot be compared (an int against a string), the strings
 * {@code "tokens:<value>"}. So for vocab {w, x, y, z}: BOS 0, compiler_pad 1, w 2, x 3, y 4, z 5 (upper case sorts
 * first); for vocab {1, 2, 3}: 1 → 0, 2 → 1, 3 → 2, BOS 3, compiler_pad 4 ({@code "tokens:1" < "tokens:BOS"}).
 *
 * <p>Our compiler numbers the sorted vocabulary first, then BOS, then PAD ({@link InputEncoder}): the same ids as
 * tracr's for an integer vocabulary, other ids for a string vocabulary.
 *
 * @param tokens tracr's id → token; BOS and PAD are the strings {@value #BOS} and {@value #PAD}
 */
public record TracrInputEncoding(List<Object> tokens) {
    /** tracr's compiler BOS token as the ACDC code names it ({@code compiler_bos="BOS"}). */
    public static final String BOS = "BOS";
    /** tracr's default {@code compiler_pad}. */
    public static final String PAD = "compiler_pad";

    public TracrInputEncoding {
        tokens = List.copyOf(tokens);
    }

    /**
     * tracr's encoding of a vocabulary of integers and strings.
     *
     * @throws IllegalArgumentException when the vocabulary holds tracr's BOS or PAD name (tracr refuses it), a value
     *                                  that is neither an integer nor a string, or values whose tracr order would
     *                                  depend on Python's set iteration order (no consistent total order)
     */
    public static TracrInputEncoding of(List<?> vocab) {
        List<Object> values = new ArrayList<>();
        for (Object v : vocab) {
            Object n = Values.normalize(v);
            if (!(n instanceof Integer) && !(n instanceof String)) {
                throw new IllegalArgumentException("tracr token order: only integer and string tokens are supported, found "
                        + Values.describe(n));
            }
            if (BOS.equals(n) || PAD.equals(n)) {
                throw new IllegalArgumentException("tracr refuses a vocabulary that holds its BOS or PAD token, found '" + n + "'");
            }
            if (!values.contains(n)) values.add(n);
        }
        values.add(BOS);
        values.add(PAD);
        List<Object> sorted = new ArrayList<>(values);
        sorted.sort(TRACR_ORDER);
        // Python's sort trusts __lt__; with an inconsistent order its result would depend on the input order.
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                if (TRACR_ORDER.compare(sorted.get(j), sorted.get(i)) < 0) {
                    throw new IllegalArgumentException("tracr's token order is not consistent for vocabulary " + vocab
                            + " (" + sorted.get(j) + " sorts before " + sorted.get(i) + " and after it)");
                }
            }
        }
        return new TracrInputEncoding(sorted);
    }

    /** The number of token ids (vocabulary, BOS, PAD). */
    public int size() {
        return tokens.size();
    }

    /** The token tracr's id {@code id} stands for. */
    public Object token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("tracr token id " + id + " is outside 0.." + (tokens.size() - 1));
        }
        return tokens.get(id);
    }

    /** tracr's id of a token (a vocabulary value, {@value #BOS} or {@value #PAD}). */
    public int id(Object token) {
        int i = tokens.indexOf(Values.normalize(token));
        if (i < 0) throw new IllegalArgumentException("token " + token + " is not in tracr's encoding " + tokens);
        return i;
    }

    /** Our compiled model's id for the token tracr's id {@code id} stands for. */
    public int toOurs(int id, InputEncoder ours) {
        Object t = token(id);
        if (BOS.equals(t)) return ours.bosId();
        if (PAD.equals(t)) return ours.padId();
        return ours.tokenId(t);
    }

    /** {@link #toOurs(int, InputEncoder)} on every id of a row. */
    public int[] toOurs(int[] ids, InputEncoder ours) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = toOurs(ids[i], ours);
        return out;
    }

    /** {@code BasisDirection.__lt__} on two token values of the one basis name {@code tokens}. */
    private static final Comparator<Object> TRACR_ORDER = (a, b) -> {
        if (a instanceof Integer x && b instanceof Integer y) return Integer.compare(x, y);
        if (a instanceof String x && b instanceof String y) return compareCodePoints(x, y);
        // int against str: Python raises TypeError and tracr compares str(direction), "tokens:<value>".
        return compareCodePoints("tokens:" + a, "tokens:" + b);
    };

    /** Python's str comparison: by code point. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
