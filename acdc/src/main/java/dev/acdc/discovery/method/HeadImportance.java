package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Head importance score for pruning (HISP; Michel et al., 2019), as the ACDC paper adapts it (appendix D.2):
 * rank components by a first-order estimate of how much ablating them changes the metric, and keep the top k.
 *
 * <p><b>Score.</b> For each {@link Component} C (each head's q, k, v at {@code attn.hook_q/k/v}, each MLP
 * output at {@code hook_mlp_out}; with grouped key/value heads q per query head and k, v per key/value group, the
 * sum then running over the group's slice of {@code hook_k/v}, whose change reaches every query head of the group):
 * <pre>
 *   I_C = (1/B) Σ_i | Σ_{p,d} (C(x_i) − C(x′_i))[p,d] · ∂F_i/∂C(x_i)[p,d] |
 * </pre>
 * with C(x′) the ablated value ({@link ComponentPatching}: the activation of a plain forward pass on the
 * corrupted inputs for resample, with no position scramble on tracr, as the ACDC code caches it; 0 for zero
 * ablation, so the term becomes C(x)ᵀ∂F/∂C(x); the clean mean for mean ablation). The derivative is
 * total (through every later layer): each hooked activation gets a zero leaf that requires a gradient added
 * to it, and DJL autograd gives that leaf's gradient. One backward pass suffices because every metric here is
 * a mean of per-example terms, F = (1/B)Σ_i F_i, and rows of a transformer do not interact, so
 * ∂F_i/∂C(x_i) = B·∂F/∂C(x_i) and I_C = Σ_i |δ_iᵀ ∂F/∂C(x_i)|.
 *
 * <p><b>Metric.</b> F is the problem's metric, except that a KL metric (name starting with {@code kl}), whose
 * gradient at the clean model is zero, is replaced by the task's first metric that is not KL. Caveat: the
 * tracr tasks' other metric, L2 to the clean output, is also zero with zero gradient at the clean model, so on
 * tracr every score is zero up to float round-off and the ranking falls back to the tie-break below (the
 * component order, last kept first). The ACDC code ran HISP on tracr with the same metrics.
 *
 * <p><b>Normalisation and ranking.</b> Scores are divided, per layer, by the L2 norm of that layer's scores
 * (its q, k, v of every head and its MLP), the norm clamped below at 1e-6, as the ACDC code does. The ranking
 * is the ACDC code's ({@code experiments/launch_sixteen_heads.py}): it lists the components per layer (q of
 * heads 0…H−1, then k, then v, then the MLP), sorts the list by normalised score ascending with Python's stable
 * sort ({@code nodes_names_indices.sort(key=…, reverse=False)}), and removes components from the front of the
 * list one by one. So the circuit with k components keeps the last k of that sorted list: among tied scores the
 * component later in the list is kept first (removed last). {@link #ranking} is that order reversed (most
 * important first; NaN scores sort lowest). The sweep keeps the top k components for k = 0 … N
 * ({@code SweepPoint("k", k, circuit)}), which gives nested circuits, each made by {@link ComponentCircuits}, and
 * its ROC has one point per circuit at edge and node level alike ({@link MethodRoc}). Node scores are the
 * normalised scores by component name.
 *
 * <p>Difference from the reference code ({@code experiments/launch_sixteen_heads.py}): it took the gradient of a
 * mask multiplying each activation with no cached ablation value, i.e. C(x)ᵀ∂F/∂C(x), the zero-ablation score,
 * even in resample runs, and summed rather than averaged over examples (the same ranking). We implement the
 * paper's formula with the run's ablation.
 */
public final class HeadImportance implements DiscoveryMethod {

    /** The clamp of the per-layer norm, as the ACDC code's {@code norm.clamp(min=1e-6)}. */
    public static final double MIN_NORM = 1e-6;

    private final java.util.function.Consumer<String> progress;

    public HeadImportance() {
        this(s -> {});
    }

    private HeadImportance(java.util.function.Consumer<String> progress) {
        this.progress = java.util.Objects.requireNonNull(progress, "progress");
    }

    /** Reports the gradient pass and the top-k sweep. */
    @Override
    public HeadImportance withProgress(java.util.function.Consumer<String> progress) {
        return new HeadImportance(progress);
    }

    @Override
    public String name() {
        return "hisp";
    }

    @Override
    public MethodResult discover(DiscoveryProblem problem) {
        long start = System.nanoTime();
        List<Component> components = ComponentCircuits.components(problem.model().config());
        Metric f = gradientMetric(problem);
        double[] raw;
        progress.accept("hisp gradient pass over " + components.size() + " components");
        try (ComponentPatching patching = ComponentPatching.of(problem, components)) {
            raw = importances(problem.model(), patching, problem.clean(), f);
        }
        double[] scores = normalizePerLayer(components, raw);
        progress.accept("hisp top-k sweep, k = 1…" + components.size());
        List<SweepPoint> points = sweep(problem.graph(), components, scores);
        Map<String, Double> nodeScores = new LinkedHashMap<>();
        for (int i = 0; i < components.size(); i++) nodeScores.put(components.get(i).name(), scores[i]);
        return new MethodResult(name(), points, null, nodeScores, (System.nanoTime() - start) / 1e9);
    }

    /** The metric HISP differentiates: the problem's, or the task's first non-KL metric when the problem's is KL. */
    public static Metric gradientMetric(DiscoveryProblem problem) {
        if (!isKl(problem.metricName())) return problem.metric();
        for (String name : problem.task().metricNames()) {
            if (!isKl(name)) return problem.metric(name);
        }
        return problem.metric();   // only KL on offer: its gradient is ~0, the ranking degenerates to component order
    }

    private static boolean isKl(String metricName) {
        return metricName != null && metricName.toLowerCase(java.util.Locale.ROOT).startsWith("kl");
    }

    /** Raw scores I_C (before normalisation), one per component of {@code patching}. */
    static double[] importances(HookedTransformer model, ComponentPatching patching, ModelInput clean, Metric metric) {
        List<ComponentPatching.Group> groups = patching.groups();
        double[] out = new double[patching.components().size()];
        try (NDManager scope = NDManager.newBaseManager(model.device());
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Map<String, NDArray> values = new LinkedHashMap<>();
            Map<String, NDArray> leaves = new LinkedHashMap<>();
            List<Hook> hooks = new ArrayList<>(patching.postNormHooks());   // post-norms: the clean rms, held fixed
            for (ComponentPatching.Group g : groups) {
                hooks.add(new Hook(g.hookName(), x -> {
                    NDArray leaf = scope.zeros(x.getShape(), x.getDataType());
                    leaf.setRequiresGradient(true);
                    values.put(g.hookName(), x);
                    leaves.put(g.hookName(), leaf);
                    return x.add(leaf);
                }));
            }
            NDArray f = metric.apply(model.runWithHooks(scope, clean, hooks));
            collector.backward(f);
            for (ComponentPatching.Group g : groups) {
                NDArray x = values.get(g.hookName()).stopGradient();
                NDArray grad = leaves.get(g.hookName()).getGradient();
                NDArray a = patching.ablated(g.hookName());
                NDArray delta = a == null ? x : x.sub(a);
                NDArray prod = delta.mul(grad);                                   // [B, P, H, d] or [B, P, D]
                NDArray perExample = g.perHead() ? prod.sum(new int[] {1, 3}) // [B, H]
                        : prod.sum(new int[] {1, 2}).reshape(-1, 1);             // [B, 1]
                double[] s = perExample.abs().sum(new int[] {0}).toType(DataType.FLOAT64, false).toDoubleArray();
                for (int j = 0; j < g.count(); j++) out[g.start() + j] = s[j];
            }
        }
        return out;
    }

    /** Each score divided by the L2 norm of its layer's scores (clamped below at {@link #MIN_NORM}). */
    public static double[] normalizePerLayer(List<Component> components, double[] scores) {
        if (scores.length != components.size()) {
            throw new IllegalArgumentException("expected one score per component (" + components.size() + "), found " + scores.length);
        }
        Map<Integer, Double> sq = new LinkedHashMap<>();
        for (int i = 0; i < scores.length; i++) sq.merge(components.get(i).layer(), scores[i] * scores[i], Double::sum);
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = scores[i] / Math.max(MIN_NORM, Math.sqrt(sq.get(components.get(i).layer())));
        }
        return out;
    }

    /**
     * Component indices, most important first: the reverse of a stable sort by ascending score, as
     * {@code launch_sixteen_heads.py} sorts and then removes from the front. So ties go by descending index (the
     * later component is kept first), and NaN scores, sorted lowest, come last.
     */
    public static int[] ranking(double[] scores) {
        Integer[] ascending = new Integer[scores.length];
        for (int i = 0; i < ascending.length; i++) ascending[i] = i;
        Arrays.sort(ascending, (a, b) -> {   // stable: equal scores keep component order
            double sa = Double.isNaN(scores[a]) ? Double.NEGATIVE_INFINITY : scores[a];
            double sb = Double.isNaN(scores[b]) ? Double.NEGATIVE_INFINITY : scores[b];
            return sa < sb ? -1 : sa > sb ? 1 : 0;   // Python's <: −0.0 and 0.0 tie
        });
        int[] out = new int[scores.length];
        for (int i = 0; i < out.length; i++) out[i] = ascending[out.length - 1 - i];
        return out;
    }

    /** The top-k circuits for k = 0 … N. */
    public static List<SweepPoint> sweep(CircuitGraph graph, List<Component> components, double[] scores) {
        int[] order = ranking(scores);
        List<SweepPoint> points = new ArrayList<>(order.length + 1);
        Set<Component> kept = new HashSet<>();
        points.add(new SweepPoint("k", 0, ComponentCircuits.circuit(graph, kept)));
        for (int k = 1; k <= order.length; k++) {
            kept.add(components.get(order[k - 1]));
            points.add(new SweepPoint("k", k, ComponentCircuits.circuit(graph, kept)));
        }
        return points;
    }
}
