package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.acdc.patching.model.TransformerConfig;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class SubnetworkProbingTest {

    // a large learning rate so that a few dozen Adam steps can move a logit past 0 (ln 5 ≈ 1.61 away)
    static SubnetworkProbing sp(double... lambdas) {
        return new SubnetworkProbing(new SubnetworkProbing.Options(lambdas, 40, 0.1));
    }

    @Test
    void aHugeLambdaRemovesEveryComponentAndLambdaZeroKeepsEveryOne() {
        MethodResult r = Problems.with(TracrTask.proportion(0, true), Ablation.ZERO, "l2", 3,
                p -> sp(0, 1e4).discover(p));
        assertEquals("sp", r.method());
        assertEquals(2, r.points().size());
        SweepPoint keepAll = r.points().get(0), dropAll = r.points().get(1);
        assertEquals("lambda", keepAll.parameter());
        assertEquals(0.0, keepAll.value());
        assertEquals(1e4, dropAll.value());
        assertEquals(Circuit.full(keepAll.circuit().graph()), keepAll.circuit());
        assertEquals(Set.of("tok_embed->output", "pos_embed->output"), dropAll.circuit().edgeNames());
        // node scores: the last λ's logits, all below the keep threshold 0
        assertEquals(8, r.nodeScores().size());
        assertTrue(r.nodeScores().values().stream().allMatch(v -> v < 0), r.nodeScores().toString());
        assertTrue(r.nodeScores().containsKey("a1.0.q") && r.nodeScores().containsKey("m0"));
    }

    @Test
    void trainingIsDeterministicForASeedAndDependsOnIt() {
        var task = TracrTask.reverse(0, true);
        SubnetworkProbing method = new SubnetworkProbing(new SubnetworkProbing.Options(new double[] {0.1}, 15, 0.05));
        var a = Problems.with(task, Ablation.RESAMPLE, "l2", 11, p -> method.train(p, 0.1));
        var b = Problems.with(task, Ablation.RESAMPLE, "l2", 11, p -> method.train(p, 0.1));
        var c = Problems.with(task, Ablation.RESAMPLE, "l2", 12, p -> method.train(p, 0.1));
        // The same seed gives the same circuit. The mask logits agree to about 1e-6, not always bit for bit: one
        // clean-clone CI run (of several) differed in the sixth digit, as libtorch's float results sometimes do
        // between runs (see InductionTrainer); every local rerun was bit-identical.
        assertArrayEquals(a.kept(), b.kept());
        assertArrayEquals(a.logits(), b.logits(), 1e-4);
        assertFalse(java.util.Arrays.equals(a.logits(), c.logits()));
    }

    /** Every q, k, v activation of a forward pass on {@code input} with the given hooks, concatenated. */
    static float[] qkv(TracrTask task, dev.acdc.patching.model.ModelInput input, List<dev.acdc.patching.model.Hook> hooks) {
        try (HookedTransformer model = new HookedTransformer(task.weights()); NDManager m = NDManager.newBaseManager()) {
            List<NDArray> seen = new java.util.ArrayList<>();
            List<dev.acdc.patching.model.Hook> all = new java.util.ArrayList<>(hooks);
            for (Component c : ComponentCircuits.components(model.config())) {
                if (!c.isMlp() && c.head() == 0) all.add(new dev.acdc.patching.model.Hook(c.hookName(), x -> { seen.add(x); return x; }));
            }
            model.runWithHooks(m, input, all);
            float[][] parts = seen.stream().map(NDArray::toFloatArray).toArray(float[][]::new);
            int n = 0;
            for (float[] p : parts) n += p.length;
            float[] out = new float[n];
            int at = 0;
            for (float[] p : parts) { System.arraycopy(p, 0, out, at, p.length); at += p.length; }
            return out;
        }
    }

    /**
     * The ACDC code's SP caches {@code do_random_resample_caching(model, validation_patch_data)}: a plain forward on
     * the corrupted data, with no position scramble (that belongs to its ACDC runs). So training on the tracr task
     * with the scramble must give what training on the same task without it gives.
     */
    @Test
    void resampleTrainingOnTracrUsesThePlainCorruptedRunWithoutThePositionScramble() {
        SubnetworkProbing method = new SubnetworkProbing(new SubnetworkProbing.Options(new double[] {0.1}, 10, 0.1));
        TracrTask scrambled = TracrTask.reverse(0, true), plain = TracrTask.reverse(0, false);
        assertFalse(java.util.Arrays.equals(qkv(plain, plain.corrupted(), List.of()),
                qkv(scrambled, scrambled.corrupted(), scrambled.corruptedHooks())), "not vacuous");
        SubnetworkProbing.Training a = Problems.with(scrambled, Ablation.RESAMPLE, "l2", 4, p -> method.train(p, 0.1));
        SubnetworkProbing.Training b = Problems.with(plain, Ablation.RESAMPLE, "l2", 4, p -> method.train(p, 0.1));
        assertArrayEquals(b.logits(), a.logits(), 1e-6);
        assertEquals(b.finalMetric(), a.finalMetric(), 1e-9);
    }

    @Test
    void defaultLambdaListsAreTheAcdcLaunchers() {
        double[] tracr = SubnetworkProbing.TRACR_LAMBDAS;
        assertEquals(11, tracr.length);
        assertEquals(1e-3, tracr[0], 1e-15);
        assertEquals(Math.pow(10, -2.7), tracr[1], 1e-15);
        assertEquals(1.0, tracr[10], 1e-12);
        double[] trained = SubnetworkProbing.TRAINED_MODEL_LAMBDAS;
        assertEquals(32, trained.length);
        assertEquals(0.01, trained[0], 1e-15);
        assertEquals(1.0, trained[10], 1e-12);
        assertEquals(2.0, trained[11]);
        assertEquals(10.0, trained[19]);
        assertEquals(30.0, trained[20]);
        assertEquals(250.0, trained[31]);
        double[] diff = SubnetworkProbing.DIFFERENCE_METRIC_LAMBDAS;   // 10 ** np.linspace(-4, 2, 21)
        assertEquals(21, diff.length);
        assertEquals(1e-4, diff[0], 1e-18);
        assertEquals(Math.pow(10, -3.7), diff[1], 1e-18);
        assertEquals(0.1, diff[10], 1e-15);
        assertEquals(100.0, diff[20], 1e-10);
    }

    /** The launcher's three λ lists as NumPy prints them ({@code 10 ** np.linspace(…)}, NumPy 1.x/2.x, float64). */
    static final double[] NUMPY_TRACR = {0.001, 0.001995262314968879, 0.003981071705534973, 0.007943282347242814,
            0.015848931924611134, 0.03162277660168379, 0.0630957344480193, 0.12589254117941676, 0.25118864315095796,
            0.501187233627272, 1.0};
    static final double[] NUMPY_DIFFERENCE = {0.0001, 0.00019952623149688788, 0.00039810717055349735, 0.0007943282347242813,
            0.001584893192461114, 0.0031622776601683794, 0.00630957344480193, 0.012589254117941675, 0.025118864315095794,
            0.0501187233627272, 0.1, 0.1995262314968879, 0.3981071705534969, 0.7943282347242814, 1.584893192461114,
            3.1622776601683795, 6.30957344480193, 12.589254117941662, 25.11886431509577, 50.11872336272725, 100.0};
    static final double[] NUMPY_EXPENSIVE = {0.01, 0.015848931924611134, 0.025118864315095794, 0.039810717055349734,
            0.06309573444801933, 0.1, 0.15848931924611143, 0.25118864315095807, 0.3981071705534973, 0.6309573444801934, 1.0,
            2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 30.0, 50.0, 70.0, 90.0, 110.0, 130.0, 150.0, 170.0, 190.0, 210.0,
            230.0, 250.0};

    @Test
    void lambdaListsEqualNumpysToTheLastBitButOne() {
        double[][] ours = {SubnetworkProbing.TRACR_LAMBDAS, SubnetworkProbing.DIFFERENCE_METRIC_LAMBDAS, SubnetworkProbing.TRAINED_MODEL_LAMBDAS};
        double[][] numpy = {NUMPY_TRACR, NUMPY_DIFFERENCE, NUMPY_EXPENSIVE};
        for (int l = 0; l < ours.length; l++) {
            assertEquals(numpy[l].length, ours[l].length);
            // the exponents are NumPy's bit for bit; 10^x may differ by an ulp between libm and Java's pow
            for (int i = 0; i < ours[l].length; i++) assertEquals(numpy[l][i], ours[l][i], Math.ulp(numpy[l][i]), "list " + l + " [" + i + "]");
        }
    }

    /** launch_grid_fill.py's METRICS_FOR_TASK and its λ per task and metric, in our task and metric names. */
    @ParameterizedTest
    @CsvSource({
            "tracr-reverse, l2, tracr",
            "tracr-proportion, l2, tracr",
            "tracr-proportion, kl, tracr",
            "ioi, kl, trained",
            "ioi, logit-diff, difference",
            "greater-than, kl, trained",
            "greater-than, prob-diff, difference",
            "docstring, kl, trained",
            "docstring, logit-diff, difference",
            "induction, kl, trained",
            "induction, nll, trained",
    })
    void lambdaListPerTaskAndMetricIsTheLaunchers(String task, String metric, String list) {
        double[] expected = switch (list) {
            case "tracr" -> SubnetworkProbing.TRACR_LAMBDAS;
            case "difference" -> SubnetworkProbing.DIFFERENCE_METRIC_LAMBDAS;
            default -> SubnetworkProbing.TRAINED_MODEL_LAMBDAS;
        };
        assertArrayEquals(expected, SubnetworkProbing.defaultLambdas(task, metric), 0.0);
        assertArrayEquals(expected, new SubnetworkProbing().lambdasFor(task, metric), 0.0);
        assertArrayEquals(new double[] {0.5}, new SubnetworkProbing(new SubnetworkProbing.Options(new double[] {0.5}, 1, 1e-3))
                .lambdasFor(task, metric), 0.0);
    }

    /** A task named like a GPT-2 task, on the tiny model: what SP sweeps follows the task's name and the problem's metric. */
    @ParameterizedTest
    @CsvSource({"docstring, logit-diff, 21", "docstring, kl, 32", "ioi, logit-diff, 21", "greater-than, prob-diff, 21",
            "tracr-reverse, l2, 11"})
    void discoverSweepsTheLaunchersLambdasForTheProblemsMetric(String task, String metric, int count) {
        EapTest.TinyTask inner = new EapTest.TinyTask();
        dev.acdc.datasets.Task tiny = new dev.acdc.datasets.Task() {
            @Override public String name() { return task; }
            @Override public String description() { return inner.description(); }
            @Override public dev.acdc.patching.model.TransformerWeights weights() { return inner.weights(); }
            @Override public dev.acdc.patching.model.ModelInput clean() { return inner.clean(); }
            @Override public dev.acdc.patching.model.ModelInput corrupted() { return inner.corrupted(); }
            @Override public List<String> metricNames() { return List.of("kl", metric); }
            @Override public Metric metric(String name, NDArray clean) { return inner.metric(name.equals("kl") ? "kl" : "logit_diff", clean); }
            @Override public java.util.Map<String, List<String>> groundTruths() { return inner.groundTruths(); }
        };
        // no training steps: only the sweep's λ values matter here
        MethodResult r = Problems.with(tiny, Ablation.ZERO, metric, 0,
                p -> new SubnetworkProbing(new SubnetworkProbing.Options(null, 0, 1e-3)).discover(p));
        double[] lambdas = r.points().stream().mapToDouble(SweepPoint::value).toArray();
        double[] numpy = count == 11 ? NUMPY_TRACR : count == 21 ? NUMPY_DIFFERENCE : NUMPY_EXPENSIVE;
        assertEquals(numpy.length, lambdas.length);
        for (int i = 0; i < numpy.length; i++) assertEquals(numpy[i], lambdas[i], Math.ulp(numpy[i]), "λ[" + i + "]");
    }

    /**
     * The ACDC code's regulariser is the mean over its masked hook points, and its masked model has a
     * {@code hook_mlp_out} mask in every block even without an MLP: on an attention-only model with L layers and H
     * heads there are 4·L hook points, so a head's q mask weighs 1/(4·L·H), not 1/(3·L·H).
     */
    @Test
    void theRegulariserAveragesOverFourHookPointsPerLayerEvenWithoutMlps() {
        TransformerConfig attnOnly = EapTest.TINY_ATTN_ONLY;   // 3 layers, 4 heads, no MLP
        assertTrue(attnOnly.attentionOnly());
        int components = ComponentCircuits.components(attnOnly).size();
        assertEquals(36, components);
        assertEquals(36 + 3, SubnetworkProbing.maskCount(attnOnly));
        double[] w = SubnetworkProbing.regularizerWeights(attnOnly);
        for (int i = 0; i < components; i++) assertEquals(1.0 / 48, w[i], 1e-15, "head mask " + i);
        for (int i = components; i < w.length; i++) assertEquals(1.0 / 12, w[i], 1e-15, "unread MLP mask " + i);
        assertEquals(1.0, java.util.Arrays.stream(w).sum(), 1e-12);
        // R with every head mask at a and every (unread) MLP mask at b: (3·p(a) + p(b)) / 4
        double[] logits = new double[w.length];
        java.util.Arrays.fill(logits, 0, components, -2.0);
        java.util.Arrays.fill(logits, components, logits.length, 1.5);
        HardConcrete hc = HardConcrete.SP;
        assertEquals((3 * hc.expectedL0(-2.0) + hc.expectedL0(1.5)) / 4, SubnetworkProbing.penalty(attnOnly, logits), 1e-12);
        // with MLPs nothing is unread: one MLP mask per layer, 4·L hook points as before
        TransformerConfig withMlp = TinyModel.CONFIG;
        assertEquals(ComponentCircuits.components(withMlp).size(), SubnetworkProbing.maskCount(withMlp));
        double[] wm = SubnetworkProbing.regularizerWeights(withMlp);
        assertEquals(1.0 / (4 * 2 * 2), wm[0], 1e-15);
        assertEquals(1.0 / (4 * 2), wm[ComponentCircuits.components(withMlp).indexOf(Component.mlp(0))], 1e-15);
    }

    /** d metric / d mask from autograd through the hooked forward equals central finite differences. */
    @Test
    void maskGradientMatchesFiniteDifferences() {
        try (HookedTransformer model = new HookedTransformer(TinyModel.weights(5));
             NDManager base = NDManager.newBaseManager()) {
            List<Component> cs = ComponentCircuits.components(TinyModel.CONFIG);
            Metric f = TinyModel.projection(9);
            try (ComponentPatching patching = new ComponentPatching(model, cs, Ablation.RESAMPLE, TinyModel.tokens(1),
                    TinyModel.tokens(2))) {
                float[] m0 = new float[cs.size()];
                for (int i = 0; i < m0.length; i++) m0[i] = 0.3f + 0.05f * i;
                float[] grad;
                try (NDManager s = base.newSubManager(); GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    NDArray m = s.create(m0);
                    m.setRequiresGradient(true);
                    c.backward(f.apply(model.runWithHooks(s, TinyModel.tokens(1), patching.maskedHooks(m))));
                    grad = m.getGradient().toFloatArray();
                }
                double maxAbs = 0;
                for (int i = 0; i < cs.size(); i++) {
                    double h = 1e-2;
                    double[] v = new double[2];
                    for (int sgn = 0; sgn < 2; sgn++) {
                        float[] mm = m0.clone();
                        mm[i] += (float) (sgn == 0 ? h : -h);
                        try (NDManager s = base.newSubManager()) {
                            v[sgn] = f.evaluate(model.runWithHooks(s, TinyModel.tokens(1), patching.maskedHooks(s.create(mm))));
                        }
                    }
                    double fd = (v[0] - v[1]) / (2 * h);
                    maxAbs = Math.max(maxAbs, Math.abs(fd));
                    assertEquals(fd, grad[i], 2e-3 + 2e-2 * Math.abs(fd), cs.get(i).name());
                }
                assertTrue(maxAbs > 0.05, "the test model must have clearly nonzero gradients, max |fd| = " + maxAbs);
            }
        }
    }
}
