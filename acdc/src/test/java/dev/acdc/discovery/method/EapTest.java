package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class EapTest {

    static final TransformerConfig TINY = TransformerConfig.gpt2Style("tiny-eap", 2, 8, 2, 16, 11, 6, 1e-5);
    static final TransformerConfig TINY_ATTN_ONLY = new TransformerConfig("tiny-eap-attn-only", 3, 8, 4, 2, 0, 11, 11, 6,
            TransformerConfig.Normalization.LAYERNORM, 1e-5, TransformerConfig.Activation.GELU_NEW, true, 0.5, false);

    /** A tiny GPT-2-style task: random weights large enough that every edge matters, KL and logit difference. */
    static final class TinyTask implements Task {
        final TransformerConfig config;
        final int[] correct = {1, 2, 3, 4, 5, 6}, wrong = {7, 8, 9, 10, 0, 1};

        TinyTask() {
            this(TINY);
        }

        TinyTask(TransformerConfig config) {
            this.config = config;
        }

        @Override public String name() { return "tiny"; }
        @Override public String description() { return "random tiny GPT-2-style model"; }

        @Override
        public TransformerWeights weights() {
            Random r = new Random(3);
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (var e : TransformerWeights.expectedShapes(config).entrySet()) {
                Tensor t = Tensor.zeros(e.getValue());
                float[] d = t.data();
                boolean gain = e.getKey().endsWith(".w");
                for (int i = 0; i < d.length; i++) d[i] = gain ? 1f : (float) (0.5 * r.nextGaussian());
                m.put(e.getKey(), t);
            }
            return TransformerWeights.of(config, m);
        }

        static ModelInput tokens(long seed) {
            Random r = new Random(seed);
            int[][] t = new int[6][5];
            for (int[] row : t) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(TINY.dVocab());
            return ModelInput.of(t);
        }

        @Override public ModelInput clean() { return tokens(1); }
        @Override public ModelInput corrupted() { return tokens(2); }
        @Override public List<String> metricNames() { return List.of("kl", "logit_diff"); }

        @Override
        public Metric metric(String name, NDArray cleanOutput) {
            return switch (name) {
                case "kl" -> Metrics.klDivergence(cleanOutput, ScoredPositions.last());
                case "logit_diff" -> Metrics.negativeLogitDifference(ScoredPositions.last(), correct, wrong);
                default -> throw new IllegalArgumentException(name);
            };
        }

        @Override public Map<String, List<String>> groundTruths() { return Map.of("none", List.of()); }
    }

    /** A Hugging Face family fixture (the test resources' tiny checkpoints) on random tokens, KL and logit difference. */
    static final class FixtureTask implements Task {
        final String fixture;
        final TransformerWeights weights;
        final int[] correct = {1, 2, 3, 4, 5, 6}, wrong = {7, 8, 9, 10, 0, 1};

        FixtureTask(String fixture) {
            this.fixture = fixture;
            this.weights = dev.acdc.patching.load.ModelDirectory.load(dev.acdc.patching.testsupport.Fixtures.path("fixtures/" + fixture)).weights();
        }

        ModelInput tokens(long seed) {
            Random r = new Random(seed);
            int[][] t = new int[6][5];
            for (int[] row : t) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(weights.config().dVocab());
            return ModelInput.of(t);
        }

        @Override public String name() { return fixture; }
        @Override public String description() { return "the " + fixture + " fixture on random tokens"; }
        @Override public TransformerWeights weights() { return weights; }
        @Override public ModelInput clean() { return tokens(1); }
        @Override public ModelInput corrupted() { return tokens(2); }
        @Override public List<String> metricNames() { return List.of("kl", "logit_diff"); }

        @Override
        public Metric metric(String name, NDArray cleanOutput) {
            return switch (name) {
                case "kl" -> Metrics.klDivergence(cleanOutput, ScoredPositions.last());
                case "logit_diff" -> Metrics.negativeLogitDifference(ScoredPositions.last(), correct, wrong);
                default -> throw new IllegalArgumentException(name);
            };
        }

        @Override public Map<String, List<String>> groundTruths() { return Map.of("none", List.of()); }
    }

    /**
     * The families: RMSNorm (qwen2, llama, gemma: gain 1 + w), grouped key/value heads, a parallel residual (pythia),
     * post-norms linearised at the clean rms (gemma2):
     * EAP's scores are still minus the patcher's mask gradient, edge by edge, direct edges per key/value group included.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @org.junit.jupiter.params.provider.CsvSource({"pythia-tiny, RESAMPLE", "qwen2-tiny, RESAMPLE", "qwen2-tiny, ZERO",
            "llama-tiny, RESAMPLE", "gemma-tiny, RESAMPLE", "gemma2-tiny, RESAMPLE", "gemma2-tiny, ZERO"})
    void eapEqualsMinusTheMaskGradientOnTheFamilyFixtures(String fixture, Ablation ablation) {
        try (Setup s = Setup.of(new FixtureTask(fixture), ablation, "logit_diff", null)) {
            double[] eap = new Eap().attribute(s.problem).signed();
            float[] grad = maskGradient(s, s.problem.metric());
            double scale = 0;
            for (float g : grad) scale = Math.max(scale, Math.abs(g));
            assertTrue(scale > 1e-4, "the metric must depend on the edges");
            for (int i = 0; i < eap.length; i++) {
                assertEquals(-grad[i], eap[i], 1e-3 * scale + 1e-6, "edge " + s.problem.graph().edge(i).name());
            }
            // EAP-IG interpolates the embedding node (hook_embed alone without learned positions)
            assertEquals(s.problem.graph().edgeCount(), new EapIg(2).discover(s.problem).edgeScores().length);
        }
    }

    /** A problem with everything it owns, closed together. */
    record Setup(NDManager scope, HookedTransformer model, EdgePatcher patcher, DiscoveryProblem problem) implements AutoCloseable {
        static Setup of(Task task, Ablation ablation, String metricName, Metric custom) {
            NDManager scope = NDManager.newBaseManager();
            HookedTransformer model = new HookedTransformer(task.weights());
            CircuitGraph graph = CircuitGraph.of(model.config());
            EdgePatcher patcher = EdgePatcher.create(model, graph, task.clean(), ablation, task.corrupted(), task.corruptedHooks());
            NDArray clean = patcher.cleanLogits(scope);
            Metric metric = custom != null ? custom : task.metric(metricName, clean);
            return new Setup(scope, model, patcher, new DiscoveryProblem(task, model, graph, patcher, ablation, metricName, metric, clean, 0));
        }

        @Override
        public void close() {
            patcher.close();
            model.close();
            scope.close();
        }
    }

    /** ∂metric/∂m at the all-ones mask, through the patcher's differentiable mask path. */
    static float[] maskGradient(Setup s, Metric metric) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector(); NDManager pass = s.scope.newSubManager()) {
            NDArray mask = pass.ones(new Shape(s.patcher.maskLength()));
            mask.setRequiresGradient(true);
            gc.backward(metric.apply(s.patcher.logits(pass, mask)));
            return mask.getGradient().toFloatArray();
        }
    }

    static void assertEqualsMinusMaskGradient(double[] eap, float[] grad) {
        double scale = 0;
        for (float g : grad) scale = Math.max(scale, Math.abs(g));
        assertTrue(scale > 1e-3, "the metric must depend on the edges");
        int nonzero = 0;
        for (int i = 0; i < eap.length; i++) {
            assertEquals(-grad[i], eap[i], 1e-4 * scale + 1e-6, "edge " + i);
            if (Math.abs(eap[i]) > 1e-3 * scale) nonzero++;
        }
        assertTrue(nonzero > eap.length / 2, "most edges carry a score (" + nonzero + " of " + eap.length + ")");
    }

    @ParameterizedTest
    @EnumSource(value = Ablation.class, names = {"RESAMPLE", "ZERO", "MEAN"})
    void eapEqualsMinusTheMaskGradientOnATinyGpt2(Ablation ablation) {
        // the problem's metric is KL, whose gradient is zero at the clean model: EAP must use logit_diff
        try (Setup s = Setup.of(new TinyTask(), ablation, "kl", null)) {
            EdgeAttribution.Scores scores = new Eap().attribute(s.problem);
            assertEquals("logit_diff", scores.metricName());
            assertEqualsMinusMaskGradient(scores.signed(), maskGradient(s, s.problem.metric("logit_diff")));
        }
    }

    /** A fixed random read-out of the tracr output: a metric whose gradient at the clean run is not zero. */
    static Metric readout(Task task, long seed, Shape shape, NDManager m) {
        Random r = new Random(seed);
        float[] w = new float[(int) shape.size()];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        NDArray wa = m.create(w, shape);
        return new Metric() {
            @Override public String name() { return "readout"; }
            @Override public NDArray apply(NDArray output) { return output.mul(wa).sum(); }
        };
    }

    @ParameterizedTest
    @EnumSource(value = Ablation.class, names = {"RESAMPLE", "ZERO"})
    void eapEqualsMinusTheMaskGradientOnTracrReverse(Ablation ablation) {
        TracrTask task = TracrTask.reverse(0, true);
        try (NDManager m = NDManager.newBaseManager();
             Setup probe = Setup.of(task, ablation, "l2", null)) {
            Metric metric = readout(task, 5, probe.problem.cleanLogits().getShape(), m);
            try (Setup s = Setup.of(task, ablation, "readout", metric)) {
                EdgeAttribution.Scores scores = new Eap().attribute(s.problem);
                assertEquals("readout", scores.metricName());
                float[] grad = maskGradient(s, metric);
                double scale = 0;
                for (float g : grad) scale = Math.max(scale, Math.abs(g));
                assertTrue(scale > 1e-3);
                double[] eap = scores.signed();
                for (int i = 0; i < eap.length; i++) assertEquals(-grad[i], eap[i], 1e-4 * scale + 1e-6, "edge " + i);
            }
        }
    }

    @Test
    void eapEqualsMinusTheMaskGradientOnAnAttentionOnlyModel() {
        try (Setup s = Setup.of(new TinyTask(TINY_ATTN_ONLY), Ablation.RESAMPLE, "logit_diff", null)) {
            assertEqualsMinusMaskGradient(new Eap().attribute(s.problem).signed(), maskGradient(s, s.problem.metric()));
            // and with integrated gradients the attribution still runs over every edge kind
            assertEquals(s.problem.graph().edgeCount(), new EapIg(2).discover(s.problem).edgeScores().length);
        }
    }

    @Test
    void headInputGradientsInSmallStepsGiveTheSameScores() {
        try (Setup s = Setup.of(new TinyTask(TINY_ATTN_ONLY), Ablation.RESAMPLE, "logit_diff", null)) {
            double[] whole = EdgeAttribution.attribute(s.problem, s.problem.metric(), new double[] {1.0}).signed();
            // one head at a time (a chunk of 1 byte rounds up to one head), as on GPT-2-sized batches
            double[] perHead = EdgeAttribution.attribute(s.problem, s.problem.metric(), GradientAt.Points.uniform(1.0), 1).signed();
            assertArrayEquals(whole, perHead, 1e-6);
        }
    }

    @Test
    void klFallsBackToTheFirstNonKlMetricOnlyWhenEveryGradientIsAtTheCleanRun() {
        try (Setup s = Setup.of(TracrTask.proportion(0, true), Ablation.ZERO, "kl", null)) {
            assertEquals("l2", EdgeAttribution.gradientMetricName(s.problem, GradientAt.CLEAN.points(1)));
            assertEquals("kl", EdgeAttribution.gradientMetricName(s.problem, GradientAt.CORRUPTED.points(1)));
            assertEquals("kl", EdgeAttribution.gradientMetricName(s.problem, GradientAt.MEAN.points(1)));
            assertEquals("kl", EdgeAttribution.gradientMetricName(s.problem, new EapIg().points()));
        }
    }

    @Test
    void scoresPredictTheMetricChangeOfASmallMaskStep() {
        try (Setup s = Setup.of(new TinyTask(), Ablation.RESAMPLE, "logit_diff", null)) {
            double[] eap = new Eap().attribute(s.problem).signed();
            Metric metric = s.problem.metric();
            float[] ones = new float[s.patcher.maskLength()];
            Arrays.fill(ones, 1f);
            double base = metric.evaluate(s.patcher.logits(s.scope, new float[][] {ones}));
            Integer[] order = new Integer[eap.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(Math.abs(eap[b]), Math.abs(eap[a])));
            double eps = 0.01;
            for (int j = 0; j < 8; j++) {
                int id = order[j];
                float[] m = ones.clone();
                m[id] = (float) (1 - eps);
                double actual = metric.evaluate(s.patcher.logits(s.scope, new float[][] {m})) - base;
                // metric(1 − ε) − metric(1) ≈ −ε·∂metric/∂m = ε·score
                assertEquals(eps * eap[id], actual, 0.05 * Math.abs(eps * eap[id]) + 1e-6,
                        "edge " + s.problem.graph().edge(id).name());
            }
        }
    }

    @Test
    void eapIgWithOneStepIsEapAtTheSameGradientPointAndIsDeterministic() {
        try (Setup s = Setup.of(new TinyTask(), Ablation.RESAMPLE, "logit_diff", null)) {
            double[] eap = new Eap().attribute(s.problem).signed();
            assertArrayEquals(eap, new EapIg(1, GradientAt.CLEAN).attribute(s.problem).signed(), 1e-9);
            double[] eapCorrupted = new Eap(GradientAt.CORRUPTED).attribute(s.problem).signed();
            assertArrayEquals(eapCorrupted, new EapIg(1).attribute(s.problem).signed(), 1e-9);
            double[] eapMean = new Eap(GradientAt.MEAN).attribute(s.problem).signed();
            assertArrayEquals(eapMean, new EapIg(1, GradientAt.MEAN).attribute(s.problem).signed(), 1e-9);
            for (int i = 0; i < eap.length; i++) {
                // clean-corrupted: the mean of the two endpoint gradients
                assertEquals((eap[i] + eapCorrupted[i]) / 2, eapMean[i], 1e-6 * (1 + Math.abs(eapMean[i])), "edge " + i);
            }
            double[] igA = new EapIg(5).attribute(s.problem).signed();
            double[] igB = new EapIg(5).attribute(s.problem).signed();
            assertArrayEquals(igA, igB, 0.0);
            double maxDiff = 0;
            for (int i = 0; i < eap.length; i++) maxDiff = Math.max(maxDiff, Math.abs(eap[i] - igA[i]));
            assertTrue(maxDiff > 1e-3, "integrating over the path must change the scores");
        }
    }

    @Test
    void eapIgAveragesTheGradientsOfItsInterpolationPoints() {
        try (Setup s = Setup.of(new TinyTask(), Ablation.RESAMPLE, "logit_diff", null)) {
            Metric metric = s.problem.metric();
            double[] ig = new EapIg(3).attribute(s.problem).signed();
            double[][] single = new double[3][];
            for (int k = 0; k < 3; k++) single[k] = EdgeAttribution.attribute(s.problem, metric, new double[] {k / 3.0}).signed();
            for (int i = 0; i < ig.length; i++) {
                double mean = (single[0][i] + single[1][i] + single[2][i]) / 3;
                assertEquals(mean, ig[i], 1e-5 * (1 + Math.abs(mean)), "edge " + i);
            }
        }
    }

    @Test
    void eapIgTakesTheReferencesInterpolationPointsAndDefaultSteps() {
        // hannamw/EAP-IG get_scores_eap_ig: steps=30, `for step in range(0, steps)`, α = step/steps
        assertEquals(30, EapIg.DEFAULT_STEPS);
        assertEquals(30, new EapIg().steps());
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75}, new EapIg(4).alphas(), 0.0);
        double[] thirty = new EapIg().alphas();
        assertEquals(30, thirty.length);
        assertEquals(0.0, thirty[0], 0.0);
        assertEquals(29.0 / 30, thirty[29], 0.0);
    }

    @Test
    void gradientPointsOfEapAndEapIgForEachEnd() {
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, new EapIg(4).points().weights(), 0.0);
        // the other gradient points: the right sum, and the trapezoid between the two
        assertArrayEquals(new double[] {0.25, 0.5, 0.75, 1}, new EapIg(4, GradientAt.CLEAN).alphas(), 0.0);
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, new EapIg(4, GradientAt.MEAN).alphas(), 0.0);
        assertArrayEquals(new double[] {0.125, 0.25, 0.25, 0.25, 0.125}, new EapIg(4, GradientAt.MEAN).points().weights(), 0.0);
        // EAP: one point
        assertArrayEquals(new double[] {1}, new Eap().points().alphas(), 0.0);
        assertArrayEquals(new double[] {0}, new Eap(GradientAt.CORRUPTED).points().alphas(), 0.0);
        assertArrayEquals(new double[] {0, 1}, new Eap(GradientAt.MEAN).points().alphas(), 0.0);
        assertArrayEquals(new double[] {0.5, 0.5}, new Eap(GradientAt.MEAN).points().weights(), 0.0);
    }

    /**
     * Tracr's L2 against the clean output has zero gradient at the clean run: EAP there scores every edge 0 and its
     * ROC is the single point of keeping everything. At the corrupted run, or the mean of both, it ranks the
     * published circuit's edges.
     */
    @ParameterizedTest
    @EnumSource(value = GradientAt.class)
    void eapOnTracrRanksThePublishedCircuitUnlessTheGradientIsAtTheCleanRun(GradientAt at) {
        for (TracrTask task : List.of(TracrTask.reverse(0, true), TracrTask.proportion(0, true))) {
            MethodRoc roc = Problems.with(task, Ablation.RESAMPLE, "l2", 0, p -> {
                MethodResult r = new Eap(at).discover(p);
                return MethodRoc.of(r, dev.acdc.patching.graph.Circuit.ofNames(p.graph(), task.groundTruths().get("published")));
            });
            String label = task.name() + " " + at.cliName();
            if (at == GradientAt.CLEAN) {
                assertEquals(0.0, roc.edge().pessimisticAuc(), 0.0, label);
                assertEquals(0.0, roc.node().pessimisticAuc(), 0.0, label);
            } else {
                assertTrue(roc.edge().pessimisticAuc() > 0.3, label + " edge AUC " + roc.edge().pessimisticAuc());
                assertTrue(roc.node().pessimisticAuc() > 0.3, label + " node AUC " + roc.node().pessimisticAuc());
            }
        }
    }

    @Test
    void eapAtTheCleanRunScoresEveryTracrEdgeZero() {
        double[] scores = Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 0,
                p -> new Eap().attribute(p).signed());
        for (double v : scores) assertEquals(0.0, v, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = Ablation.class, names = {"RESAMPLE", "ZERO", "MEAN"})
    void embeddingsInterpolatedAllTheWayAreTheAblatedRun(Ablation ablation) {
        for (Task task : new Task[] {new TinyTask(), TracrTask.reverse(0, true)}) {
            try (Setup s = Setup.of(task, ablation, task.metricNames().get(0), null); NDManager m = s.scope.newSubManager()) {
                NDArray abl = s.patcher.ablatedEmbeddings(m);
                boolean separate = s.model.config().separateEmbeddingNodes();
                NDArray atZero = s.model.runWithHooks(m, task.clean(), EdgeAttribution.interpolation(abl, 0f, separate));
                // every edge from the embedding removed: the embedding carries its ablated value everywhere
                float[] mask = new float[s.patcher.maskLength()];
                Arrays.fill(mask, 1f);
                for (int id : s.problem.graph().outEdgeIds(separate ? s.problem.graph().sender("tok_embed") : s.problem.graph().sender("embed"))) mask[id] = 0f;
                if (separate) for (int id : s.problem.graph().outEdgeIds(s.problem.graph().sender("pos_embed"))) mask[id] = 0f;
                NDArray expected = s.patcher.logits(m, new float[][] {mask});
                assertTrue(atZero.sub(expected).abs().max().getFloat() <= 1e-4, task.name() + " " + ablation);
                NDArray atOne = s.model.runWithHooks(m, task.clean(), EdgeAttribution.interpolation(abl, 1f, separate));
                assertTrue(atOne.sub(s.patcher.cleanLogits(m)).abs().max().getFloat() <= 1e-4);
                if (ablation == Ablation.RESAMPLE && !separate) {
                    assertTrue(atZero.sub(s.patcher.cleanLogits(m)).abs().max().getFloat() > 1e-3, "not vacuous");
                }
            }
        }
    }

    @Test
    void resultRanksByMagnitudeWithThresholdCircuitsOnALogGrid() {
        try (Setup s = Setup.of(new TinyTask(), Ablation.RESAMPLE, "logit_diff", null)) {
            Eap eap = new Eap();
            MethodResult r = eap.discover(s.problem);
            double[] signed = eap.attribute(s.problem).signed();
            assertEquals("eap", r.method());
            int n = s.problem.graph().edgeCount();
            assertEquals(n, r.edgeScores().length);
            for (int i = 0; i < n; i++) assertEquals(Math.abs(signed[i]), r.edgeScores()[i], 1e-12);
            assertTrue(r.points().size() <= 60 && r.points().size() > 10);
            assertEquals(1, r.points().get(0).circuit().edgeCount());
            assertEquals(n, r.points().get(r.points().size() - 1).circuit().edgeCount());
            int best = 0;
            for (int i = 0; i < n; i++) if (r.edgeScores()[i] > r.edgeScores()[best]) best = i;
            double prev = Double.POSITIVE_INFINITY;
            for (SweepPoint p : r.points()) {
                assertEquals("threshold", p.parameter());
                assertTrue(p.value() < prev, "distinct, descending thresholds");
                prev = p.value();
                assertEquals(dev.acdc.patching.graph.Circuit.atLeast(s.problem.graph(), r.edgeScores(), p.value()), p.circuit());
                assertTrue(p.circuit().contains(best));
            }
            // the direct edges are scored too
            assertTrue(s.problem.graph().edges().stream().filter(e -> e.kind() == EdgeKind.DIRECT)
                    .anyMatch(e -> r.edgeScores()[e.id()] > 0));
        }
    }

    @Test
    void tiedScoresEnterTheResultsCircuitsTogether() {
        CircuitGraph g = CircuitGraph.of(TINY);
        double[] signed = new double[g.edgeCount()];
        signed[5] = 2;
        signed[7] = -1;   // |−1| ties with edge 9
        signed[9] = 1;
        MethodResult r = EdgeAttribution.result("eap", g, new EdgeAttribution.Scores("m", signed), 0);
        assertEquals(3, r.points().size());
        assertEquals(java.util.Set.of(5), java.util.Arrays.stream(r.points().get(0).circuit().edgeIds()).boxed().collect(java.util.stream.Collectors.toSet()));
        assertEquals(java.util.Set.of(5, 7, 9), java.util.Arrays.stream(r.points().get(1).circuit().edgeIds()).boxed().collect(java.util.stream.Collectors.toSet()));
        assertEquals(g.edgeCount(), r.points().get(2).circuit().edgeCount());
    }

    @Test
    void logGridIsBoundedDistinctAndEndsAtEveryEdge() {
        int[] ks = EdgeAttribution.logGridK(32923, 60);
        assertTrue(ks.length <= 60 && ks.length >= 50);
        assertEquals(1, ks[0]);
        assertEquals(32923, ks[ks.length - 1]);
        for (int i = 1; i < ks.length; i++) assertTrue(ks[i] > ks[i - 1]);
        assertArrayEquals(new int[] {1, 2, 3}, EdgeAttribution.logGridK(3, 60));
    }
}
