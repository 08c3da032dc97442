package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Aggregate;
import dev.acdc.tracr.rasp.Full;
import dev.acdc.tracr.rasp.Indices;
import dev.acdc.tracr.rasp.LinearSequenceMap;
import dev.acdc.tracr.rasp.RaspExpr;
import dev.acdc.tracr.rasp.RaspMap;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.SelectorWidth;
import dev.acdc.tracr.rasp.SequenceMap;
import dev.acdc.tracr.rasp.Tokens;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pass 3: the value set of every SOp, by applying each function to every combination of input values.
 *
 * <p>A numerical Aggregate takes the mean of the selected values, so its value set is every mean of a
 * multiset of 1..maxSeqLen input values, plus the default 0 (Tracr kept only {v/len}, so a later Map
 * missed values such as 2/5).
 */
public final class BasisInference {
    private BasisInference() {}

    /** The largest value set the compiler accepts (categorical SOps get one direction per value). */
    public static final int MAX_VALUES = 20_000;

    public static ValueSets infer(RaspGraph graph, Collection<?> vocab, int maxSeqLen) {
        if (maxSeqLen < 1) throw new IllegalArgumentException("max_seq_len must be ≥ 1, found " + maxSeqLen);
        if (vocab.isEmpty()) throw new IllegalArgumentException("the vocabulary must not be empty");
        TreeSet<Object> vocabSet = new TreeSet<>(Values.ORDER);
        for (Object v : vocab) {
            if (v == null) throw new IllegalArgumentException("the vocabulary must not contain None");
            vocabSet.add(Values.normalize(v));
        }
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (String label : graph.topologicalOrder()) {
            RaspExpr e = graph.expr(label);
            if (!(e instanceof SOp s)) continue;
            Set<Object> vs = new HashSet<>();
            if (s instanceof Tokens) {
                vs.addAll(vocabSet);
            } else if (s instanceof Indices) {
                for (int i = 0; i < maxSeqLen; i++) vs.add(i);
            } else if (s instanceof Full f) {
                if (f.value() != null) vs.add(f.value());
            } else if (s instanceof RaspMap m) {
                for (Object x : out.get(graph.labelOf(m.inner()))) add(vs, apply(label, s, () -> m.f().apply(x), x));
            } else if (s instanceof SequenceMap m) {
                for (Object x : out.get(graph.labelOf(m.left()))) {
                    for (Object y : out.get(graph.labelOf(m.right()))) {
                        add(vs, apply(label, s, () -> m.f().apply(x, y), List.of(x, y)));
                    }
                }
            } else if (s instanceof LinearSequenceMap m) {
                for (Object x : out.get(graph.labelOf(m.left()))) {
                    for (Object y : out.get(graph.labelOf(m.right()))) {
                        add(vs, apply(label, s, () -> m.leftCoefficient() * Values.toDouble(x)
                                + m.rightCoefficient() * Values.toDouble(y), List.of(x, y)));
                    }
                }
            } else if (s instanceof Aggregate a) {
                List<Object> input = out.get(graph.labelOf(a.sop()));
                if (a.isNumerical()) vs.addAll(means(label, input, maxSeqLen));
                else vs.addAll(input);
                if (a.defaultValue() != null) vs.add(a.defaultValue());
            } else if (s instanceof SelectorWidth) {
                for (int i = 0; i <= maxSeqLen; i++) vs.add(i);
            } else {
                throw new IllegalStateException("basis inference does not handle SOp kind " + s.kind());
            }
            if (vs.size() > MAX_VALUES) {
                throw new CompileException(label, s.kind(), "has " + vs.size() + " possible values (more than "
                        + MAX_VALUES + "); reduce the vocabulary or max_seq_len");
            }
            if (s.isNumerical()) {
                for (Object v : vs) {
                    if (!Values.isNumber(v)) {
                        throw new CompileException(label, s.kind(), "is numerical but can take the non-numerical value "
                                + Values.describe(v) + "; annotate it categorical or return numbers");
                    }
                }
            }
            List<Object> sorted = new ArrayList<>(vs);
            sorted.sort(Values.ORDER);
            out.put(label, Collections.unmodifiableList(sorted));
        }
        return new ValueSets(Collections.unmodifiableMap(out), List.copyOf(vocabSet), maxSeqLen);
    }

    /** Every mean of a multiset of 1..n values drawn from {@code input} (n = max_seq_len). */
    static Set<Object> means(String label, List<Object> input, int n) {
        Set<Object> means = new HashSet<>();
        Set<Double> sums = new HashSet<>(List.of(0.0));
        for (int size = 1; size <= n; size++) {
            Set<Double> next = new HashSet<>();
            for (double s : sums) {
                for (Object v : input) next.add(Values.toDouble(Values.normalize(s + Values.toDouble(v))));
            }
            sums = next;
            if (sums.size() > MAX_VALUES) {
                throw new CompileException(label, "Aggregate", "numerical aggregate has more than " + MAX_VALUES
                        + " possible sums of " + size + " values; reduce the input value set");
            }
            for (double s : sums) means.add(Values.normalize(s / size));
        }
        return means;
    }

    private static void add(Set<Object> vs, Object v) {
        if (v != null) vs.add(v);
    }

    private static Object apply(String label, SOp s, java.util.function.Supplier<Object> f, Object input) {
        try {
            return Values.normalize(f.get());
        } catch (RuntimeException ex) {
            throw new CompileException(label, s.kind(), "the function fails on input " + input + ": " + ex.getMessage());
        }
    }
}
