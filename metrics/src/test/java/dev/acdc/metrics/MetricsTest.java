package dev.acdc.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    private static final int B = 3;
    private static final int P = 4;
    private static final int V = 5;

    private static NDManager manager;
    private static float[] cleanData;
    private static float[] patchedData;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        Random r = new Random(42);
        cleanData = new float[B * P * V];
        patchedData = new float[B * P * V];
        for (int i = 0; i < cleanData.length; i++) {
            cleanData[i] = (float) r.nextGaussian() * 2;
            patchedData[i] = (float) r.nextGaussian() * 2;
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static float at(float[] d, int b, int p, int v) {
        return d[(b * P + p) * V + v];
    }

    private static double[] logSoftmax(float[] d, int b, int p) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) max = Math.max(max, at(d, b, p, v));
        double sum = 0;
        for (int v = 0; v < V; v++) sum += Math.exp(at(d, b, p, v) - max);
        double[] out = new double[V];
        for (int v = 0; v < V; v++) out[v] = at(d, b, p, v) - max - Math.log(sum);
        return out;
    }

    private static double kl(int b, int p) {
        double[] lp = logSoftmax(cleanData, b, p);
        double[] lq = logSoftmax(patchedData, b, p);
        double s = 0;
        for (int v = 0; v < V; v++) s += Math.exp(lp[v]) * (lp[v] - lq[v]);
        return s;
    }

    private static int arraysOn(NDManager m) {
        return ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
    }

    /**
     * A metric lives as long as its run and is evaluated once per tested edge, or per training step: whatever an
     * evaluation computes must belong to the patched output's scope, never to the clean output's. DJL attaches an
     * operation's result to its first operand's manager, so a chain that starts from the clean side (or from a
     * precomputed clean array) leaves its arrays, and under autograd the whole graph they reference, behind on every
     * call (SP on induction grew by 1.3 MB per epoch; ACDC on IOI by three [100, 50257] arrays per tested edge).
     */
    @Test
    void evaluatingAMetricLeavesNothingOnTheCleanOutputsManager() {
        try (NDManager clean = manager.newSubManager()) {
            NDArray c = clean.create(cleanData, new Shape(B, P, V));
            Metric kl = Metrics.klDivergence(c, ScoredPositions.last());
            Metric l2 = Metrics.l2(c, ScoredPositions.last());
            int held = arraysOn(clean);
            for (int i = 0; i < 3; i++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray patched = step.create(patchedData, new Shape(B, P, V));
                    NDArray rows = ScoredPositions.last().select(patched);
                    kl.apply(patched);
                    kl.applyRows(rows);
                    l2.apply(patched);
                    l2.applyRows(rows);
                    kl.applyPerRow(rows);
                    l2.applyPerRow(rows);
                    Metrics.klDivergence(c, patched, ScoredPositions.last());
                    Metrics.l2(c, patched, ScoredPositions.last());
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray leaf = step.create(patchedData, new Shape(B, P, V));
                        leaf.setRequiresGradient(true);
                        gc.backward(kl.apply(leaf.mul(2f)).add(l2.apply(leaf)));
                    }
                }
                assertEquals(held, arraysOn(clean), "arrays left on the clean output's manager after " + (i + 1) + " rounds");
            }
        }
    }

    @Test
    void kl_is_clean_against_patched_averaged_over_the_batch_at_the_last_position() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray patched = m.create(patchedData, new Shape(B, P, V));
            double expected = (kl(0, 3) + kl(1, 3) + kl(2, 3)) / 3;
            assertEquals(expected, Metrics.klDivergence(clean, ScoredPositions.last()).evaluate(patched), 1e-5);
            assertEquals(0.0, Metrics.klDivergence(clean, ScoredPositions.last()).evaluate(clean), 1e-6);
        }
    }

    /** Per-row values: each example's rows, whose mean over all rows is the metric; hand-computed KL per row. */
    @Test
    void per_row_values_average_to_the_metric_and_name_their_examples() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray patched = m.create(patchedData, new Shape(B, P, V));
            boolean[][] mask = {{false, true, true, false}, {false, false, false, true}, {true, false, false, false}};
            Metric kl = Metrics.klDivergence(clean, ScoredPositions.mask(mask));
            assertTrue(kl.scoresPerRow());
            Metric.PerRow rows = kl.evaluatePerRow(patched);
            assertEquals(4, rows.values().length);
            assertEquals(kl(0, 1), rows.values()[0], 1e-5);
            assertEquals(kl(0, 2), rows.values()[1], 1e-5);
            assertEquals(kl(1, 3), rows.values()[2], 1e-5);
            assertEquals(kl(2, 0), rows.values()[3], 1e-5);
            assertArrayEquals(new int[] {0, 0, 1, 2}, rows.examples());
            assertArrayEquals(new int[] {2, 1, 1}, rows.rowsByExample());
            assertEquals(kl(0, 1) + kl(0, 2), rows.sumsByExample()[0], 1e-5);
            int[] tokens = {1, 2, 3}, others = {0, 4, 3}, candidates = {4, 0, 2}, thresholds = {0, 1, 2};
            for (Metric metric : java.util.List.of(kl, Metrics.l2(clean, ScoredPositions.mask(mask)),
                    Metrics.negativeLogitDifference(ScoredPositions.last(), tokens, others),
                    Metrics.negativeProbabilityDifference(ScoredPositions.last(), candidates, thresholds),
                    Metrics.negativeTokenProbabilityDifference(ScoredPositions.last(), tokens, others))) {
                double[] v = metric.evaluatePerRow(patched).values();
                assertEquals(metric.evaluate(patched), java.util.Arrays.stream(v).average().orElseThrow(), 1e-5, metric.name());
            }
            double[] ld = Metrics.negativeLogitDifference(ScoredPositions.last(), tokens, others).evaluatePerRow(patched).values();
            for (int b = 0; b < B; b++) assertEquals(-(at(patchedData, b, 3, tokens[b]) - at(patchedData, b, 3, others[b])), ld[b], 1e-5);
        }
    }

    @Test
    void kl_with_a_mask_averages_over_the_masked_positions() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray patched = m.create(patchedData, new Shape(B, P, V));
            boolean[][] mask = {{false, true, true, false}, {false, false, false, true}, {true, false, false, false}};
            double expected = (kl(0, 1) + kl(0, 2) + kl(1, 3) + kl(2, 0)) / 4;
            assertEquals(expected, Metrics.klDivergence(clean, ScoredPositions.mask(mask)).evaluate(patched), 1e-5);
            double perRow = (kl(0, 1) + kl(1, 0) + kl(2, 2)) / 3;
            assertEquals(perRow, Metrics.klDivergence(clean, ScoredPositions.perRow(1, 0, -2)).evaluate(patched), 1e-5);
        }
    }

    @Test
    void l2_is_the_mean_squared_difference_over_positions_and_dimensions() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray patched = m.create(patchedData, new Shape(B, P, V));
            boolean[][] mask = {{false, true, true, true}, {false, true, true, true}, {false, true, true, true}};
            double s = 0;
            for (int b = 0; b < B; b++) for (int p = 1; p < P; p++) for (int v = 0; v < V; v++) {
                double d = at(patchedData, b, p, v) - at(cleanData, b, p, v);
                s += d * d;
            }
            assertEquals(s / (B * 3 * V), Metrics.l2(clean, ScoredPositions.mask(mask)).evaluate(patched), 1e-5);
        }
    }

    @Test
    void l2_scores_a_plain_array_at_an_offset_as_it_scores_the_ndarray() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            ArrayMetric l2 = (ArrayMetric) Metrics.l2(clean, ScoredPositions.perRow(1, -1, 2));
            // the output sits after one variant's worth of other numbers, as in a [K·B, P, V] batch
            float[] packed = new float[2 * B * P * V];
            System.arraycopy(patchedData, 0, packed, B * P * V, B * P * V);
            double expected = l2.evaluate(m.create(patchedData, new Shape(B, P, V)));
            assertEquals(expected, l2.evaluate(packed, B * P * V, B, P, V), 1e-6 * expected);
            assertEquals(0.0, l2.evaluate(cleanData, 0, B, P, V));
            assertThrows(IllegalArgumentException.class, () -> l2.evaluate(packed, 0, B, P + 1, V));
        }
    }

    @Test
    void logit_difference_is_negated_for_acdc() {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(patchedData, new Shape(B, P, V));
            int[] correct = {1, 2, 3};
            int[] wrong = {0, 4, 3};
            double expected = 0;
            for (int b = 0; b < B; b++) expected += at(patchedData, b, 3, correct[b]) - at(patchedData, b, 3, wrong[b]);
            expected /= B;
            assertEquals(expected, Metrics.logitDifference(logits, ScoredPositions.last(), correct, wrong)
                    .toType(DataType.FLOAT64, false).getDouble(), 1e-5);
            assertEquals(-expected, Metrics.negativeLogitDifference(ScoredPositions.last(), correct, wrong)
                    .evaluate(logits), 1e-5);
        }
    }

    @Test
    void probability_difference_counts_candidates_above_the_threshold_positive() {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(patchedData, new Shape(B, P, V));
            int[] candidates = {4, 0, 2};          // values 0, 1, 2 are tokens 4, 0, 2
            int[] thresholds = {0, 1, 2};
            double expected = 0;
            for (int b = 0; b < B; b++) {
                double[] lp = logSoftmax(patchedData, b, 1);
                for (int j = 0; j < candidates.length; j++) {
                    expected += (j > thresholds[b] ? 1 : -1) * Math.exp(lp[candidates[j]]);
                }
            }
            expected /= B;
            assertEquals(-expected, Metrics.negativeProbabilityDifference(ScoredPositions.perRow(1, 1, 1), candidates,
                    thresholds).evaluate(logits), 1e-5);
        }
    }

    /**
     * A patcher that unembeds only the scored positions hands a metric those rows alone; every metric that names
     * its positions scores them to the number it gives the whole output.
     */
    @Test
    void every_metric_scores_its_compact_rows_as_it_scores_the_whole_output() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray patched = m.create(patchedData, new Shape(B, P, V));
            boolean[][] mask = {{false, true, false, true}, {true, false, false, false}, {false, false, true, true}};
            java.util.List<ScoredPositions> positions = java.util.List.of(ScoredPositions.last(),
                    ScoredPositions.perRow(1, -2, 0), ScoredPositions.mask(mask));
            int[] tokens = {1, 2, 3}, others = {0, 4, 3}, candidates = {4, 0, 2}, thresholds = {0, 1, 2};
            for (ScoredPositions at : positions) {
                java.util.List<Metric> metrics = new java.util.ArrayList<>(java.util.List.of(
                        Metrics.klDivergence(clean, at), Metrics.l2(clean, at)));
                if (at.onePerRow()) {
                    metrics.add(Metrics.negativeLogitDifference(at, tokens, others));
                    metrics.add(Metrics.negativeProbabilityDifference(at, candidates, thresholds));
                }
                for (Metric metric : metrics) {
                    assertEquals(at, metric.scoredPositions().orElseThrow());
                    NDArray rows = at.select(patched);
                    assertEquals(metric.evaluate(patched), metric.evaluateRows(rows), 1e-6, metric.name() + " at " + at);
                }
            }
            Metric anyPosition = new Metric() {
                @Override
                public String name() {
                    return "any";
                }

                @Override
                public NDArray apply(NDArray output) {
                    return output.sum();
                }
            };
            var e = assertThrows(UnsupportedOperationException.class, () -> anyPosition.evaluateRows(patched));
            assertTrue(e.getMessage().contains("names no scored positions"), e.getMessage());
            var wrongRows = assertThrows(IllegalArgumentException.class,
                    () -> Metrics.klDivergence(clean, ScoredPositions.last()).evaluateRows(patched.reshape(B * P, V)));
            assertTrue(wrongRows.getMessage().contains("differ in shape"), wrongRows.getMessage());
        }
    }

    @Test
    void token_probability_difference_is_the_softmax_mass_of_the_right_answer_minus_the_wrong_one_negated_for_acdc() {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(patchedData, new Shape(B, P, V));
            int[] correct = {1, 2, 3};
            int[] wrong = {0, 4, 3};
            int[] scored = {2, 0, 3};
            double expected = 0;
            for (int b = 0; b < B; b++) {
                double[] lp = logSoftmax(patchedData, b, scored[b]);
                expected += Math.exp(lp[correct[b]]) - Math.exp(lp[wrong[b]]);
            }
            expected /= B;
            assertEquals(expected, Metrics.tokenProbabilityDifference(logits, ScoredPositions.perRow(scored), correct, wrong)
                    .toType(DataType.FLOAT64, false).getDouble(), 1e-6);
            assertEquals(-expected, Metrics.negativeTokenProbabilityDifference(ScoredPositions.perRow(scored), correct, wrong)
                    .evaluate(logits), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> Metrics.tokenProbabilityDifference(logits,
                    ScoredPositions.last(), new int[] {0, V, 0}, wrong));
        }
    }

    @Test
    void gradients_flow_through_metrics_to_the_scored_positions_only() {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(patchedData, new Shape(B, P, V));
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray value = Metrics.negativeLogitDifference(ScoredPositions.last(), new int[] {1, 2, 3},
                        new int[] {0, 4, 3}).apply(logits);
                gc.backward(value);
            }
            float[] grad = logits.getGradient().toFloatArray();
            assertEquals(-1.0 / 3, grad[(0 * P + 3) * V + 1], 1e-6);
            assertEquals(1.0 / 3, grad[(0 * P + 3) * V + 0], 1e-6);
            assertEquals(0.0, grad[(1 * P + 3) * V + 1], 1e-6);   // neither correct nor wrong
            assertEquals(0.0, grad[(2 * P + 3) * V + 3], 1e-6);   // correct == wrong cancels
            assertEquals(0.0, grad[(0 * P + 2) * V + 1], 1e-6);   // unscored position
        }
    }

    @Test
    void kl_gradient_vanishes_at_the_clean_logits() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray logits = m.create(cleanData, new Shape(B, P, V));
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(Metrics.klDivergence(clean, ScoredPositions.last()).apply(logits));
            }
            for (float g : logits.getGradient().toFloatArray()) assertEquals(0.0, g, 1e-6);
        }
    }

    @Test
    void evaluate_leaves_no_arrays_behind() {
        try (NDManager m = manager.newSubManager()) {
            NDArray clean = m.create(cleanData, new Shape(B, P, V));
            NDArray patched = m.create(patchedData, new Shape(B, P, V));
            Metric kl = Metrics.klDivergence(clean, ScoredPositions.last());
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 50; i++) kl.evaluate(patched);
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void bad_shapes_and_tokens_are_named() {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(patchedData, new Shape(B, P, V));
            IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                    () -> Metrics.logitDifference(logits, ScoredPositions.perRow(1, 2), new int[] {0, 0}, new int[] {1, 1}));
            assertTrue(rows.getMessage().contains("batch of 3"), rows.getMessage());
            IllegalArgumentException tok = assertThrows(IllegalArgumentException.class,
                    () -> Metrics.logitDifference(logits, ScoredPositions.last(), new int[] {0, 9, 0}, new int[] {1, 1, 1}));
            assertTrue(tok.getMessage().contains("correct[1] = 9"), tok.getMessage());
            IllegalArgumentException pos = assertThrows(IllegalArgumentException.class,
                    () -> Metrics.klDivergence(logits, ScoredPositions.perRow(0, 4, 0)));
            assertTrue(pos.getMessage().contains("scored position 4 of row 1"), pos.getMessage());
            boolean[][] twoPerRow = {{true, true, false, false}, {true, false, false, false}, {true, false, false, false}};
            assertThrows(IllegalArgumentException.class, () -> Metrics.logitDifference(logits,
                    ScoredPositions.mask(twoPerRow), new int[] {0, 0, 0}, new int[] {1, 1, 1}));
        }
    }
}
