package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Evaluator;
import dev.acdc.tracr.rasp.RaspEvaluationException;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a compiled model (the double-precision {@link ReferenceForward}) on inputs and compares it with the RASP
 * evaluator: the exhaustive oracle the tests and {@code acdc bench compile} use.
 */
public final class ModelCheck {
    private ModelCheck() {}

    /** The model's decoded output on {@code input}, padded to {@code length} positions (BOS included). */
    public static List<Object> run(CompiledModel m, ReferenceForward f, List<Object> input, int length) {
        double[][] logits = f.logits(m.encoder().encode(input, length));
        return m.decoder().decodeSequence(logits, input.size());
    }

    /** Every sequence of length 1..maxLen over {@code vocab}. */
    public static List<List<Object>> allInputs(List<Object> vocab, int maxLen) {
        List<List<Object>> out = new ArrayList<>();
        List<List<Object>> layer = new ArrayList<>();
        layer.add(List.of());
        for (int n = 1; n <= maxLen; n++) {
            List<List<Object>> next = new ArrayList<>();
            for (List<Object> prefix : layer) {
                for (Object v : vocab) {
                    List<Object> s = new ArrayList<>(prefix);
                    s.add(v);
                    next.add(s);
                }
            }
            out.addAll(next);
            layer = next;
        }
        return out;
    }

    /** The evaluator's output, or empty when the program is undefined on this input (dynamic check fails). */
    public static Optional<List<Object>> expected(CompiledModel m, List<Object> input) {
        try {
            return Optional.of(Evaluator.evaluate(m.output(), input));
        } catch (RaspEvaluationException e) {
            return Optional.empty();
        }
    }

    /** Position-wise agreement: numbers within 1e-4, everything else equal. */
    public static boolean agree(List<Object> expected, List<Object> actual) {
        if (expected.size() != actual.size()) return false;
        for (int i = 0; i < expected.size(); i++) {
            Object e = expected.get(i), a = actual.get(i);
            if (Values.isNumber(e) && Values.isNumber(a)) {
                if (Math.abs(Values.toDouble(e) - Values.toDouble(a)) > 1e-4) return false;
            } else if (e == null ? a != null : !e.equals(a)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks every input up to max_seq_len with and without padding; returns the mismatches (at most 5,
     * as readable lines) and the number of inputs checked.
     */
    public static Result exhaustive(CompiledModel m, List<Object> vocab, int maxLen) {
        ReferenceForward f = new ReferenceForward(m.weights());
        List<String> bad = new ArrayList<>();
        int checked = 0, skipped = 0;
        for (List<Object> input : allInputs(vocab, maxLen)) {
            Optional<List<Object>> exp = expected(m, input);
            if (exp.isEmpty()) { skipped++; continue; }
            checked++;
            for (int length : new int[] {input.size() + 1, maxLen + 1}) {
                List<Object> got = run(m, f, input, length);
                if (!agree(exp.get(), got) && bad.size() < 5) {
                    bad.add("input " + input + " (length " + length + "): expected " + exp.get() + ", model " + got);
                }
            }
        }
        return new Result(bad, checked, skipped);
    }

    public record Result(List<String> mismatches, int checked, int skipped) {}
}
