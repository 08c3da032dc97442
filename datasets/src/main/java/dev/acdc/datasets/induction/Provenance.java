package dev.acdc.datasets.induction;

import java.util.List;

/**
 * Where a trained induction model came from and what it measured, saved beside it as {@code provenance.json}.
 *
 * @param command            the command line that trained it
 * @param training           the training configuration (seed included)
 * @param seconds            wall-clock training time on the machine that trained it
 * @param initialLoss        mean training loss over the first tenth of the steps
 * @param finalLoss          mean training loss over the last tenth
 * @param evaluationSeed     seed of the held-out evaluation sequences ({@link InductionEvaluation})
 * @param evaluationSequences how many evaluation sequences
 * @param accuracyRepeated   top-1 accuracy where the next token is predictable by induction
 * @param accuracyFirst      top-1 accuracy at the same offsets in the segment's first occurrence
 * @param previousTokenScores [layer][head] previous-token scores ({@link InductionHeads})
 * @param inductionScores     [layer][head] induction scores
 * @param previousTokenHeads  heads found, as {@code a0.H}
 * @param inductionHeads      heads found, as {@code a1.H}
 * @param canonicalCircuit    the canonical circuit of those heads, edge names ({@link InductionHeads#canonicalCircuit()})
 */
public record Provenance(String command, TrainingConfig training, double seconds, double initialLoss, double finalLoss,
                         long evaluationSeed, int evaluationSequences, double accuracyRepeated, double accuracyFirst,
                         double[][] previousTokenScores, double[][] inductionScores, List<String> previousTokenHeads,
                         List<String> inductionHeads, List<String> canonicalCircuit) {

    public static final String FILE = "provenance.json";
}
