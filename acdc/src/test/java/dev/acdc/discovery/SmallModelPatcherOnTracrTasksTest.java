package dev.acdc.discovery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.metrics.ArrayMetric;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import dev.acdc.patching.patch.SmallModelPatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The Java patcher ACDC uses on small models, against EdgePatcher on the real compiled tracr tasks. */
class SmallModelPatcherOnTracrTasksTest {

    static Stream<Arguments> tasks() {
        return Stream.of(Arguments.of(TracrTask.reverse(0, true)), Arguments.of(TracrTask.proportion(0, true)));
    }

    static float[] mask(int n, Random r, boolean fractional) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            m[i] = u < 0.3 ? 0f : (fractional && u < 0.6 ? (float) r.nextDouble() : 1f);
        }
        return m;
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void randomMasksGiveEdgePatchersLogitsAndL2(Task task) {
        Random r = new Random(3);
        for (Ablation ablation : new Ablation[] {Ablation.RESAMPLE, Ablation.ZERO, Ablation.MEAN}) {
            try (HookedTransformer m = new HookedTransformer(task.weights());
                 EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(task.weights().config()), task.clean(), ablation,
                         task.corrupted(), task.corruptedHooks());
                 NDManager scope = NDManager.newBaseManager()) {
                SmallModelPatcher s = SmallModelPatcher.of(p);
                Metric l2 = task.metric("l2", p.cleanLogits(scope));
                assertInstanceOf(ArrayMetric.class, l2, "the small-model path scores L2 without NDArrays");
                int B = p.input().batch(), P = p.input().length(), V = task.weights().config().dVocabOut();
                for (int k : new int[] {1, 5}) {
                    for (boolean fractional : new boolean[] {false, true}) {
                        float[][] masks = new float[k][];
                        for (int i = 0; i < k; i++) masks[i] = mask(p.maskLength(), r, fractional);
                        NDArray expected = p.logitsNonIncremental(scope, masks);
                        float[] e = expected.toFloatArray(), a = s.logits(masks);
                        double scale = 1;
                        for (float x : e) scale = Math.max(scale, Math.abs(x));
                        for (int i = 0; i < e.length; i++) {
                            assertEquals(e[i], a[i], 1e-4 * scale, task.name() + " " + ablation + " K=" + k + " element " + i);
                        }
                        for (int v = 0; v < k; v++) {
                            double nd = l2.evaluate(expected.get(v * B + ":" + (v + 1) * B));
                            double arr = ((ArrayMetric) l2).evaluate(a, v * B * P * V, B, P, V);
                            assertEquals(nd, arr, 1e-5 * Math.max(nd, 1e-3), task.name() + " " + ablation + " L2 of variant " + v);
                        }
                    }
                }
            }
        }
    }

    /**
     * The patcher computed without the engine (its ablated values and clean run in Java) gives the engine-built copy's
     * logits, within float rounding, for every ablation; and ACDC on it finds the same circuit.
     */
    @ParameterizedTest
    @MethodSource("tasks")
    void thePatcherComputedInJavaMatchesTheEngineBuiltOne(Task task) {
        Random r = new Random(5);
        CircuitGraph graph = CircuitGraph.of(task.weights().config());
        for (Ablation ablation : Ablation.values()) {
            try (HookedTransformer m = new HookedTransformer(task.weights());
                 EdgePatcher p = EdgePatcher.create(m, graph, task.clean(), ablation, task.corrupted(), task.corruptedHooks());
                 NDManager scope = NDManager.newBaseManager()) {
                SmallModelPatcher engine = SmallModelPatcher.of(p);
                SmallModelPatcher java = SmallModelPatcher.inJava(task.weights(), graph, task.clean(), ablation, task.corrupted(),
                        task.corruptedPositionPermutation());
                float[][] masks = new float[4][];
                for (int i = 0; i < masks.length; i++) masks[i] = mask(graph.edgeCount(), r, true);
                float[] e = engine.logits(masks), a = java.logits(masks);
                for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 * Math.max(1, Math.abs(e[i])), task.name() + " " + ablation + " " + i);
                float[] ce = p.cleanLogits(scope).toFloatArray(), ca = java.cleanLogits();
                for (int i = 0; i < ce.length; i++) assertEquals(ce[i], ca[i], 1e-5 * Math.max(1, Math.abs(ce[i])), task.name() + " clean " + i);

                int B = task.clean().batch(), P = task.clean().length(), V = task.weights().config().dVocabOut();
                AcdcOptions options = AcdcOptions.fast(1e-4);
                AcdcResult viaEngine = new Acdc(p, task.metric("l2", p.cleanLogits(scope)), options).run();
                AcdcResult inJava = new Acdc(java, task.arrayMetric("l2", java.cleanLogits(), B, P, V), options).run();
                assertEquals(viaEngine.circuit().edgeNames(), inJava.circuit().edgeNames(), task.name() + " " + ablation);
            }
        }
    }

    @Test
    void tracrModelsAreSmallAndGpt2SmallIsNot() {
        for (Task t : new Task[] {TracrTask.reverse(0, true), TracrTask.proportion(0, true)}) {
            assertTrue(Acdc.isSmall(t.weights().config(), (long) t.clean().batch() * t.clean().length()), t.name());
        }
        assertFalse(Acdc.isSmall(Presets.gpt2Small(), 10 * 20));
    }

    /** The EdgePatcher fast path, the Java fast path and the reference agree on circuits and effects. */
    @Test
    void forcingTheJavaPatcherOnOrOffGivesTheSameCircuit() {
        Task task = TracrTask.proportion(0, true);
        String before = System.getProperty(Acdc.SMALL_PATCHER_PROPERTY);
        try {
            for (double tau : new double[] {1e-4, 1e-2}) {
                System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, "on");
                AcdcResult on = AcdcOnTracrTasksTest.run(task, Ablation.RESAMPLE, AcdcOptions.fast(tau));
                System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, "off");
                AcdcResult off = AcdcOnTracrTasksTest.run(task, Ablation.RESAMPLE, AcdcOptions.fast(tau));
                AcdcResult ref = AcdcOnTracrTasksTest.run(task, Ablation.RESAMPLE, AcdcOptions.reference(tau));
                assertEquals(ref.circuit().edgeNames(), on.circuit().edgeNames(), "τ=" + tau);
                assertEquals(ref.circuit().edgeNames(), off.circuit().edgeNames(), "τ=" + tau);
                // one speculative batch per tested edge on the Java path; batches of up to 8 on DJL's
                assertEquals(on.testedEdges() + 2, on.maskedForwards(), "τ=" + tau);
                assertTrue(off.maskedForwards() < on.maskedForwards(), "τ=" + tau);
                for (var e : ref.circuit().graph().edges()) {
                    double r = ref.circuit().score(e.id()), f = on.circuit().score(e.id());
                    if (Double.isNaN(r)) assertTrue(Double.isNaN(f), e.name());
                    else assertEquals(r, f, 1e-5 * Math.max(1, Math.abs(r)), e.name());
                }
            }
        } finally {
            if (before == null) System.clearProperty(Acdc.SMALL_PATCHER_PROPERTY);
            else System.setProperty(Acdc.SMALL_PATCHER_PROPERTY, before);
        }
    }
}
