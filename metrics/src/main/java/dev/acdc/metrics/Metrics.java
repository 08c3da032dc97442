package dev.acdc.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The metrics of the ACDC paper, on DJL NDArrays. Shapes: B batch, P positions, V vocabulary (or output
 * width), N scored positions (see {@link ScoredPositions}).
 *
 * <p>Static functions compute the raw quantity as a scalar NDArray on the input's manager (differentiable);
 * the {@code Metric} factories bind the reference data and orient the value so that lower is better, as
 * ACDC minimises it: KL and L2 as they are, logit and probability difference negated.
 */
public final class Metrics {
    private Metrics() {}

    // ------------------------------------------------------------------ raw functions

    /**
     * KL(clean ‖ patched) = Σ_v p_clean·(log p_clean − log p_patched), averaged over the scored positions
     * (over the batch when one position per row). Log-probabilities come from log_softmax.
     *
     * @param cleanLogits   [B, P, V] the clean model's logits
     * @param patchedLogits [B, P, V] the patched model's logits
     */
    public static NDArray klDivergence(NDArray cleanLogits, NDArray patchedLogits, ScoredPositions positions) {
        sameShape("klDivergence", cleanLogits, patchedLogits);
        NDArray cleanLogProbs = positions.select(inScopeOf(patchedLogits, cleanLogits.stopGradient())).logSoftmax(-1);  // [N, V]
        return klOfRows(cleanLogProbs, cleanLogProbs.exp(), positions.select(patchedLogits));
    }

    /**
     * KL(clean ‖ patched) of the scored rows: clean log-probabilities and probabilities, and patched logits, all
     * [N, V]. Every operation starts from the patched side: DJL attaches a result to its first operand's manager, and
     * the clean arrays outlive the evaluation (see {@link #inScopeOf}). −log q + log p is log p − log q exactly.
     */
    static NDArray klOfRows(NDArray cleanLogProbs, NDArray cleanProbs, NDArray patchedRows) {
        return klPerRow(cleanLogProbs, cleanProbs, patchedRows).mean();
    }

    /** {@link #klOfRows} of each row [N], before the mean. */
    static NDArray klPerRow(NDArray cleanLogProbs, NDArray cleanProbs, NDArray patchedRows) {
        sameShape("klDivergence", cleanLogProbs, patchedRows);
        NDArray logProbs = patchedRows.logSoftmax(-1);                                              // [N, V]
        return logProbs.neg().add(cleanLogProbs).mul(cleanProbs).sum(new int[] {-1});
    }

    /**
     * {@code fresh}, a new array computed from a long-lived one, moved into {@code patched}'s scope so that it and
     * what is computed from it are freed with the evaluation's other arrays.
     */
    private static NDArray inScopeOf(NDArray patched, NDArray fresh) {
        fresh.attach(patched.getManager());
        return fresh;
    }

    /**
     * Mean over the scored positions and all output dimensions of (patched − clean)².
     *
     * @param cleanOutput   [B, P, D] the clean model's output
     * @param patchedOutput [B, P, D]
     */
    public static NDArray l2(NDArray cleanOutput, NDArray patchedOutput, ScoredPositions positions) {
        sameShape("l2", cleanOutput, patchedOutput);
        NDArray clean = positions.select(inScopeOf(patchedOutput, cleanOutput.stopGradient()));      // [N, D]
        return positions.select(patchedOutput).sub(clean).square().mean();
    }

    /**
     * Mean over the batch of logit[correct_b] − logit[wrong_b] at each row's scored position.
     *
     * @param logits  [B, P, V]
     * @param correct [B] token ids
     * @param wrong   [B] token ids
     */
    public static NDArray logitDifference(NDArray logits, ScoredPositions positions, int[] correct, int[] wrong) {
        return logitDifferenceOfRows(onePerRow("logitDifference", logits, positions), correct, wrong);
    }

    /** {@link #logitDifference} of each row's scored logits [B, V]. */
    static NDArray logitDifferenceOfRows(NDArray rows, int[] correct, int[] wrong) {
        return logitDifferencePerRow(rows, correct, wrong).mean();
    }

    /** {@link #logitDifferenceOfRows} of each row [B], before the mean. */
    static NDArray logitDifferencePerRow(NDArray rows, int[] correct, int[] wrong) {
        checkRows("logitDifference", rows);
        long batch = rows.getShape().get(0);
        long vocab = rows.getShape().get(1);
        checkTokens("correct", correct, batch, vocab);
        checkTokens("wrong", wrong, batch, vocab);
        NDArray flat = rows.reshape(-1);                                                        // [B·V]
        return pick(flat, correct, vocab).sub(pick(flat, wrong, vocab));
    }

    /**
     * Greater-than's probability difference: per row, Σ p(candidate_j) over j &gt; threshold_b minus
     * Σ p(candidate_j) over j ≤ threshold_b, probabilities from a softmax over the whole vocabulary;
     * averaged over the batch. Candidate j stands for value j (greater-than: the year tokens 00…99).
     *
     * @param logits     [B, P, V]
     * @param candidates token ids of the values 0, 1, …, C−1
     * @param thresholds [B] each row's threshold value (greater-than: the start year's last two digits)
     */
    public static NDArray probabilityDifference(NDArray logits, ScoredPositions positions, int[] candidates,
                                                int[] thresholds) {
        return probabilityDifferenceOfRows(onePerRow("probabilityDifference", logits, positions), candidates, thresholds);
    }

    /** {@link #probabilityDifference} of each row's scored logits [B, V]. */
    static NDArray probabilityDifferenceOfRows(NDArray rows, int[] candidates, int[] thresholds) {
        return probabilityDifferencePerRow(rows, candidates, thresholds).mean();
    }

    /** {@link #probabilityDifferenceOfRows} of each row [B], before the mean. */
    static NDArray probabilityDifferencePerRow(NDArray rows, int[] candidates, int[] thresholds) {
        checkRows("probabilityDifference", rows);
        long batch = rows.getShape().get(0);
        long vocab = rows.getShape().get(1);
        checkTokens("candidates", candidates, candidates.length, vocab);
        if (thresholds.length != batch) {
            throw new IllegalArgumentException("probabilityDifference: " + thresholds.length + " thresholds for a batch of "
                    + batch);
        }
        float[] sign = new float[(int) batch * candidates.length];                             // [B, C]: +1 above, −1 at or below
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < candidates.length; j++) sign[b * candidates.length + j] = j > thresholds[b] ? 1f : -1f;
        }
        NDArray probs = rows.softmax(-1);                                                       // [B, V]
        NDArray idx = rows.getManager().create(toLong(candidates));
        NDArray candidateProbs = probs.get(new NDIndex(":, {}", idx));                          // [B, C]
        NDArray signs = rows.getManager().create(sign, new Shape(batch, candidates.length)).toType(rows.getDataType(), false);
        return candidateProbs.mul(signs).sum(new int[] {1});
    }

    /**
     * Mean over the batch of p(correct_b) − p(wrong_b) at each row's scored position, probabilities from a
     * softmax over the whole vocabulary: the probability difference of a task with one right and one wrong
     * answer token per prompt (greater-than's candidate sums are {@link #probabilityDifference}).
     *
     * @param logits  [B, P, V]
     * @param correct [B] token ids
     * @param wrong   [B] token ids
     */
    public static NDArray tokenProbabilityDifference(NDArray logits, ScoredPositions positions, int[] correct, int[] wrong) {
        return tokenProbabilityDifferenceOfRows(onePerRow("tokenProbabilityDifference", logits, positions), correct, wrong);
    }

    /** {@link #tokenProbabilityDifference} of each row's scored logits [B, V]. */
    static NDArray tokenProbabilityDifferenceOfRows(NDArray rows, int[] correct, int[] wrong) {
        return tokenProbabilityDifferencePerRow(rows, correct, wrong).mean();
    }

    /** {@link #tokenProbabilityDifferenceOfRows} of each row [B], before the mean. */
    static NDArray tokenProbabilityDifferencePerRow(NDArray rows, int[] correct, int[] wrong) {
        checkRows("tokenProbabilityDifference", rows);
        long batch = rows.getShape().get(0);
        long vocab = rows.getShape().get(1);
        checkTokens("correct", correct, batch, vocab);
        checkTokens("wrong", wrong, batch, vocab);
        NDArray flat = rows.softmax(-1).reshape(-1);                                            // [B·V]
        return pick(flat, correct, vocab).sub(pick(flat, wrong, vocab));
    }

    // ------------------------------------------------------------------ metrics for discovery (lower is better)

    /**
     * KL(clean ‖ patched) against fixed clean logits. The clean log-probabilities and probabilities are computed once and
     * kept on {@code cleanLogits}' manager: the metric is valid while that manager is open; an evaluation leaves nothing
     * there.
     */
    public static Metric klDivergence(NDArray cleanLogits, ScoredPositions positions) {
        NDArray cleanLogProbs = positions.select(cleanLogits.stopGradient()).logSoftmax(-1);
        NDArray cleanProbs = cleanLogProbs.exp();
        Shape shape = cleanLogits.getShape();
        return new Named("kl_div", positions, out -> {
            checkShape("kl_div", shape, out);
            return positions.select(out);
        }, rows -> klOfRows(cleanLogProbs, cleanProbs, rows), rows -> klPerRow(cleanLogProbs, cleanProbs, rows));
    }

    /** L2 against a fixed clean output (valid while {@code cleanOutput}'s manager is open). */
    public static Metric l2(NDArray cleanOutput, ScoredPositions positions) {
        return new L2(cleanOutput, positions);
    }

    /** L2 that also scores plain arrays (see {@link ArrayMetric}). */
    private static final class L2 implements ArrayMetric {
        private final NDArray clean;
        private final Shape shape;
        private final ScoredPositions positions;
        /** The clean output and the scored flat rows, read on the first array evaluation (one write: thread-safe). */
        private record Flat(float[] clean, long[] rows) {}
        private volatile Flat flat;
        private final NDArray cleanRows;    // [N, D]

        L2(NDArray clean, ScoredPositions positions) {
            this.clean = clean;
            this.shape = clean.getShape();
            this.positions = positions;
            this.cleanRows = positions.select(clean.stopGradient());
        }

        @Override
        public String name() {
            return "l2";
        }

        @Override
        public Optional<ScoredPositions> scoredPositions() {
            return Optional.of(positions);
        }

        @Override
        public NDArray apply(NDArray output) {
            checkShape("l2", shape, Objects.requireNonNull(output, "output"));
            return applyRows(positions.select(output));   // the clean rows were selected once, in the constructor
        }

        @Override
        public NDArray applyRows(NDArray rows) {
            sameShape("l2", cleanRows, Objects.requireNonNull(rows, "rows"));
            return rows.sub(cleanRows).square().mean();
        }

        @Override
        public NDArray applyPerRow(NDArray rows) {
            sameShape("l2", cleanRows, Objects.requireNonNull(rows, "rows"));
            return rows.sub(cleanRows).square().mean(new int[] {1});
        }

        @Override
        public boolean scoresPerRow() {
            return true;
        }

        @Override
        public double evaluate(float[] output, int offset, int batch, int seqLen, int width) {
            if (shape.dimension() != 3 || shape.get(0) != batch || shape.get(1) != seqLen || shape.get(2) != width) {
                throw new IllegalArgumentException("l2: output is [" + batch + ", " + seqLen + ", " + width
                        + "], the clean output " + shape);
            }
            Flat f = flat;
            if (f == null) flat = f = new Flat(clean.toFloatArray(), positions.flatIndices(batch, seqLen));
            return l2OfArrays(output, offset, f.clean, f.rows, width);
        }
    }

    /** L2 of output[offset …] against clean over the given flat rows, both row-major [rows, width]. */
    private static double l2OfArrays(float[] output, int offset, float[] clean, long[] rows, int width) {
        // squares in float as torch computes them, summed in double, the mean rounded to float as torch's is
        double sum = 0;
        for (long r : rows) {
            int o = (int) r * width;
            for (int j = 0; j < width; j++) {
                float diff = output[offset + o + j] - clean[o + j];
                sum += diff * diff;
            }
        }
        return (float) (sum / ((double) rows.length * width));
    }

    /**
     * L2 against a clean output held in a Java array, row-major [batch, positions, width]: the same numbers as
     * {@link #l2(NDArray, ScoredPositions)} on Java arrays, with no NDArray anywhere (a run that computes without the
     * native engine). It scores arrays only: {@link Metric#apply} and {@link Metric#applyRows} are unsupported.
     */
    public static ArrayMetric l2(float[] cleanOutput, int batch, int positions, int width, ScoredPositions scored) {
        if (cleanOutput.length != batch * positions * width) {
            throw new IllegalArgumentException("l2: clean output has " + cleanOutput.length + " values, not [" + batch + ", "
                    + positions + ", " + width + "]");
        }
        float[] clean = cleanOutput.clone();
        long[] rows = scored.flatIndices(batch, positions);
        return new ArrayMetric() {
            @Override
            public String name() {
                return "l2";
            }

            @Override
            public Optional<ScoredPositions> scoredPositions() {
                return Optional.of(scored);
            }

            @Override
            public NDArray apply(NDArray output) {
                throw new UnsupportedOperationException("this l2 scores Java arrays only");
            }

            @Override
            public double evaluate(float[] output, int offset, int b, int p, int w) {
                if (b != batch || p != positions || w != width) {
                    throw new IllegalArgumentException("l2: output is [" + b + ", " + p + ", " + w + "], the clean output ["
                            + batch + ", " + positions + ", " + width + "]");
                }
                return l2OfArrays(output, offset, clean, rows, width);
            }
        };
    }

    /** −(logit difference), so that lower is better. */
    public static Metric negativeLogitDifference(ScoredPositions positions, int[] correct, int[] wrong) {
        int[] c = correct.clone();
        int[] w = wrong.clone();
        return new Named("logit_diff", positions, out -> onePerRow("logitDifference", out, positions),
                rows -> logitDifferenceOfRows(rows, c, w).neg(), rows -> logitDifferencePerRow(rows, c, w).neg());
    }

    /** −(probability difference), so that lower is better. */
    public static Metric negativeProbabilityDifference(ScoredPositions positions, int[] candidates, int[] thresholds) {
        int[] c = candidates.clone();
        int[] t = thresholds.clone();
        return new Named("prob_diff", positions, out -> onePerRow("probabilityDifference", out, positions),
                rows -> probabilityDifferenceOfRows(rows, c, t).neg(), rows -> probabilityDifferencePerRow(rows, c, t).neg());
    }

    /** −(token probability difference), so that lower is better. */
    public static Metric negativeTokenProbabilityDifference(ScoredPositions positions, int[] correct, int[] wrong) {
        int[] c = correct.clone();
        int[] w = wrong.clone();
        return new Named("prob_diff", positions, out -> onePerRow("tokenProbabilityDifference", out, positions),
                rows -> tokenProbabilityDifferenceOfRows(rows, c, w).neg(), rows -> tokenProbabilityDifferencePerRow(rows, c, w).neg());
    }

    /**
     * A metric of the scored rows: select picks them from a whole output (checking its shape), ofRows scores them,
     * perRow gives each row's value (ofRows is their mean).
     */
    private record Named(String name, ScoredPositions positions, Function<NDArray, NDArray> select,
                         Function<NDArray, NDArray> ofRows, Function<NDArray, NDArray> perRow) implements Metric {
        @Override
        public NDArray applyPerRow(NDArray rows) {
            return perRow.apply(Objects.requireNonNull(rows, "rows"));
        }

        @Override
        public boolean scoresPerRow() {
            return true;
        }

        @Override
        public NDArray apply(NDArray output) {
            return ofRows.apply(select.apply(Objects.requireNonNull(output, "output")));
        }

        @Override
        public NDArray applyRows(NDArray rows) {
            return ofRows.apply(Objects.requireNonNull(rows, "rows"));
        }

        @Override
        public Optional<ScoredPositions> scoredPositions() {
            return Optional.of(positions);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void checkRows(String what, NDArray rows) {
        if (rows.getShape().dimension() != 2) {
            throw new IllegalArgumentException(what + " needs each row's scored logits [B, V], found shape " + rows.getShape());
        }
    }

    private static NDArray onePerRow(String what, NDArray logits, ScoredPositions positions) {
        if (logits.getShape().dimension() != 3) {
            throw new IllegalArgumentException(what + " needs logits [B, P, V], found shape " + logits.getShape());
        }
        if (!positions.onePerRow()) {
            throw new IllegalArgumentException(what + " needs exactly one scored position per row, found " + positions);
        }
        return positions.select(logits);
    }

    private static NDArray pick(NDArray flatRows, int[] tokens, long vocab) {
        long[] idx = new long[tokens.length];
        for (int b = 0; b < tokens.length; b++) idx[b] = b * vocab + tokens[b];
        return flatRows.get(new NDIndex("{}", flatRows.getManager().create(idx)));
    }

    private static void checkTokens(String what, int[] tokens, long expected, long vocab) {
        if (tokens.length != expected) {
            throw new IllegalArgumentException(what + ": " + tokens.length + " token ids, expected " + expected);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + tokens[i] + " is outside the vocabulary 0.."
                        + (vocab - 1));
            }
        }
    }

    private static void sameShape(String what, NDArray clean, NDArray patched) {
        if (!clean.getShape().equals(patched.getShape())) {
            throw new IllegalArgumentException(what + ": clean output " + clean.getShape() + " and patched output "
                    + patched.getShape() + " differ in shape");
        }
    }

    private static void checkShape(String what, Shape expected, NDArray out) {
        if (!expected.equals(out.getShape())) {
            throw new IllegalArgumentException(what + ": output has shape " + out.getShape() + ", the clean reference "
                    + expected);
        }
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
