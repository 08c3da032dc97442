package dev.acdc.discovery.method;

import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.*;

class EdgePruningTest {

    @Test
    void reachesItsTargetSparsityWithinOnePercentOnTracrProportion() {
        double target = 0.5;
        double[] faithfulness = new double[1];
        EdgePruning.Training r = Problems.with(TracrTask.proportion(0, true), Ablation.RESAMPLE, "l2", 0, p -> {
            EdgePruning.Training t = new EdgePruning().train(p, target);
            FaithfulnessCurves.Evaluator ev = new FaithfulnessCurves.Evaluator(p);
            faithfulness[0] = ev.f(ev.metric(t.circuit()));
            return t;
        });
        // the defaults (λ learning rate 0.01) keep the task: with IOI's 0.8 this run (seed 0) read out a circuit with f = 0
        assertEquals(1.0, faithfulness[0], 1e-6, "f of the read-out circuit");
        // the Lagrangian's sparsity (sampled masks, over the steps the target is held) and the read-out circuit's
        assertEquals(target, r.trainedSparsity(), 0.01, "trained sparsity");
        assertEquals(target, r.sparsity(), 0.01, "read-out sparsity");
        assertEquals(r.sparsity(), r.modelSparsity(), 1.0 / (2 * r.logAlpha().length), "the read-out matches the model's sparsity");
        // the masks started at log α ≈ 10: half of them had to fall
        long kept = 0;
        CircuitGraph g = r.circuit().graph();
        int[] maskable = EdgePruning.maskable(g);
        for (int id : maskable) if (r.circuit().contains(id)) kept++;
        assertEquals(Math.round((1 - r.sparsity()) * maskable.length), kept);
        // λ2 ascends (s − t)² ≥ 0 from 0, and weight decay alone cannot make it negative
        assertTrue(r.lambda2() > 0, "λ2 = " + r.lambda2());
        // a direct edge is in the circuit exactly when its q/k/v input keeps an in-edge
        for (Edge e : g.edges()) {
            if (e.kind() != EdgeKind.DIRECT) continue;
            boolean fed = g.edges().stream().anyMatch(x -> x.kind() != EdgeKind.DIRECT && x.receiver().equals(e.sender())
                    && r.circuit().contains(x.id()));
            assertEquals(fed, r.circuit().contains(e.id()), e.name());
        }
    }

    @Test
    void trainingIsDeterministicForASeedAndDependsOnIt() {
        var task = TracrTask.reverse(0, true);
        EdgePruning ep = new EdgePruning(new EdgePruning.Options(null, 40, 30, 10, 0.8, 0.8));
        var a = Problems.with(task, Ablation.RESAMPLE, "l2", 11, p -> ep.train(p, 0.6));
        var b = Problems.with(task, Ablation.RESAMPLE, "l2", 11, p -> ep.train(p, 0.6));
        var c = Problems.with(task, Ablation.RESAMPLE, "l2", 12, p -> ep.train(p, 0.6));
        assertEquals(a.circuit(), b.circuit());
        assertArrayEquals(a.logAlpha(), b.logAlpha(), 1e-4);
        assertEquals(a.lambda1(), b.lambda1(), 1e-6);
        assertFalse(java.util.Arrays.equals(a.logAlpha(), c.logAlpha()));
        // 40 steps moved the masks: not every log α is still near its start of 10
        assertTrue(java.util.Arrays.stream(a.logAlpha()).anyMatch(x -> x < 9), java.util.Arrays.toString(a.logAlpha()));
    }

    @Test
    void whileTheMasksAreTooDenseLambdaOneFallsAndLambdaTwoRises() {
        // the target is held from step 0 and every mask starts on (s ≈ 0 < t = 0.9): ∂loss/∂λ1 = s − t < 0, so ascent
        // lowers λ1, and −λ1·s then rewards sparsity; ∂loss/∂λ2 = (s − t)² > 0 raises λ2
        EdgePruning ep = new EdgePruning(new EdgePruning.Options(null, 20, 0, 0, 0.8, 0.8));
        var r = Problems.with(TracrTask.proportion(0, true), Ablation.RESAMPLE, "l2", 5, p -> ep.train(p, 0.9));
        assertTrue(r.lambda1() < -1, "λ1 = " + r.lambda1());
        assertTrue(r.lambda2() > 1, "λ2 = " + r.lambda2());
    }

    @Test
    void probabilityOfAZeroMaskIsTheHardConcreteCdfAtZero() {
        // P(z = 0) = σ(β·ln(−l/r) − log α) = σ((2/3)·ln(1/11) − log α); by hand at log α = 0:
        // (2/3)·ln(1/11) = −1.5985968, σ(−1.5985968) = 1/(1 + e^1.5985968) = 1/(1 + 4.946087) = 0.1681777
        assertEquals(0.1681777, EdgePruning.probabilityZero(0), 1e-6);
        assertEquals(1 / (1 + Math.exp(1.5985968 + 2)), EdgePruning.probabilityZero(2), 1e-6);
        // clamped to [ε, 1 − ε], ε = 1e-6
        assertEquals(1 - 1e-6, EdgePruning.probabilityZero(-40), 0);
        assertEquals(1e-6, EdgePruning.probabilityZero(40), 0);
    }

    @Test
    void readOutKeepsTheMasksOfTheModelsSparsity() {
        // log α = {10, 10, −10, 0, 1}: Σ P(z=0) ≈ 0 + 0 + 0.99978 + 0.16818 + 0.06920 = 1.237 → 1 mask zeroed (index 2);
        // the others keep σ(0.8·log α/β) = σ(1.2·log α): 1, 1, –, 0.5, 0.7685; mean (1 + 1 + 0 + 0.5 + 0.7685)/5 = 0.6537,
        // so sparsity 0.3463, round(0.3463·5) = 2 removed: the three largest (0, 1, 4) stay, index 3 (log α = 0) goes
        double[] la = {10, 10, -10, 0, 1};
        double[] det = EdgePruning.deterministicMask(la);
        assertEquals(0, det[2]);
        assertEquals(0.5, det[3], 1e-12);
        assertEquals(1 / (1 + Math.exp(-1.2)), det[4], 1e-12);
        BitSet kept = EdgePruning.readOut(la);
        assertEquals(BitSet.valueOf(new long[] {0b10011}), kept);
    }

    @Test
    void schedulesRiseLinearlyAsEdgePruningsTrainerDoes() {
        assertEquals(0.4, EdgePruning.scheduledTarget(0.8, 500, 1000), 1e-12);
        assertEquals(0.8, EdgePruning.scheduledTarget(0.8, 1000, 1000), 0);
        assertEquals(0.8, EdgePruning.scheduledTarget(0.8, 5, 0), 0);
        // get_linear_schedule_with_warmup: 0 at the first step, 1 at the end of the warm-up, 0 at the last
        assertEquals(0, EdgePruning.learningRateFactor(0, 200, 1500), 0);
        assertEquals(0.5, EdgePruning.learningRateFactor(100, 200, 1500), 1e-12);
        assertEquals(1, EdgePruning.learningRateFactor(200, 200, 1500), 1e-12);
        assertEquals(0.5, EdgePruning.learningRateFactor(850, 200, 1500), 1e-12);
        assertEquals(1, EdgePruning.learningRateFactor(0, 0, 10), 0);
    }

    @Test
    void theSweepSkipsTargetsThatKeepNoEdgeOrRepeatASize() {
        // tracr-proportion has 32 maskable edges: 0.5 and 0.51 both keep 16, 0.999 keeps round(0.032) = 0
        EdgePruning ep = new EdgePruning(new EdgePruning.Options(new double[] {0.5, 0.51, 0.999}, 5, 3, 1, 0.8, 0.8));
        MethodResult r = Problems.with(TracrTask.proportion(0, true), Ablation.RESAMPLE, "l2", 1, ep::discover);
        assertEquals(EdgePruning.NAME, r.method());
        assertEquals(1, r.points().size());
        assertEquals("target_sparsity", r.points().get(0).parameter());
        assertEquals(0.5, r.points().get(0).value());
        assertNull(r.edgeScores());
        assertEquals(32, EdgePruning.maskable(r.points().get(0).circuit().graph()).length);
    }

    @Test
    void targetsOutsideZeroToOneAreRefused() {
        for (double t : new double[] {0, 1, -0.1, 1.02, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> new EdgePruning.Options(new double[] {t}, 10, 5, 1, 0.8, 0.8),
                    "target " + t);
        }
        assertThrows(IllegalArgumentException.class, () -> new EdgePruning.Options(null, 10, 11, 1, 0.8, 0.8));
    }
}
