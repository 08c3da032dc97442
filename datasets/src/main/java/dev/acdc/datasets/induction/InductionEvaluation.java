package dev.acdc.datasets.induction;

import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.TransformerWeights;

import java.util.List;
import java.util.Random;

/**
 * What a trained induction model is judged by, on held-out sequences drawn with a fixed seed (independent of the
 * training seed): accuracy ({@link InductionAccuracy}) and the heads its attention patterns reveal
 * ({@link InductionHeads}), both run by the runtime.
 */
public record InductionEvaluation(InductionAccuracy accuracy, InductionHeads heads) {

    /** Seed of the evaluation sequences; training draws from the training seed, so the two never coincide by design. */
    public static final long SEED = 20231128L;
    public static final int SEQUENCES = 500;

    public static InductionEvaluation of(TransformerWeights weights, RepeatedSequences data) {
        return of(weights, data, SEQUENCES);
    }

    public static InductionEvaluation of(TransformerWeights weights, RepeatedSequences data, int sequences) {
        List<RepeatedSequence> eval = data.draw(new Random(SEED), sequences);
        try (HookedTransformer model = new HookedTransformer(weights, ai.djl.Device.cpu())) {
            return new InductionEvaluation(InductionAccuracy.measure(model, eval), InductionHeads.score(model, eval));
        }
    }
}
