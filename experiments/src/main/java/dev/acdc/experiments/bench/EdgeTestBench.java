package dev.acdc.experiments.bench;

import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.EdgeNotation;
import dev.acdc.datasets.gpt2.IoiCircuit;
import dev.acdc.discovery.AcdcWalk;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.SenderOrder;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * The {@code edge-tests} suite: what one ACDC edge test costs against a forward, and what ACDC on IOI would take.
 *
 * <p>An edge test is what ACDC runs: a single-variant pass from the state the previous test left (the base), the
 * logits at the scored rows, and the metric on them (KL at the last position). The previous test is evaluated
 * first, untimed, so that each timed pass starts from the base ACDC would have. Tests are sampled evenly along
 * ACDC's walk (receivers in ACDC's order, each receiver's edges in its sender order), so every layer is covered and
 * each receiver is weighted by its in-edges. Two walks:
 * <ul>
 *   <li>every decision "keep" (nothing pruned yet: every test recomputes everything downstream of its receiver; the
 *       most a test can cost), over all edges: {@code acdc_edge_test_ratio};</li>
 *   <li>on the GPT-2-small shape, the decisions that reproduce the canonical IOI circuit (1,041 edges): the edges
 *       such a run tests ({@code acdc_ioi_tested_edges}; a receiver that feeds no surviving edge is skipped
 *       untested) and the masks its tests evaluate: {@code acdc_ioi_projected_hours} = their mean × their count.</li>
 * </ul>
 * The model has random weights: a pass costs the same whatever the weights are.
 */
final class EdgeTestBench {
    private final Map<String, Object> figures;
    private final Consumer<String> say;

    EdgeTestBench(Map<String, Object> figures, Consumer<String> say) {
        this.figures = figures;
        this.say = say;
    }

    /** One timed test: the mask of the test before it (evaluated untimed) and its own. */
    record Sample(int index, Node receiver, float[] previous, float[] test) {}

    /** A walk's samples and the number of edges it tests. */
    record Walk(List<Sample> samples, int tested) {}

    /**
     * n tests spread evenly along the walk that keeps exactly the edges keep accepts: test i·T/n + T/(2n) of the T,
     * with the test before it.
     */
    static Walk sample(CircuitGraph g, IntPredicate keep, int n) {
        int tested = AcdcWalk.replay(g, SenderOrder.ACDC, keep, (i, r, id, mask) -> {});
        int k = Math.min(n, tested);
        BitSet wanted = new BitSet(tested);
        int[] picks = new int[k];
        for (int i = 0; i < k; i++) {
            picks[i] = (int) (((long) 2 * i + 1) * tested / (2L * k));
            wanted.set(picks[i]);
            if (picks[i] > 0) wanted.set(picks[i] - 1);
        }
        float[][] masks = new float[tested][];
        Node[] receivers = new Node[tested];
        AcdcWalk.replay(g, SenderOrder.ACDC, keep, (i, r, id, mask) -> {
            if (wanted.get(i)) {
                masks[i] = mask.clone();
                receivers[i] = r;
            }
        });
        List<Sample> samples = new ArrayList<>();
        for (int i : picks) {
            float[] previous = i > 0 ? masks[i - 1] : null;
            samples.add(new Sample(i, receivers[i], previous, masks[i]));
        }
        return new Walk(samples, tested);
    }

    void run(TransformerConfig c, ModelInput clean, ModelInput corrupted, int samples, int forwardRepeats) {
        CircuitGraph g = CircuitGraph.of(c);
        Walk allKept = sample(g, id -> true, samples);
        Walk ioi = isGpt2Small(c) ? sample(g, ioiDecisions(g), samples) : null;
        long[] rows = ScoredPositions.last().flatIndices(clean.batch(), clean.length());
        try (HookedTransformer model = new HookedTransformer(Presets.randomWeights(c, 1));
             EdgePatcher p = EdgePatcher.create(model, g, clean, Ablation.RESAMPLE, corrupted, List.of());
             NDManager scope = NDManager.newBaseManager()) {
            Metric kl = Metrics.klDivergence(p.cleanLogits(scope), ScoredPositions.last());
            Timing.Work forward = () -> {
                try (NDManager s = scope.newSubManager()) {
                    model.forward(s, clean).getFloat(0, 0, 0);
                }
            };
            Timing.seconds(forward);
            // forwards between the walks, so that a machine whose load changes moves both sides of the ratios alike
            List<Double> forwards = new ArrayList<>();
            for (int i = 0; i < forwardRepeats; i++) forwards.add(Timing.seconds(forward));
            double[] all = time(p, kl, rows, allKept);
            for (int i = 0; i < forwardRepeats; i++) forwards.add(Timing.seconds(forward));
            double[] ioiTimes = ioi == null ? null : time(p, kl, rows, ioi);
            if (ioi != null) for (int i = 0; i < forwardRepeats; i++) forwards.add(Timing.seconds(forward));
            double f = Timing.of(forwards.stream().mapToDouble(Double::doubleValue).toArray()).median();
            double mean = mean(all);
            figures.put("acdc_edge_test_forward_seconds", f);
            figures.put("acdc_edge_test_samples", all.length);
            figures.put("acdc_edge_test_seconds_mean", mean);
            figures.put("acdc_edge_test_ratio", mean / f);
            figures.put("acdc_ioi_projected_hours_upper", mean * g.edgeCount() / 3600);
            say.accept(String.format(Locale.ROOT, "edge tests %s [%d, %d], every edge kept, %d tests along ACDC's walk of %d edges: "
                    + "mean %.3f s = %.3f of a forward (%.3f s); by layer %s", c.name(), clean.batch(), clean.length(), all.length,
                    allKept.tested(), mean, mean / f, f, byLayer(allKept, all, f, c)));
            say.accept(String.format(Locale.ROOT, "  every edge tested at that mean: %.1f h (upper bound)", mean * g.edgeCount() / 3600));
            if (ioi != null) {
                double m = mean(ioiTimes);
                figures.put("acdc_ioi_tested_edges", ioi.tested());
                figures.put("acdc_ioi_edge_test_seconds_mean", m);
                figures.put("acdc_ioi_edge_test_ratio", m / f);
                figures.put("acdc_ioi_projected_hours", m * ioi.tested() / 3600);
                say.accept(String.format(Locale.ROOT, "  a run that finds the canonical IOI circuit tests %d edges; %d tests along it: "
                        + "mean %.3f s = %.3f of a forward; by layer %s; projected %.2f h", ioi.tested(), ioiTimes.length, m, m / f,
                        byLayer(ioi, ioiTimes, f, c), m * ioi.tested() / 3600));
            }
        }
    }

    /** Seconds of each sample's test, each after its previous test ran untimed. */
    private static double[] time(EdgePatcher p, Metric kl, long[] rows, Walk walk) {
        double[] t = new double[walk.samples().size()];
        for (int i = 0; i < t.length; i++) {
            Sample s = walk.samples().get(i);
            if (s.previous() != null) test(p, kl, rows, s.previous());
            t[i] = Timing.seconds(() -> test(p, kl, rows, s.test()));
        }
        return t;
    }

    /** What ACDC runs for one tested edge: the pass and the metric of its rows. */
    private static double test(EdgePatcher p, Metric kl, long[] rows, float[] mask) {
        try (NDManager s = NDManager.newBaseManager()) {
            return kl.evaluateRows(p.logitsAt(s, new float[][] {mask}, rows));
        }
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return s / a.length;
    }

    /** Mean ratio to a forward per receiver layer (the output counts as layer L). */
    private static String byLayer(Walk walk, double[] t, double forward, TransformerConfig c) {
        int L = c.nLayers();
        double[] sum = new double[L + 1];
        int[] n = new int[L + 1];
        for (int i = 0; i < t.length; i++) {
            Node r = walk.samples().get(i).receiver();
            int l = r.kind() == dev.acdc.patching.graph.NodeKind.OUTPUT ? L : r.layer();
            sum[l] += t[i] / forward;
            n[l]++;
        }
        StringBuilder b = new StringBuilder();
        for (int l = 0; l <= L; l++) {
            if (n[l] > 0) b.append(String.format(Locale.ROOT, "%s%s %.2f", b.length() == 0 ? "" : ", ", l == L ? "out" : "L" + l, sum[l] / n[l]));
        }
        return b.toString();
    }

    private static boolean isGpt2Small(TransformerConfig c) {
        TransformerConfig g = Presets.gpt2Small();
        return c.nLayers() == g.nLayers() && c.nHeads() == g.nHeads() && c.dModel() == g.dModel() && !c.attentionOnly();
    }

    /** Keep exactly the canonical IOI circuit's edges. */
    static IntPredicate ioiDecisions(CircuitGraph g) {
        BitSet keep = new BitSet(g.edgeCount());
        for (String e : EdgeNotation.toGraph(IoiCircuit.canonical().edgeStrings())) keep.set(g.edge(e).id());
        return keep::get;
    }
}
