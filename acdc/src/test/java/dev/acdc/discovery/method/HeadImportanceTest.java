package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class HeadImportanceTest {

    /**
     * I_C = (1/B)Σ_i |δ_iᵀ ∂F_i/∂C(x_i)|. With F = (1/B)Σ_i F_i, moving only row i of C along δ_i changes F at
     * rate (1/B)·δ_iᵀ∂F_i/∂C(x_i), so I_C = Σ_i |dF/dε_i|, each derivative by central differences.
     */
    @ParameterizedTest
    @EnumSource(value = Ablation.class, names = {"ZERO", "RESAMPLE"})
    void importanceEqualsFiniteDifferencesForAHeadAndAnMlp(Ablation ablation) {
        ModelInput clean = TinyModel.tokens(1);
        List<Component> cs = ComponentCircuits.components(TinyModel.CONFIG);
        Metric f = TinyModel.projection(4);
        try (HookedTransformer model = new HookedTransformer(TinyModel.weights(5));
             ComponentPatching patching = new ComponentPatching(model, cs, ablation, clean, TinyModel.tokens(2));
             NDManager base = NDManager.newBaseManager()) {
            double[] scores = HeadImportance.importances(model, patching, clean, f);
            for (Component c : List.of(Component.k(0, 1), Component.q(1, 0), Component.mlp(0))) {
                double expected = 0;
                for (int row = 0; row < clean.batch(); row++) {
                    double h = 1e-2;
                    double[] v = new double[2];
                    for (int sgn = 0; sgn < 2; sgn++) {
                        float eps = (float) (sgn == 0 ? h : -h);
                        int r = row;
                        NDArray a = patching.ablated(c.hookName());
                        Hook move = new Hook(c.hookName(), x -> {
                            float[] sel = new float[(int) x.getShape().get(0) * (c.isMlp() ? 1 : TinyModel.CONFIG.nHeads())];
                            int width = c.isMlp() ? 1 : TinyModel.CONFIG.nHeads();
                            sel[r * width + (c.isMlp() ? 0 : c.head())] = eps;
                            Shape shape = c.isMlp() ? new Shape(x.getShape().get(0), 1, 1) : new Shape(x.getShape().get(0), 1, width, 1);
                            NDArray s = x.getManager().create(sel, shape);
                            NDArray delta = a == null ? x : x.sub(a);
                            return x.add(delta.mul(s));
                        });
                        try (NDManager s = base.newSubManager()) {
                            v[sgn] = f.evaluate(model.runWithHooks(s, clean, List.of(move)));
                        }
                    }
                    expected += Math.abs((v[0] - v[1]) / (2 * h));
                }
                double got = scores[cs.indexOf(c)];
                assertTrue(expected > 1e-2, c + ": the test needs a clearly nonzero score, found " + expected);
                assertEquals(expected, got, 2e-3 + 2e-2 * expected, c + " under " + ablation);
            }
        }
    }

    @Test
    void zeroAndResampleScoresDiffer() {
        ModelInput clean = TinyModel.tokens(1);
        List<Component> cs = ComponentCircuits.components(TinyModel.CONFIG);
        try (HookedTransformer model = new HookedTransformer(TinyModel.weights(5));
             ComponentPatching zero = new ComponentPatching(model, cs, Ablation.ZERO, clean, TinyModel.tokens(2));
             ComponentPatching resample = new ComponentPatching(model, cs, Ablation.RESAMPLE, clean, TinyModel.tokens(2))) {
            double[] z = HeadImportance.importances(model, zero, clean, TinyModel.projection(4));
            double[] r = HeadImportance.importances(model, resample, clean, TinyModel.projection(4));
            assertFalse(java.util.Arrays.equals(z, r));
        }
    }

    @Test
    void scoresAreNormalisedByTheL2NormOfTheirLayer() {
        // tracr-like: 2 layers, 1 head, MLPs -> per layer q, k, v, m
        List<Component> cs = List.of(Component.q(0, 0), Component.k(0, 0), Component.v(0, 0), Component.mlp(0),
                Component.q(1, 0), Component.k(1, 0), Component.v(1, 0), Component.mlp(1));
        double[] n = HeadImportance.normalizePerLayer(cs, new double[] {3, 0, 4, 0, 1, 1, 1, 1});
        assertArrayEquals(new double[] {0.6, 0, 0.8, 0, 0.5, 0.5, 0.5, 0.5}, n, 1e-12);
        // an all-zero layer stays zero (norm clamped at 1e-6), no NaN
        double[] z = HeadImportance.normalizePerLayer(cs, new double[] {0, 0, 0, 0, 2e-7, 0, 0, 0});
        assertArrayEquals(new double[] {0, 0, 0, 0, 0.2, 0, 0, 0}, z, 1e-12);
    }

    /**
     * launch_sixteen_heads.py sorts [q0 q1 … k… v… mlp] by score ascending (stable) and removes from the front, so of
     * two tied components the later one survives longer: scores {0.5, 0.1, 0.9, 0.5} sort to indices 1, 0, 3, 2,
     * and the kept-first ranking is 2, 3, 0, 1.
     */
    @Test
    void rankingTiesFollowTheReferencesStableAscendingSortReversed() {
        assertArrayEquals(new int[] {2, 3, 0, 1}, HeadImportance.ranking(new double[] {0.5, 0.1, 0.9, 0.5}));
        // an all-zero layer (tracr's L2 at the clean run): the last component is kept first
        assertArrayEquals(new int[] {3, 2, 1, 0}, HeadImportance.ranking(new double[] {0, 0, 0, 0}));
        assertArrayEquals(new int[] {1, 3, 2, 0}, HeadImportance.ranking(new double[] {Double.NaN, 0.2, -0.0, 0.0}));
    }

    @Test
    void theSweepKeepsTheLaterOfTwoTiedComponentsFirst() {
        CircuitGraph g = CircuitGraph.of(TinyModel.CONFIG);
        List<Component> cs = ComponentCircuits.components(TinyModel.CONFIG);
        double[] scores = new double[cs.size()];
        int q00 = cs.indexOf(Component.q(0, 0)), v11 = cs.indexOf(Component.v(1, 1));
        scores[q00] = 0.7;
        scores[v11] = 0.7;
        List<SweepPoint> points = HeadImportance.sweep(g, cs, scores);
        assertTrue(points.get(1).circuit().contains("a1.1.v->a1.1.hook_v"), "v of a1.1 comes later in the list: kept first");
        assertFalse(points.get(1).circuit().contains("a0.0.q->a0.0.hook_q"));
        assertTrue(points.get(2).circuit().contains("a0.0.q->a0.0.hook_q"));
    }

    @Test
    void topKCircuitsAreNestedFromEmptyToFull() {
        CircuitGraph g = CircuitGraph.of(TinyModel.CONFIG);
        List<Component> cs = ComponentCircuits.components(TinyModel.CONFIG);
        double[] scores = new Random(3).doubles(cs.size()).toArray();
        List<SweepPoint> points = HeadImportance.sweep(g, cs, scores);
        assertEquals(cs.size() + 1, points.size());
        assertEquals(Set.of("embed->output"), points.get(0).circuit().edgeNames());
        assertEquals(Circuit.full(g), points.get(cs.size()).circuit());
        int[] order = HeadImportance.ranking(scores);
        for (int k = 1; k < points.size(); k++) {
            assertEquals("k", points.get(k).parameter());
            assertEquals(k, points.get(k).value());
            Circuit prev = points.get(k - 1).circuit(), cur = points.get(k).circuit();
            assertTrue(prev.minus(cur).isEmpty(), "circuit " + (k - 1) + " ⊄ circuit " + k);
            // the component added at step k is the k-th ranked one
            Component added = cs.get(order[k - 1]);
            if (!added.isMlp()) {
                String direct = "a" + added.layer() + "." + added.head() + "." + added.kind().name().toLowerCase()
                        + "->a" + added.layer() + "." + added.head() + ".hook_" + added.kind().name().toLowerCase();
                assertFalse(prev.contains(direct));
                assertTrue(cur.contains(direct));
            } else {
                assertFalse(prev.contains("embed->m" + added.layer()));
                assertTrue(cur.contains("embed->m" + added.layer()));
            }
        }
    }

    @Test
    void aKlProblemIsDifferentiatedThroughTheTasksFirstNonKlMetric() {
        String[] names = Problems.with(TracrTask.proportion(0, true), Ablation.ZERO, "kl", 0,
                p -> new String[] {HeadImportance.gradientMetric(p).name(), p.metric("l2").name(), p.metric().name()});
        assertEquals(names[1], names[0]);
        assertNotEquals(names[2], names[0]);
        String l2 = Problems.with(TracrTask.proportion(0, true), Ablation.ZERO, "l2", 0,
                p -> HeadImportance.gradientMetric(p).name());
        assertEquals(names[1], l2);
    }

    @Test
    void discoverOnTracrGivesOneNestedCircuitPerKAndFiniteScores() {
        MethodResult r = Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "kl", 0,
                p -> new HeadImportance().discover(p));
        assertEquals("hisp", r.method());
        assertEquals(17, r.points().size());   // 16 components + k = 0
        assertEquals(16, r.nodeScores().size());
        assertTrue(r.nodeScores().values().stream().allMatch(Double::isFinite));
        assertEquals(Circuit.full(r.points().get(16).circuit().graph()), r.points().get(16).circuit());
    }
}
