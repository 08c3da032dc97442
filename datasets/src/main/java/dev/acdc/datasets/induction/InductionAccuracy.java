package dev.acdc.datasets.induction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;

import java.util.List;

/**
 * Top-1 next-token accuracy of a model on {@link RepeatedSequence}s, run by the runtime
 * ({@link HookedTransformer}), at two sets of positions.
 *
 * @param repeated    accuracy where the next token is predictable by induction (inside the second occurrence)
 * @param first       accuracy at the same offsets inside the first occurrence, where the next token is new: chance
 *                    is about 1/(vocab − tokens seen so far)
 * @param repeatedPositions how many positions {@code repeated} averages over
 * @param firstPositions    how many positions {@code first} averages over
 */
public record InductionAccuracy(double repeated, double first, int repeatedPositions, int firstPositions) {

    public static InductionAccuracy measure(HookedTransformer model, List<RepeatedSequence> sequences) {
        int hitRepeated = 0, nRepeated = 0, hitFirst = 0, nFirst = 0;
        try (NDManager scope = NDManager.newBaseManager(model.device())) {
            NDArray logits = model.forward(scope, ModelInput.of(RepeatedSequences.tokens(sequences)));   // [B, P, V]
            int P = sequences.get(0).length();
            long[] argmax = logits.argMax(-1).toLongArray();                                            // [B·P]
            for (int b = 0; b < sequences.size(); b++) {
                RepeatedSequence s = sequences.get(b);
                int[] t = s.tokens();
                for (int p = 0; p + 1 < P; p++) {
                    boolean hit = argmax[b * P + p] == t[p + 1];
                    if (s.predictable(p)) {
                        nRepeated++;
                        if (hit) hitRepeated++;
                    } else if (s.firstOccurrence(p)) {
                        nFirst++;
                        if (hit) hitFirst++;
                    }
                }
            }
        }
        return new InductionAccuracy((double) hitRepeated / nRepeated, (double) hitFirst / nFirst, nRepeated, nFirst);
    }
}
