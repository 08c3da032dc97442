package dev.acdc.discovery.method;

import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.metrics.Faithfulness;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.Node.Channel;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** MIB's faithfulness on a real task: f(N) = 1, f(∅) = 0, the ends of the curve, pruning and the sweep rule. */
class FaithfulnessCurvesTest {

    @Test
    void fullModelIsOneEmptyCircuitIsZeroOnTracrReverse() {
        Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 0, p -> {
            FaithfulnessCurves.Evaluator ev = new FaithfulnessCurves.Evaluator(p);
            CircuitGraph g = p.graph();
            // l2 is the distance to the clean output: 0 for the full model, positive with every edge resampled
            assertEquals(0, ev.full(), 1e-6);
            assertTrue(ev.empty() > 1e-3, "m(∅) = " + ev.empty());
            assertTrue(ev.defined());
            // evaluated afresh, not read back from the evaluator's own numbers
            assertEquals(1.0, ev.f(ev.metric(Circuit.full(g))), 1e-9);
            assertEquals(0.0, ev.f(ev.metric(Circuit.empty(g))), 1e-9);

            // any ranking: the 100 % point is the full model (f = 1, complement 0), the sizes below one edge are ∅
            double[] scores = new Random(7).doubles(g.edgeCount()).toArray();
            FaithfulnessCurves.Curve c = ev.curve(Faithfulness.MIB_FRACTIONS, n -> FaithfulnessCurves.topN(g, scores, n));
            List<FaithfulnessCurves.Point> pts = c.points();
            FaithfulnessCurves.Point last = pts.get(pts.size() - 1);
            assertEquals(g.edgeCount(), last.nominalEdges());
            assertEquals(1.0, last.f(), 1e-9);
            assertEquals(0.0, last.complementF(), 1e-9);
            FaithfulnessCurves.Point first = pts.get(0);
            assertEquals(Faithfulness.edgesAt(0.001, g.edgeCount()), first.nominalEdges());
            assertEquals(0, first.nominalEdges(), "tracr-reverse has fewer than 1,000 edges");
            assertEquals(0.0, first.f(), 1e-9);
            assertEquals(1.0, first.complementF(), 1e-9);
            for (FaithfulnessCurves.Point q : pts) assertTrue(q.edges() <= q.nominalEdges(), "pruning only removes edges");
            // the area is the trapezoid over these very f values
            assertEquals(Faithfulness.area(Faithfulness.MIB_FRACTIONS, c.f()), c.area());
            return null;
        });
    }

    @Test
    void pruningDropsEdgesOffEveryInputToOutputPathAndUnderResampleChangesNothing() {
        Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 0, p -> {
            CircuitGraph g = p.graph();
            Edge toQ = g.find(Node.tokEmbed(), Node.headInput(0, 0, Channel.Q)).orElseThrow();
            Edge direct = g.find(Node.headInput(0, 0, Channel.Q), Node.headQkv(0, 0, Channel.Q)).orElseThrow();
            Edge out = g.find(Node.head(0, 0), Node.output()).orElseThrow();
            Edge embedOut = g.find(Node.tokEmbed(), Node.output()).orElseThrow();
            // a path embed → q input → hook_q ⇒ head → output stays whole
            Circuit path = Circuit.ofEdges(g, List.of(toQ, direct, out));
            assertEquals(path, FaithfulnessCurves.prune(path));
            // without the direct edge the head is fed by nothing: all three go
            assertTrue(FaithfulnessCurves.prune(Circuit.ofEdges(g, List.of(toQ, out))).isEmpty());
            // the head's output alone feeds nothing fed; an embedding's edge to the output stays
            assertEquals(Circuit.ofEdges(g, List.of(embedOut)), FaithfulnessCurves.prune(Circuit.ofEdges(g, List.of(out, embedOut))));
            // input edges of a head whose output reaches nothing are dangling too
            assertTrue(FaithfulnessCurves.prune(Circuit.ofEdges(g, List.of(toQ, direct))).isEmpty());
            assertEquals(Circuit.full(g), FaithfulnessCurves.prune(Circuit.full(g)));

            // under resample (MIB's patching) a pruned circuit has the metric of the unpruned one
            FaithfulnessCurves.Evaluator ev = new FaithfulnessCurves.Evaluator(p);
            Random r = new Random(3);
            for (int trial = 0; trial < 5; trial++) {
                java.util.BitSet bits = new java.util.BitSet();
                for (int i = 0; i < g.edgeCount(); i++) if (r.nextDouble() < 0.3) bits.set(i);
                Circuit c = Circuit.of(g, bits);
                Circuit pruned = FaithfulnessCurves.prune(c);
                assertEquals(ev.metric(c), ev.metric(pruned), 1e-5 * Math.max(1, ev.empty()), "trial " + trial);
            }
            return null;
        });
    }

    @Test
    void aSweepGivesItsLargestCircuitNotAboveTheSizeWithEmptyAndFullAsFallbacks() {
        Problems.with(TracrTask.reverse(0, true), Ablation.RESAMPLE, "l2", 0, p -> {
            CircuitGraph g = p.graph();
            int e = g.edgeCount();
            Circuit two = Circuit.ofIds(g, 0, 1), five = Circuit.ofIds(g, 0, 1, 2, 3, 4), otherFive = Circuit.ofIds(g, 5, 6, 7, 8, 9);
            List<SweepPoint> sweep = List.of(new SweepPoint("threshold", 0.1, five), new SweepPoint("threshold", 0.2, otherFive),
                    new SweepPoint("threshold", 0.3, two));
            assertEquals(Circuit.empty(g), FaithfulnessCurves.fromSweep(g, sweep, 1).circuit());
            assertEquals("empty", FaithfulnessCurves.fromSweep(g, sweep, 1).parameter());
            assertEquals(two, FaithfulnessCurves.fromSweep(g, sweep, 4).circuit());
            assertEquals(0.3, FaithfulnessCurves.fromSweep(g, sweep, 4).value());
            assertEquals(five, FaithfulnessCurves.fromSweep(g, sweep, 5).circuit(), "the first in sweep order among equals");
            assertEquals(five, FaithfulnessCurves.fromSweep(g, sweep, e - 1).circuit());
            assertEquals(Circuit.full(g), FaithfulnessCurves.fromSweep(g, sweep, e).circuit());
            // top-n: ties by the lower id
            double[] s = new double[e];
            s[4] = 2;
            s[2] = 1;
            s[3] = 1;
            assertEquals(Circuit.ofIds(g, 4, 2).bits(), FaithfulnessCurves.topN(g, s, 2).circuit().bits());
            return null;
        });
    }
}
