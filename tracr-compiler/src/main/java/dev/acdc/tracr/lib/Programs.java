package dev.acdc.tracr.lib;

import dev.acdc.tracr.rasp.Comparison;
import dev.acdc.tracr.rasp.LinearSequenceMap;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.Select;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static dev.acdc.tracr.rasp.Rasp.*;

/** Tracr's library programs (compiler/lib.py), rebuilt with the Java builder API. */
public final class Programs {
    private Programs() {}

    /** The length of the input at every position: SelectorWidth of an all-true selector. */
    public static SOp makeLength() {
        Select allTrue = select(tokens(), tokens(), Comparison.TRUE);
        return selectorWidth((dev.acdc.tracr.rasp.Selector) allTrue.named("all_true_selector")).named("length");
    }

    /** The input reversed: select index {@code length − i − 1}. */
    public static SOp makeReverse(SOp sop) {
        SOp length = makeLength();
        SOp oppIdx = sub(length, indices()).named("opp_idx");
        SOp oppIdxMinus1 = map(x -> num(x) - 1, oppIdx).named("opp_idx-1");
        var reverseSelector = select(indices(), oppIdxMinus1, Comparison.EQ).named("reverse_selector");
        return aggregate(reverseSelector, sop).named("reverse");
    }

    /** Fraction of previous positions (inclusive) where {@code bools} is true (numerical). */
    public static SOp makeFracPrevs(SOp bools) {
        SOp b = numerical(bools);
        Select prevs = select(indices(), indices(), Comparison.LEQ);
        return numerical(aggregate(prevs, b, 0)).named("frac_prevs");
    }

    /** Fraction of previous open tokens minus fraction of previous close tokens. */
    public static SOp makePairBalance(SOp sop, Object open, Object close) {
        SOp boolsOpen = numerical(eq(sop, open)).named("bools_open");
        SOp opens = numerical(makeFracPrevs(boolsOpen)).named("opens");
        SOp boolsClose = numerical(eq(sop, close)).named("bools_close");
        SOp closes = numerical(makeFracPrevs(boolsClose)).named("closes");
        LinearSequenceMap balance = numerical(linearSequenceMap(opens, closes, 1, -1));
        return balance.named("pair_balance");
    }

    /** 1 at every position when every pair of brackets is balanced, else 0 (shuffle-Dyck). */
    public static SOp makeShuffleDyck(List<String> pairs) {
        if (pairs.isEmpty()) throw new IllegalArgumentException("shuffle_dyck needs at least one pair");
        List<SOp> balances = new ArrayList<>();
        for (String pair : pairs) {
            if (pair.length() != 2) throw new IllegalArgumentException("a bracket pair must be two characters, found \"" + pair + "\"");
            balances.add(makePairBalance(tokens(), pair.substring(0, 1), pair.substring(1)).named("balance_" + pair));
        }
        SOp anyNegative = lt(balances.get(0), 0);
        for (SOp b : balances.subList(1, balances.size())) anyNegative = or(anyNegative, lt(b, 0));
        anyNegative = numerical(map(x -> x, anyNegative)).named("any_negative");
        Select selectAll = (Select) select(indices(), indices(), Comparison.TRUE).named("select_all");
        SOp hasNeg = numerical(aggregate(selectAll, anyNegative, 0)).named("has_neg");
        SOp allZero = eq(balances.get(0), 0);
        for (SOp b : balances.subList(1, balances.size())) allZero = and(allZero, eq(b, 0));
        SOp length = makeLength();
        Select selectLast = (Select) select(indices(), map(x -> num(x) - 1, length), Comparison.EQ).named("select_last");
        SOp lastZero = aggregate(selectLast, allZero).named("last_zero");
        SOp notHasNeg = not(hasNeg).named("not_has_neg");
        return and(lastZero, notHasNeg).named("shuffle_dyck");
    }

    public static SOp makeShuffleDyck2() {
        return makeShuffleDyck(List.of("()", "{}")).named("shuffle_dyck2");
    }

    /** How many times each position's token occurs in the input. */
    public static SOp makeHist() {
        Select sameTok = (Select) select(tokens(), tokens(), Comparison.EQ).named("same_tok");
        return selectorWidth(sameTok).named("hist");
    }

    /** {@code vals} sorted by {@code keys}; keys must be unique. */
    public static SOp makeSortUnique(SOp vals, SOp keys) {
        Select smaller = (Select) select(keys, keys, Comparison.LT).named("smaller");
        SOp targetPos = selectorWidth(smaller).named("target_pos");
        Select selNew = select(targetPos, indices(), Comparison.EQ);
        return aggregate(selNew, vals).named("sort");
    }

    /** {@code vals} sorted by numerical {@code keys}, made unique by adding {@code minKey·i/maxSeqLen}. */
    public static SOp makeSort(SOp vals, SOp keys, int maxSeqLen, double minKey) {
        SOp unique = sequenceMap((x, i) -> num(x) + minKey * num(i) / maxSeqLen, keys, indices());
        return makeSortUnique(vals, unique);
    }

    /** Tokens sorted by decreasing frequency, ties in input order. */
    public static SOp makeSortFreq(int maxSeqLen) {
        SOp hist = mul(makeHist(), -1).named("hist_neg");
        return makeSort(tokens(), hist, maxSeqLen, 1).named("sort_freq");
    }

    /** {@code sop} shifted right by {@code offset}, None-padded. */
    public static SOp shiftBy(int offset, SOp sop) {
        Select sel = select(indices(), indices(), "q == k + " + offset,
                (k, q) -> Values.toDouble(q) == Values.toDouble(k) + offset);
        return aggregate(sel, sop, null).named("shift_by(" + offset + ")");
    }

    /** 1 at the last element of each occurrence of {@code pattern}, else 0; the first len−1 positions are None. */
    public static SOp detectPattern(SOp sop, List<Object> pattern) {
        if (pattern.isEmpty()) throw new IllegalArgumentException("detect_pattern needs a pattern of length at least 1");
        List<SOp> detectors = new ArrayList<>();
        for (int i = 0; i < pattern.size(); i++) {
            SOp detector = eq(sop, pattern.get(pattern.size() - 1 - i));
            if (i != 0) detector = shiftBy(i, detector);
            detectors.add(detector);
        }
        SOp detected = detectors.remove(detectors.size() - 1);
        while (!detectors.isEmpty()) detected = and(detected, detectors.remove(detectors.size() - 1));
        return detected.named("detect_pattern(" + pattern + ")");
    }

    /** How many positions hold a token that occurs at most {@code n} times. */
    public static SOp makeCountLessFreq(int n) {
        SOp hist = makeHist();
        Select selectLess = (Select) select(hist, hist, "x <= " + n, (x, y) -> Values.toDouble(x) <= n).named("select_less");
        return selectorWidth(selectLess).named("count_less_freq");
    }

    /** How many times {@code token} occurs in {@code sop}. */
    public static SOp makeCount(SOp sop, Object token) {
        Object t = Values.normalize(token);
        return selectorWidth(select(sop, sop, "k == " + t, (k, q) -> Values.equal(k, t))).named("count_" + t);
    }

    /** An n-ary SequenceMap from binary ones: builds tuples, then maps {@code f} over them. */
    public static SOp makeNarySequenceMap(Function<List<Object>, Object> f, List<SOp> sops) {
        SOp values = sops.get(0);
        for (int i = 1; i < sops.size(); i++) {
            final boolean first = i == 1;
            values = sequenceMap((x, y) -> {
                List<Object> t = new ArrayList<>();
                if (first) t.add(x); else t.addAll((List<?>) x);
                t.add(y);
                return t;
            }, values, sops.get(i));
        }
        @SuppressWarnings("unchecked")
        Function<Object, Object> g = args -> f.apply((List<Object>) args);
        return map(g, values);
    }
}
