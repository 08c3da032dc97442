package dev.acdc.tracr.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.compiler.ModelCheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a compiled model on the patching runtime ({@link HookedTransformer}, DJL, float32) over every
 * input up to max_seq_len, batched by length (unpadded) and all at once (padded to max_seq_len + 1),
 * and compares with the evaluator.
 */
public final class RuntimeCheck {
    private RuntimeCheck() {}

    public static ModelCheck.Result exhaustive(CompiledModel m, List<Object> vocab, int maxLen) {
        List<List<Object>> inputs = new ArrayList<>();
        List<List<Object>> expected = new ArrayList<>();
        int skipped = 0;
        for (List<Object> in : ModelCheck.allInputs(vocab, maxLen)) {
            Optional<List<Object>> e = ModelCheck.expected(m, in);
            if (e.isEmpty()) { skipped++; continue; }
            inputs.add(in);
            expected.add(e.get());
        }
        List<String> bad = new ArrayList<>();
        try (HookedTransformer t = new HookedTransformer(m.weights()); NDManager scope = NDManager.newBaseManager()) {
            // unpadded: one batch per length
            Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
            for (int i = 0; i < inputs.size(); i++) byLength.computeIfAbsent(inputs.get(i).size(), k -> new ArrayList<>()).add(i);
            for (var group : byLength.entrySet()) compare(m, t, scope, inputs, expected, group.getValue(), group.getKey() + 1, bad);
            // padded: everything in one batch
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) all.add(i);
            compare(m, t, scope, inputs, expected, all, maxLen + 1, bad);
        }
        return new ModelCheck.Result(bad, inputs.size(), skipped);
    }

    private static void compare(CompiledModel m, HookedTransformer t, NDManager parent, List<List<Object>> inputs,
                                List<List<Object>> expected, List<Integer> rows, int length, List<String> bad) {
        int[][] tokens = new int[rows.size()][];
        for (int r = 0; r < rows.size(); r++) tokens[r] = m.encoder().encode(inputs.get(rows.get(r)), length);
        try (NDManager scope = parent.newSubManager()) {
            NDArray logits = t.forward(scope, tokens);                  // [B, P, V]
            int V = (int) logits.getShape().get(2);
            float[] flat = logits.toFloatArray();
            for (int r = 0; r < rows.size(); r++) {
                List<Object> in = inputs.get(rows.get(r));
                double[][] row = new double[length][V];
                for (int p = 0; p < length; p++) for (int v = 0; v < V; v++) row[p][v] = flat[(r * length + p) * V + v];
                List<Object> got = m.decoder().decodeSequence(row, in.size());
                if (!ModelCheck.agree(expected.get(rows.get(r)), got) && bad.size() < 5) {
                    bad.add("input " + in + " (length " + length + "): expected " + expected.get(rows.get(r)) + ", runtime " + got);
                }
            }
        }
    }
}
