package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linear (gradient) attribution of every edge at once, the engine of {@link Eap} and {@link EapIg}.
 *
 * <p>For an edge u→v the signed score is
 * <pre>
 *   score(u→v) = (1/m) Σ_{k=1..m} (abl_u − clean_u) · ∂metric/∂in_v |_{x_k}
 * </pre>
 * where {@code in_v} is v's input (a head's split q/k/v input [B, P, D] per head, an MLP's input, the final
 * residual stream; for a direct edge {@code aL.H.q → aL.H.hook_q} the head's computed q [B, P, d]),
 * {@code clean_u}/{@code abl_u} are u's clean and ablated outputs (the patcher's), "·" sums over batch,
 * positions and features, and x_k are the runs the gradient is taken at. EAP is m = 1 at the clean run;
 * EAP-IG takes the embeddings on the line from the ablated to the clean embeddings (see {@link #attribute}).
 * The score is the first-order predicted change of the metric when the edge is removed (its mask goes from 1
 * to 0), i.e. exactly {@code −∂metric/∂m(u,v)} at the all-ones mask of {@link EdgePatcher}, whose receiver
 * input is {@code Σ_s m(s,v)·(cur_s − abl_s) + Σ abl + biases}. Metrics are "lower is better", so a positive
 * score means removing the edge is predicted to make the model worse.
 *
 * <p>How: one zero leaf that requires gradient is added to every receiver input with hooks
 * ({@code hook_q_input}/{@code k}/{@code v} [B, P, H, D], {@code attn.hook_q|k|v} [B, P, H, d],
 * {@code hook_mlp_in}, the last {@code hook_resid_post}); one backward of the metric leaves in each leaf the
 * total derivative of the metric w.r.t. that input (nothing is detached, so every downstream path counts).
 * Then, receiver group by receiver group (the heads of a layer, an MLP, the output), one matmul contracts
 * the sender deltas [S, B·P·D] with that group's gradients [R, B·P·D]; each group's gradients are freed
 * once used. Senders are laid out in forward order, so a receiver group's senders are a prefix of the rows.
 */
public final class EdgeAttribution {
    private EdgeAttribution() {}

    /**
     * Signed scores per edge id and the metric they were taken on.
     *
     * @param metricName the metric differentiated (see {@link #gradientMetricName})
     * @param signed     (abl − clean)·gradient per edge id: the predicted metric change when the edge is removed
     */
    public record Scores(String metricName, double[] signed) {
        public Scores {
            signed = signed.clone();
        }

        @Override
        public double[] signed() {
            return signed.clone();
        }

        /** |score| per edge id: the ranking EAP and EAP-IG use. */
        public double[] magnitudes() {
            double[] a = new double[signed.length];
            for (int i = 0; i < a.length; i++) a[i] = Math.abs(signed[i]);
            return a;
        }
    }

    /**
     * The metric gradient methods differentiate: the problem's metric, unless it is {@code kl}, whose gradient
     * vanishes at the clean model (KL(clean‖clean) is a minimum), in which case the task's first metric that is
     * not {@code kl}; {@code kl} when the task has no other. Note that {@code l2} (the tracr tasks' default)
     * also has a zero gradient at the clean run, so EAP scores on it are zero; EAP-IG's gradients at α &lt; 1 are not.
     */
    public static String gradientMetricName(DiscoveryProblem problem) {
        String name = problem.metricName();
        if (name == null || !name.equals("kl")) return name;
        return problem.task().metricNames().stream().filter(n -> !n.equals("kl")).findFirst().orElse(name);
    }

    static Metric gradientMetric(DiscoveryProblem problem) {
        String name = gradientMetricName(problem);
        return name == null || name.equals(problem.metricName()) ? problem.metric() : problem.metric(name);
    }

    /**
     * Scores every edge with gradients averaged over runs whose embeddings are
     * {@code abl_embed + α·(clean_embed − abl_embed)} for each α in {@code alphas} (α = 1: the clean run).
     * For models with separate token and position embedding nodes both {@code hook_embed} and
     * {@code hook_pos_embed} are interpolated towards their own ablated values; otherwise the one embedding
     * node is their sum, and the interpolation is applied to the sum ({@code hook_embed} becomes
     * {@code α·tok + (1−α)·abl}, {@code hook_pos_embed} becomes {@code α·pos}).
     */
    public static Scores attribute(DiscoveryProblem problem, Metric metric, double[] alphas) {
        if (alphas.length == 0) throw new IllegalArgumentException("at least one interpolation point is needed");
        HookedTransformer model = problem.model();
        EdgePatcher patcher = problem.patcher();
        CircuitGraph graph = problem.graph();
        TransformerConfig c = model.config();
        ModelInput clean = patcher.input();
        int B = clean.batch(), P = clean.length(), D = c.dModel(), H = c.nHeads(), d = c.dHead(), L = c.nLayers();
        long bpd = (long) B * P * D;
        double[] scores = new double[graph.edgeCount()];
        try (NDManager work = NDManager.newBaseManager(model.device())) {
            NDArray[][] inLeaf = new NDArray[L][3], qkvLeaf = new NDArray[L][3];
            NDArray[] mlpLeaf = new NDArray[L];
            NDArray outLeaf = leaf(work, new Shape(B, P, D));
            List<Hook> hooks = new ArrayList<>();
            for (int l = 0; l < L; l++) {
                String[] inNames = {HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l)};
                String[] qkvNames = {HookNames.q(l), HookNames.k(l), HookNames.v(l)};
                for (int ch = 0; ch < 3; ch++) {
                    inLeaf[l][ch] = leaf(work, new Shape(B, P, H, D));
                    qkvLeaf[l][ch] = leaf(work, new Shape(B, P, H, d));
                    hooks.add(adding(inNames[ch], inLeaf[l][ch]));
                    hooks.add(adding(qkvNames[ch], qkvLeaf[l][ch]));
                }
                if (!c.attentionOnly()) {
                    mlpLeaf[l] = leaf(work, new Shape(B, P, D));
                    hooks.add(adding(HookNames.mlpIn(l), mlpLeaf[l]));
                }
            }
            hooks.add(adding(HookNames.residPost(L - 1), outLeaf));

            NDArray ablEmbeds = null;
            for (double alpha : alphas) {
                List<Hook> passHooks = new ArrayList<>(hooks);
                if (alpha != 1.0) {
                    if (ablEmbeds == null) ablEmbeds = patcher.ablatedEmbeddings(work);
                    passHooks.addAll(interpolation(ablEmbeds, (float) alpha, c.separateEmbeddingNodes()));
                }
                // PyTorch accumulates into .grad across backward passes (DJL does not zero it), so the leaves
                // end up holding the sum of the gradients over all the points
                try (GradientCollector gc = Engine.getInstance().newGradientCollector();
                     NDManager pass = work.newSubManager()) {
                    NDArray logits = model.runWithHooks(pass, clean, passHooks);
                    gc.backward(metric.apply(logits));
                }
            }
            double scale = -1.0 / alphas.length;   // (abl − clean) = −(clean − abl), averaged over the points

            NDArray deltas = patcher.senderDeltas(work);                     // [S, B·P·D], clean − abl
            Map<Node, Integer> row = new HashMap<>();
            List<Node> senders = patcher.senderNodes();
            for (int i = 0; i < senders.size(); i++) row.put(senders.get(i), i);
            int embeds = c.separateEmbeddingNodes() ? 2 : 1;
            int perLayer = H + (c.attentionOnly() ? 0 : 1);

            for (int l = 0; l < L; l++) {
                // heads of layer l: receivers q (heads 0..H−1), k, v; senders before layer l
                List<Node> receivers = new ArrayList<>();
                NDArray[] grads = new NDArray[3];
                try (NDManager g = work.newSubManager()) {
                    for (int ch = 0; ch < 3; ch++) {
                        for (int h = 0; h < H; h++) receivers.add(Node.headInput(l, h, Node.Channel.values()[ch]));
                        grads[ch] = takeGradient(g, inLeaf[l][ch]).transpose(2, 0, 1, 3).reshape(H, bpd);
                    }
                    NDArray all = grads[0].concat(grads[1], 0).concat(grads[2], 0);                 // [3H, B·P·D]
                    contract(graph, scores, scale, deltas, embeds + l * perLayer, all, receivers, row);
                    for (int ch = 0; ch < 3; ch++) {
                        // direct edges aL.H.c → aL.H.hook_c: Σ over b, p, feature of (clean − abl)_q · ∂metric/∂q
                        Node.Channel channel = Node.Channel.values()[ch];
                        NDArray prod = takeGradient(g, qkvLeaf[l][ch]).mul(patcher.qkvDelta(g, l, HookedTransformer.Channel.values()[ch]))
                                .sum(new int[] {0, 1, 3}).toType(DataType.FLOAT64, false);              // [H]
                        double[] perHead = prod.toDoubleArray();
                        for (int h = 0; h < H; h++) {
                            List<Edge> in = graph.inEdges(Node.headQkv(l, h, channel));
                            scores[in.get(0).id()] = scale * perHead[h];
                        }
                    }
                }
                if (!c.attentionOnly()) {
                    try (NDManager g = work.newSubManager()) {
                        NDArray grad = takeGradient(g, mlpLeaf[l]).reshape(1, bpd);
                        contract(graph, scores, scale, deltas, embeds + l * perLayer + H, grad, List.of(Node.mlpIn(l)), row);
                    }
                }
            }
            try (NDManager g = work.newSubManager()) {
                NDArray grad = takeGradient(g, outLeaf).reshape(1, bpd);
                contract(graph, scores, scale, deltas, senders.size(), grad, List.of(Node.output()), row);
            }
        }
        return new Scores(gradientName(problem, metric), scores);
    }

    private static String gradientName(DiscoveryProblem problem, Metric metric) {
        return metric == problem.metric() ? problem.metricName() : metric.name();
    }

    /** A zero leaf that requires gradient. */
    private static NDArray leaf(NDManager m, Shape s) {
        NDArray a = m.zeros(s);
        a.setRequiresGradient(true);
        return a;
    }

    private static Hook adding(String name, NDArray leaf) {
        return new Hook(name, x -> x.add(leaf));
    }

    /** Hooks moving the embeddings to abl + α·(clean − abl) (see {@link #attribute}). */
    static List<Hook> interpolation(NDArray ablEmbeds, float alpha, boolean separate) {
        float beta = 1f - alpha;
        if (separate) {
            return List.of(
                    new Hook(HookNames.EMBED, x -> x.mul(alpha).add(ablEmbeds.get(0).mul(beta))),
                    new Hook(HookNames.POS_EMBED, x -> x.mul(alpha).add(ablEmbeds.get(1).mul(beta))));
        }
        return List.of(
                new Hook(HookNames.EMBED, x -> x.mul(alpha).add(ablEmbeds.get(0).mul(beta))),
                new Hook(HookNames.POS_EMBED, x -> x.mul(alpha)));
    }

    /** The leaf's gradient, moved into {@code into}; the leaf itself is freed (its gradient goes with it). */
    private static NDArray takeGradient(NDManager into, NDArray leaf) {
        NDArray grad = leaf.getGradient();
        NDArray copy = grad.duplicate();
        copy.attach(into);
        grad.close();
        leaf.close();
        return copy;
    }

    /**
     * scores[u→r] = scale · (deltas[row u] · grads[r]) for the receivers (rows of grads, in order) and the first
     * {@code senderRows} senders: one [senderRows, B·P·D] × [B·P·D, R] matmul.
     */
    private static void contract(CircuitGraph graph, double[] scores, double scale, NDArray deltas, int senderRows,
                                 NDArray grads, List<Node> receivers, Map<Node, Integer> row) {
        int R = receivers.size();
        NDArray prod = deltas.get("0:" + senderRows).matMul(grads.transpose()).toType(DataType.FLOAT64, false);
        double[] p = prod.toDoubleArray();                                          // [senderRows, R]
        prod.close();
        for (int r = 0; r < R; r++) {
            for (Edge e : graph.inEdges(receivers.get(r))) {
                int s = row.get(e.sender());
                if (s >= senderRows) throw new IllegalStateException("edge " + e + " from a sender after its receiver group");
                scores[e.id()] = scale * p[s * R + r];
            }
        }
    }

    /** Top-k sizes on a log grid from 1 to n (at most {@code maxPoints}, distinct, ascending, n included). */
    public static int[] logGridK(int n, int maxPoints) {
        if (n <= 0) return new int[0];
        java.util.TreeSet<Integer> ks = new java.util.TreeSet<>();
        int points = Math.max(2, maxPoints);
        for (int i = 0; i < points; i++) {
            ks.add((int) Math.min(n, Math.max(1, Math.round(Math.pow(n, (double) i / (points - 1))))));
        }
        ks.add(n);
        return ks.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The method result: |score| per edge, circuits by top-k over {@link #logGridK}. */
    static MethodResult result(String method, CircuitGraph graph, Scores scores, double seconds) {
        double[] abs = scores.magnitudes();
        List<SweepPoint> points = new ArrayList<>();
        for (int k : logGridK(graph.edgeCount(), 60)) {
            points.add(new SweepPoint("k", k, dev.acdc.patching.graph.Circuit.topK(graph, abs, k)));
        }
        return new MethodResult(method, points, abs, null, seconds);
    }
}
