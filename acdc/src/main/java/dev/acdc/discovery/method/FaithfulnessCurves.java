package dev.acdc.discovery.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.metrics.Faithfulness;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Faithfulness curves of circuits as the MIB circuit-localization track draws them
 * ({@code hannamw/MIB-circuit-track} @ {@code b759df3}, {@code evaluation.py} {@code evaluate_area_under_curve}):
 * at each fraction p of the edges the circuit of {@code int(p · E)} edges a method selects, pruned of dangling
 * edges (EAP-IG's {@code Graph.prune}), evaluated with the problem's edge patcher and metric; f from the metric of
 * the full model and of the empty circuit ({@link Faithfulness#of}); CPR and CMD by {@link Faithfulness#area}. The
 * complement (the full model with the evaluated circuit's edges removed, pruned likewise) is evaluated beside it.
 *
 * <p>Which circuit a method selects at n edges:
 * <ul>
 *   <li>a method with per-edge scores (EAP, EAP-IG): the n highest scores ({@link Circuit#topK}: ties by the lower
 *       edge id, NaN last), MIB's {@code apply_topn};</li>
 *   <li>a method with a sweep only (ACDC's τ, SP's λ, HISP's k): the sweep's circuit with the most edges not above n
 *       (the first in sweep order among equals), where the empty circuit and the full model count as members of
 *       every sweep. This is MIB's rule for submitted binary circuits, "no more than" k % of the edges
 *       (MIB README l.110–114).</li>
 * </ul>
 */
public final class FaithfulnessCurves {
    private FaithfulnessCurves() {}

    /**
     * The circuit without its dangling edges: an edge stays only if its sender can be reached from an embedding and
     * its receiver reaches the output, along kept edges and the graph's placeholder edges (a head's q/k/v to its
     * output, an MLP's input to its output). This is the fixed point of EAP-IG's {@code Graph.prune} (nodes without
     * an incoming or an outgoing edge dropped, then every edge of a dropped node, until nothing changes; the input
     * node always counts as fed, the logits as consumed). Under resample ablation it never changes the metric: a
     * node whose inputs all carry their corrupted values computes its corrupted value. Under zero and mean ablation
     * it can.
     */
    public static Circuit prune(Circuit c) {
        CircuitGraph g = c.graph();
        int nodes = g.nodeCount();
        List<Edge> all = g.allEdges();
        boolean[] present = new boolean[all.size()];
        for (Edge e : all) present[e.id()] = !e.tested() || c.contains(e.id());
        boolean[] fed = new boolean[nodes];
        boolean[] consumed = new boolean[nodes];
        for (Node n : g.nodes()) {
            NodeKind k = n.kind();
            if (k == NodeKind.EMBED || k == NodeKind.TOK_EMBED || k == NodeKind.POS_EMBED) fed[g.nodeIndex(n)] = true;
            if (k == NodeKind.OUTPUT) consumed[g.nodeIndex(n)] = true;
        }
        // a DAG: relax until nothing changes (a few passes; the graph is small next to a forward pass)
        for (boolean changed = true; changed; ) {
            changed = false;
            for (Edge e : all) {
                if (!present[e.id()]) continue;
                int s = g.nodeIndex(e.sender()), r = g.nodeIndex(e.receiver());
                if (fed[s] && !fed[r]) { fed[r] = true; changed = true; }
                if (consumed[r] && !consumed[s]) { consumed[s] = true; changed = true; }
            }
        }
        BitSet kept = new BitSet(g.edgeCount());
        for (int id : c.edgeIds()) {
            Edge e = g.edge(id);
            if (fed[g.nodeIndex(e.sender())] && consumed[g.nodeIndex(e.receiver())]) kept.set(id);
        }
        return Circuit.of(g, kept);
    }

    /** The sweep's circuit with the most edges not above n; the empty circuit and the full model are in every sweep. */
    public static Selected fromSweep(CircuitGraph g, List<SweepPoint> sweep, int n) {
        Selected best = new Selected(Circuit.empty(g), "empty", 0);
        if (n >= g.edgeCount()) best = new Selected(Circuit.full(g), "full", g.edgeCount());
        for (SweepPoint p : sweep) {
            int k = p.circuit().edgeCount();
            if (k <= n && k > best.circuit().edgeCount()) best = new Selected(p.circuit(), p.parameter(), p.value());
        }
        return best;
    }

    /** The n edges with the highest scores, ties by the lower id ({@link Circuit#topK}). */
    public static Selected topN(CircuitGraph g, double[] scores, int n) {
        return new Selected(Circuit.topK(g, scores, Math.min(n, g.edgeCount())), "top_n", n);
    }

    /** A selected circuit and what chose it: a sweep's parameter and value, {@code top_n} and n, or empty/full. */
    public record Selected(Circuit circuit, String parameter, double value) {}

    /**
     * One size of a curve.
     *
     * @param fraction        the fraction of the edges (MIB's {@code pct})
     * @param nominalEdges    {@code int(fraction · E)}
     * @param selected        what the method selected at that size (before pruning)
     * @param edges           the edges of the evaluated, pruned circuit
     * @param metric          m(C)
     * @param f               f(C)
     * @param complementEdges the edges of the pruned complement
     * @param complementMetric m(N ∖ C)
     * @param complementF     f(N ∖ C)
     * @param exampleSums     Σ of the metric's row values of each example for C, [examples]; null unless the
     *                        evaluator keeps them ({@link Evaluator#perExample()})
     */
    public record Point(double fraction, int nominalEdges, Selected selected, int edges, double metric, double f,
                        int complementEdges, double complementMetric, double complementF, double[] exampleSums) {}

    /** A curve, its CPR and CMD. */
    public record Curve(List<Point> points, Faithfulness.Area area) {
        public double[] f() {
            return points.stream().mapToDouble(Point::f).toArray();
        }

        public double[] complementF() {
            return points.stream().mapToDouble(Point::complementF).toArray();
        }
    }

    /** Evaluates circuits on a problem: m(C) by the problem's patcher and metric, m(N) and m(∅) once. */
    public static final class Evaluator {
        private final DiscoveryProblem problem;
        private final boolean perExample;
        private final double full;
        private final double empty;
        private final double[] fullSums;
        private final double[] emptySums;

        public Evaluator(DiscoveryProblem problem) {
            this(problem, false);
        }

        /**
         * With {@code perExample}, every evaluation also keeps the per-example sums of the metric's row values
         * ({@link dev.acdc.metrics.Metric#evaluatePerRow}) from the same forward pass, for a bootstrap over examples;
         * the metric must then {@link dev.acdc.metrics.Metric#scoresPerRow score per row}.
         */
        public Evaluator(DiscoveryProblem problem, boolean perExample) {
            if (perExample && !(problem.metric().scoresPerRow() && problem.metric().scoredPositions().isPresent())) {
                throw new IllegalArgumentException("metric " + problem.metricName() + " gives no per-row values");
            }
            this.problem = problem;
            this.perExample = perExample;
            Value f = evaluate(Circuit.full(problem.graph()));
            Value e = evaluate(Circuit.empty(problem.graph()));
            this.full = f.mean();
            this.empty = e.mean();
            this.fullSums = f.exampleSums();
            this.emptySums = e.exampleSums();
        }

        /** A circuit's metric (the mean MIB uses) and, when kept, the per-example sums of its row values. */
        public record Value(double mean, double[] exampleSums) {}

        /** The metric (the problem's, mean over the examples) with every edge outside c ablated. */
        public double metric(Circuit c) {
            return evaluate(c).mean();
        }

        /** {@link #metric} and, with {@link #perExample()}, the per-example sums, from one forward pass. */
        public Value evaluate(Circuit c) {
            BitSet removed = new BitSet(problem.graph().edgeCount());
            removed.set(0, problem.graph().edgeCount());
            removed.andNot(c.bits());
            try (NDManager scope = NDManager.newBaseManager()) {
                NDArray logits = problem.patcher().logits(scope, removed);
                double mean = problem.metric().evaluate(logits);
                return new Value(mean, perExample ? problem.metric().evaluatePerRow(logits).sumsByExample() : null);
            }
        }

        /** Whether evaluations keep per-example sums. */
        public boolean perExample() { return perExample; }

        /** The full model's per-example sums (null unless {@link #perExample()}). */
        public double[] fullSums() { return fullSums == null ? null : fullSums.clone(); }

        /** The empty circuit's per-example sums (null unless {@link #perExample()}). */
        public double[] emptySums() { return emptySums == null ? null : emptySums.clone(); }

        /** m(N): the full model. */
        public double full() { return full; }

        /** m(∅): every edge ablated. */
        public double empty() { return empty; }

        /** Whether f is defined on this problem (m(N) ≠ m(∅)). */
        public boolean defined() {
            return Faithfulness.defined(empty, full);
        }

        public double f(double metric) {
            return Faithfulness.of(metric, empty, full);
        }

        /** The curve of the circuits {@code select} gives for each size n = int(fraction · E), fractions ascending. */
        public Curve curve(double[] fractions, IntFunction<Selected> select) {
            CircuitGraph g = problem.graph();
            List<Point> points = new ArrayList<>();
            double[] f = new double[fractions.length];
            for (int i = 0; i < fractions.length; i++) {
                int n = Faithfulness.edgesAt(fractions[i], g.edgeCount());
                Selected s = select.apply(n);
                Circuit c = prune(s.circuit());
                Circuit rest = prune(c.complement());
                Value v = evaluate(c);
                double m = v.mean(), mRest = metric(rest);
                f[i] = f(m);
                points.add(new Point(fractions[i], n, s, c.edgeCount(), m, f[i], rest.edgeCount(), mRest, f(mRest), v.exampleSums()));
            }
            return new Curve(points, Faithfulness.area(fractions, f));
        }
    }
}
