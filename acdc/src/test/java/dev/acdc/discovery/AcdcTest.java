package dev.acdc.discovery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AcdcTest {

    static final TransformerConfig CONFIG = TransformerConfig.gpt2Style("tiny", 2, 8, 2, 16, 11, 6, 1e-5);

    static TransformerWeights weights(long seed, boolean killHead01) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : TransformerWeights.expectedShapes(CONFIG).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            float[] d = t.data();
            boolean gain = e.getKey().endsWith(".w");
            for (int i = 0; i < d.length; i++) d[i] = gain ? 1f : (float) (0.5 * r.nextGaussian());
            m.put(e.getKey(), t);
        }
        if (killHead01) {
            Tensor wo = m.get(WeightNames.wO(0));          // [H, d, D]: zero head 1's output
            int per = wo.dim(1) * wo.dim(2);
            for (int i = per; i < 2 * per; i++) wo.data()[i] = 0f;
        }
        return TransformerWeights.of(CONFIG, m);
    }

    static ModelInput tokens(long seed) {
        Random r = new Random(seed);
        int[][] t = new int[6][5];
        for (int[] row : t) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(CONFIG.dVocab());
        return ModelInput.of(t);
    }

    interface Body { void run(EdgePatcher patcher, Metric kl); }

    static void withTask(boolean killHead, Ablation ablation, Body body) {
        try (HookedTransformer m = new HookedTransformer(weights(3, killHead));
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(CONFIG), tokens(1), ablation, tokens(2), List.of());
             NDManager scope = NDManager.newBaseManager()) {
            NDArray clean = p.cleanLogits(scope);
            body.run(p, Metrics.klDivergence(clean, ScoredPositions.last()));
        }
    }

    /**
     * On this tiny model the fast path evaluates with the plain-Java SmallModelPatcher, one variant per pass; the
     * EdgePatcher's incremental passes with speculative batches are compared with the reference in
     * {@link FastPathOnLayerNormModelsTest}.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.01, 0.1})
    void smallModelFastPathReturnsTheReferenceCircuitAndEffectSizes(double tau) {
        withTask(false, Ablation.RESAMPLE, (p, kl) -> {
            AcdcResult ref = new Acdc(p, kl, AcdcOptions.reference(tau)).run();
            Acdc fastAcdc = new Acdc(p, kl, AcdcOptions.fast(tau));
            assertTrue(fastAcdc.evaluatesWithSmallPatcher());
            AcdcResult fast = fastAcdc.run();
            assertEquals(ref.circuit().edgeNames(), fast.circuit().edgeNames());
            assertEquals(ref.testedEdges(), fast.testedEdges());
            double[] a = ref.circuit().scores(), b = fast.circuit().scores();
            for (int i = 0; i < a.length; i++) {
                if (Double.isNaN(a[i])) assertTrue(Double.isNaN(b[i]), "edge " + i);
                else assertEquals(a[i], b[i], 1e-5, "effect of edge " + i);
            }
        });
    }

    @Test
    void unembeddingOnlyTheMetricsPositionsGivesTheSameCircuitAsTheFullLogits() {
        withTask(false, Ablation.RESAMPLE, (p, kl) -> {
            assertTrue(kl.scoredPositions().isPresent(), "KL reads the last position only");
            Metric anyPosition = new Metric() {       // the same KL, but it does not say which positions it reads
                @Override
                public String name() {
                    return kl.name();
                }

                @Override
                public NDArray apply(NDArray output) {
                    return kl.apply(output);
                }
            };
            AcdcResult rows = new Acdc(p, kl, AcdcOptions.reference(0.01)).run();
            AcdcResult full = new Acdc(p, anyPosition, AcdcOptions.reference(0.01)).run();
            assertEquals(full.circuit().edgeNames(), rows.circuit().edgeNames());
            assertEquals(full.testedEdges(), rows.testedEdges());
            double[] a = full.circuit().scores(), b = rows.circuit().scores();
            for (int i = 0; i < a.length; i++) {
                if (Double.isNaN(a[i])) assertTrue(Double.isNaN(b[i]), "edge " + i);
                else assertEquals(a[i], b[i], 1e-6, "effect of edge " + i);
            }
        });
    }

    @Test
    void aWalkReplayedWithARunsDecisionsTestsTheEdgesTheRunTestedWithTheMasksItEvaluated() {
        withTask(false, Ablation.RESAMPLE, (p, kl) -> {
            AcdcResult run = new Acdc(p, kl, AcdcOptions.fast(0.01)).run();
            var graph = p.graph();
            java.util.BitSet tested = new java.util.BitSet();
            double[] effects = new double[graph.edgeCount()];
            int count = AcdcWalk.replay(graph, dev.acdc.patching.graph.SenderOrder.ACDC, id -> run.circuit().contains(id),
                    (i, r, id, mask) -> {
                        assertTrue(graph.inEdges(r).stream().anyMatch(e -> e.id() == id), "edge " + id + " goes into " + r);
                        assertEquals(0f, mask[id], "the tested edge is removed in its test");
                        tested.set(id);
                        // the mask the run evaluated for this edge: its metric minus the metric of the mask before
                        try (NDManager s = NDManager.newBaseManager()) {
                            float[] before = mask.clone();
                            before[id] = 1f;
                            effects[id] = kl.evaluate(p.logitsNonIncremental(s, new float[][] {mask}))
                                    - kl.evaluate(p.logitsNonIncremental(s, new float[][] {before}));
                        }
                    });
            assertEquals(run.testedEdges(), count);
            double[] scores = run.circuit().scores();
            for (int id = 0; id < scores.length; id++) {
                assertEquals(!Double.isNaN(scores[id]), tested.get(id), "edge " + id + " tested by the run and by the replay");
                if (tested.get(id)) assertEquals(scores[id], effects[id], 1e-5, "effect of edge " + id);
            }
        });
    }

    @Test
    void aReceiverBudgetDecidesOnlyTheFirstReceiversAndKeepsEveryOtherEdge() {
        withTask(false, Ablation.RESAMPLE, (p, kl) -> {
            var graph = p.graph();
            var first = graph.receiversInOrder().subList(0, 2);
            AcdcResult full = new Acdc(p, kl, AcdcOptions.fast(0.01)).run();
            AcdcResult budgeted = new Acdc(p, kl, AcdcOptions.fast(0.01).withReceiverBudget(2)).run();
            int decided = 0;
            for (var e : graph.edges()) {
                if (first.contains(e.receiver())) {
                    decided++;
                    assertEquals(full.circuit().contains(e.id()), budgeted.circuit().contains(e.id()), "decision on " + e);
                } else {
                    assertTrue(budgeted.circuit().contains(e.id()), "undecided edge " + e + " is kept");
                }
            }
            assertEquals(decided, budgeted.testedEdges());
            assertTrue(budgeted.testedEdges() < full.testedEdges());
        });
    }

    @Test
    void thresholdZeroKeepsEveryEdgeThatRaisesTheMetricAndALargeOneKeepsNothing() {
        withTask(false, Ablation.RESAMPLE, (p, kl) -> {
            AcdcResult none = new Acdc(p, kl, AcdcOptions.fast(1e9)).run();
            assertEquals(0, none.circuit().edgeCount());
            AcdcResult tiny = new Acdc(p, kl, AcdcOptions.fast(0.0)).run();
            assertTrue(tiny.circuit().edgeCount() > 0);
            assertEquals(0.0, tiny.metricFull(), 1e-6, "KL of the full model against itself");
            // every decision is sequential: the final circuit's metric is the last accepted value, well under the full removal
            assertTrue(tiny.metricFinal() <= none.metricFinal());
        });
    }

    @Test
    void aHeadThatWritesNothingKeepsNoEdge() {
        withTask(true, Ablation.ZERO, (p, kl) -> {
            AcdcResult result = new Acdc(p, kl, AcdcOptions.fast(1e-6)).run();
            for (Edge e : result.circuit().edges()) {
                boolean fromDead = e.sender().kind() == NodeKind.HEAD_OUTPUT && e.sender().layer() == 0 && e.sender().head() == 1;
                boolean intoDead = e.receiver().layer() == 0 && e.receiver().head() == 1;
                assertFalse(fromDead || intoDead, "edge " + e + " of a head with W_O = 0 was kept");
            }
            assertTrue(result.circuit().edgeCount() > 0);
        });
    }

    @Test
    void aRunResumedFromAJournalCutShortEndsWithTheSameCircuit(@TempDir Path dir) throws Exception {
        withTask(false, Ablation.RESAMPLE, (p, kl) -> {
            Path journal = dir.resolve("journal.txt");
            RunDescription run = RunDescription.builder().put("task", "tiny").put("threshold", 0.01).build();
            AcdcResult whole;
            try (AcdcJournal j = AcdcJournal.open(journal, run, false)) {
                whole = new Acdc(p, kl, AcdcOptions.fast(0.01)).run(j, x -> {});
            }
            try {
                List<String> lines = Files.readAllLines(journal);
                // a kill part-way: keep the header and 40% of the decisions, with a torn last line
                int keep = 1 + (lines.size() - 1) * 2 / 5;
                List<String> cut = new java.util.ArrayList<>(lines.subList(0, keep));
                cut.add(lines.get(keep).substring(0, 3));
                Files.write(journal, cut);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            AcdcResult resumed;
            try (AcdcJournal j = AcdcJournal.open(journal, run, true)) {
                resumed = new Acdc(p, kl, AcdcOptions.fast(0.01)).run(j, x -> {});
            }
            assertEquals(whole.circuit().edgeNames(), resumed.circuit().edgeNames());
            assertTrue(resumed.maskedForwards() < whole.maskedForwards(), "the resumed run must not redo replayed decisions");
            RunDescription other = RunDescription.builder().put("task", "tiny").put("threshold", 0.02).build();
            var e = assertThrows(AcdcJournal.MismatchException.class, () -> AcdcJournal.open(journal, other, true));
            assertTrue(e.getMessage().contains("from another run: its threshold is '0.01', this run's is '0.02'"), e.getMessage());
        });
    }
}
