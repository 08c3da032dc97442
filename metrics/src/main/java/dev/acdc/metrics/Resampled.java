package dev.acdc.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A bootstrap resample of a task's examples as a metric, and the Jaccard overlap of the circuits found on resamples.
 *
 * <p>{@link #metric}: drawing examples with replacement is the same as weighting each example by how often it was
 * drawn. For a metric that is a mean over its scored rows ({@link Metric#scoresPerRow}), the resampled metric is the
 * mean of the row values weighted by their example's count, Σ_k c_{e(k)} r_k / Σ_k c_{e(k)}: exactly the metric on
 * the resampled example set, as long as each example's output depends on its own clean and corrupted input only
 * (resample ablation with paired corrupted inputs; under mean ablation the means stay those of the whole set). The
 * patcher keeps running on every example; an example drawn 0 times weighs nothing.
 */
public final class Resampled {
    private Resampled() {}

    /**
     * The metric on the examples drawn {@code counts[i]} times each (i the batch row); {@code seqLen} the outputs'
     * positions. Its {@link Metric#apply}/{@link Metric#applyRows} give the weighted mean of the per-row values.
     */
    public static Metric metric(Metric m, int[] counts, long seqLen) {
        Objects.requireNonNull(m, "metric");
        if (!m.scoresPerRow()) throw new IllegalArgumentException("metric '" + m.name() + "' gives no per-row values");
        ScoredPositions positions = m.scoredPositions().orElseThrow();
        long[] flat = positions.flatIndices(counts.length, seqLen);
        float[] w = new float[flat.length];
        double total = 0;
        for (int k = 0; k < flat.length; k++) {
            int c = counts[(int) (flat[k] / seqLen)];
            if (c < 0) throw new IllegalArgumentException("negative count " + c);
            w[k] = c;
            total += c;
        }
        if (total == 0) throw new IllegalArgumentException("the resample draws no scored row");
        double sum = total;
        return new Metric() {
            @Override
            public String name() {
                return m.name();
            }

            @Override
            public Optional<ScoredPositions> scoredPositions() {
                return Optional.of(positions);
            }

            @Override
            public NDArray apply(NDArray output) {
                return applyRows(positions.select(output));
            }

            @Override
            public NDArray applyRows(NDArray rows) {
                NDArray values = m.applyPerRow(rows);
                NDArray weights = rows.getManager().create(w).toType(values.getDataType(), false).toDevice(values.getDevice(), false);
                return values.mul(weights).sum().div(sum);
            }

            @Override
            public NDArray applyPerRow(NDArray rows) {
                return m.applyPerRow(rows);
            }

            @Override
            public boolean scoresPerRow() {
                return false;   // its rows are not equally weighted: a mean of per-row values would not be this metric
            }
        };
    }

    /** How often each of n examples is drawn in one bootstrap replicate: n draws uniformly with replacement. */
    public static int[] counts(int n, java.util.Random r) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) c[r.nextInt(n)]++;
        return c;
    }

    /** |A ∩ B| / |A ∪ B|, and 1 for two empty sets. */
    public static double jaccard(BitSet a, BitSet b) {
        BitSet union = (BitSet) a.clone();
        union.or(b);
        if (union.isEmpty()) return 1.0;
        BitSet both = (BitSet) a.clone();
        both.and(b);
        return (double) both.cardinality() / union.cardinality();
    }

    /** The mean Jaccard overlap over all unordered pairs of sets (at least two). */
    public static double meanPairwiseJaccard(List<BitSet> sets) {
        if (sets.size() < 2) throw new IllegalArgumentException("a pairwise mean needs at least two sets, found " + sets.size());
        double s = 0;
        int pairs = 0;
        for (int i = 0; i < sets.size(); i++) {
            for (int j = i + 1; j < sets.size(); j++) {
                s += jaccard(sets.get(i), sets.get(j));
                pairs++;
            }
        }
        return s / pairs;
    }
}
