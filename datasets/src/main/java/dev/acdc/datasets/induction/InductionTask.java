package dev.acdc.datasets.induction;

import ai.djl.ndarray.NDArray;
import dev.acdc.datasets.Task;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The induction task on our own 2-layer, 8-heads-per-layer attention-only model (trained by
 * {@link InductionTrainer}; the ACDC paper's model was trained on web text that cannot be downloaded).
 *
 * <p>Clean data: {@link #SEQUENCES} {@link RepeatedSequence}s drawn with the task seed (distinct random tokens, one
 * segment repeated). Corrupted data: the same rows under a seeded permutation, as the ACDC code shuffles its
 * induction batch, so a patched activation comes from a sequence with a different segment.
 *
 * <p>Scored positions: exactly those whose next token is predictable by induction (inside the second occurrence of
 * the segment, {@link RepeatedSequence#predictable}). Metrics, lower is better: {@code kl} (default), KL(clean ‖
 * patched) averaged over the scored positions; {@code nll}, the mean negative log-probability of the true next token
 * there.
 *
 * <p>Ground truth {@code canonical}: the previous-token → induction-head circuit of {@link InductionHeads}, as stored
 * in the shipped model's provenance (a test recomputes it from the weights), or derived from the weights of a model
 * directory that has none.
 */
public final class InductionTask implements Task {
    public static final String NAME = "induction";
    public static final int SEQUENCES = 40;
    /** Task-data seeds are offset so that task seed 0 never replays a training batch of training seed 0. */
    static final long DATA_SEED_OFFSET = 0x1d_c7a5L;

    private final TransformerWeights weights;
    private final List<RepeatedSequence> sequences;
    private final ModelInput clean;
    private final ModelInput corrupted;
    private final int[] permutation;
    private final boolean[][] predictable;
    private final int[][] nextTokens;
    private final List<String> canonical;

    /**
     * @param weights   a causal model trained on {@link RepeatedSequences} of length n_ctx
     * @param canonical the canonical circuit's edges (e.g. from the provenance); null = derive it from the weights
     * @param seed      seeds the task data and the corruption permutation
     */
    public InductionTask(TransformerWeights weights, List<String> canonical, long seed) {
        this.weights = Objects.requireNonNull(weights, "weights");
        TransformerConfig c = weights.config();
        RepeatedSequences data = dataFor(c);
        Random random = new Random(seed + DATA_SEED_OFFSET);
        this.sequences = data.draw(random, SEQUENCES);
        this.permutation = permutation(SEQUENCES, random);
        int[][] rows = RepeatedSequences.tokens(sequences);
        int[][] shuffled = new int[SEQUENCES][];
        for (int i = 0; i < SEQUENCES; i++) shuffled[i] = rows[permutation[i]];
        this.clean = ModelInput.of(rows);
        this.corrupted = ModelInput.of(shuffled);
        int P = data.length();
        this.predictable = new boolean[SEQUENCES][P];
        this.nextTokens = new int[SEQUENCES][];
        for (int b = 0; b < SEQUENCES; b++) {
            for (int p = 0; p < P; p++) predictable[b][p] = sequences.get(b).predictable(p);
            List<Integer> next = new ArrayList<>();
            for (int p = 0; p < P; p++) if (predictable[b][p]) next.add(rows[b][p + 1]);
            nextTokens[b] = next.stream().mapToInt(Integer::intValue).toArray();
        }
        this.canonical = canonical != null ? List.copyOf(canonical)
                : InductionEvaluation.of(weights, data).heads().canonicalCircuit();
    }

    /** The task on the shipped checkpoint, its canonical circuit read from the checkpoint's provenance. */
    public static InductionTask shipped(long seed) {
        InductionModel.Loaded m = InductionModel.shipped();
        return new InductionTask(m.model().weights(), m.provenance().canonicalCircuit(), seed);
    }

    /**
     * The task data for a model: sequences as long as its context, segments of 5 to 10 tokens (as the default
     * training draws them; fewer when the context is short), tokens from its whole vocabulary.
     */
    public static RepeatedSequences dataFor(TransformerConfig c) {
        int maxSegment = Math.min(10, c.nCtx() / 2);
        int minSegment = Math.min(5, maxSegment);
        if (maxSegment < 2 || c.nCtx() - minSegment > c.dVocab()) {
            throw new IllegalArgumentException("model '" + c.name() + "' (context " + c.nCtx() + ", vocabulary " + c.dVocab()
                    + ") cannot hold two copies of a segment of ≥ 2 tokens among distinct tokens");
        }
        return new RepeatedSequences(c.dVocab(), c.nCtx(), minSegment, maxSegment);
    }

    public List<RepeatedSequence> sequences() {
        return sequences;
    }

    /** Row i of the corrupted batch is clean row {@code permutation()[i]}. */
    public int[] permutation() {
        return permutation.clone();
    }

    /** [B][P]: whether the next token after position p of row b is predictable by induction (the scored positions). */
    public boolean[][] scoredPositions() {
        boolean[][] c = new boolean[predictable.length][];
        for (int i = 0; i < c.length; i++) c[i] = predictable[i].clone();
        return c;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "induction on repeated random segments (our 2-layer attention-only model, " + weights.config().nHeads()
                + " heads per layer)";
    }

    @Override
    public TransformerWeights weights() {
        return weights;
    }

    @Override
    public ModelInput clean() {
        return clean;
    }

    @Override
    public ModelInput corrupted() {
        return corrupted;
    }

    @Override
    public List<String> metricNames() {
        return METRICS;
    }

    /** The metrics, the default first. */
    public static final List<String> METRICS = List.of("kl", "nll");

    @Override
    public Metric metric(String metricName, NDArray cleanOutput) {
        ScoredPositions scored = ScoredPositions.mask(predictable);
        return switch (metricName) {
            case "kl" -> Metrics.klDivergence(cleanOutput, scored);
            case "nll" -> new NegativeLogLikelihood(scored, flatTargets());
            default -> throw new IllegalArgumentException("unknown metric '" + metricName + "' for task " + NAME
                    + "; expected one of " + metricNames());
        };
    }

    /** The true next tokens at the scored positions, row-major (the order {@link ScoredPositions#select} gathers). */
    private int[] flatTargets() {
        return java.util.Arrays.stream(nextTokens).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    @Override
    public Map<String, List<String>> groundTruths() {
        return Map.of("canonical", canonical);
    }

    /** Mean −log p(true next token) over the scored positions. */
    private record NegativeLogLikelihood(ScoredPositions positions, int[] targets) implements Metric {
        @Override
        public String name() {
            return "nll";
        }

        @Override
        public java.util.Optional<ScoredPositions> scoredPositions() {
            return java.util.Optional.of(positions);
        }

        @Override
        public NDArray apply(NDArray logits) {
            return applyRows(positions.select(logits));
        }

        @Override
        public NDArray applyRows(NDArray rows) {
            return applyPerRow(rows).mean();   // the mean of the negated rows is the negated mean, bit for bit
        }

        @Override
        public NDArray applyPerRow(NDArray rows) {
            if (rows.getShape().dimension() != 2 || rows.getShape().get(0) != targets.length) {
                throw new IllegalArgumentException("nll: expected the " + targets.length + " scored rows [N, V], found shape "
                        + rows.getShape());
            }
            NDArray logProbs = rows.logSoftmax(-1);                                                    // [N, V]
            long vocab = logProbs.getShape().get(1);
            NDArray oneHot = rows.getManager().create(targets).oneHot((int) vocab).toType(logProbs.getDataType(), false)
                    .toDevice(logProbs.getDevice(), false);
            return logProbs.mul(oneHot).sum(new int[] {-1}).neg();
        }

        @Override
        public boolean scoresPerRow() {
            return true;
        }
    }

    static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
