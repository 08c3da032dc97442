package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
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
 *   score(u→v) = Σ_i w_i · (abl_u − clean_u) · ∂metric/∂in_v |_{x(α_i)}
 * </pre>
 * where {@code in_v} is v's input (a head's split q/k/v input [B, P, D] per head, an MLP's input, the final
 * residual stream; for a direct edge {@code aL.H.q → aL.H.hook_q} the head's computed q [B, P, d]),
 * {@code clean_u}/{@code abl_u} are u's clean and ablated outputs (the patcher's), "·" sums over batch,
 * positions and features, and x(α) is the run whose input embeddings are {@code abl + α·(clean − abl)}
 * (α = 1: the clean run; α = 0: the ablated run, under resample ablation exactly the corrupted run). The points
 * α_i and weights w_i are a {@link GradientAt.Points}: EAP takes one or two endpoints, EAP-IG a Riemann sum.
 * At α = 1 the score is the first-order predicted change of the metric when the edge is removed (its mask
 * goes from 1 to 0), i.e. exactly {@code −∂metric/∂m(u,v)} at the all-ones mask of {@link EdgePatcher}, whose
 * receiver input is {@code Σ_s m(s,v)·(cur_s − abl_s) + Σ abl + biases}. Metrics are "lower is better", so a
 * positive score means removing the edge is predicted to make the model worse. The sign convention is
 * hannamw/EAP-IG's (its activation difference is corrupted − clean).
 *
 * <p>How: per gradient run, one zero leaf that requires gradient is added with hooks to every receiver input
 * that is a hook point ({@code attn.hook_q|k|v} [B, P, H, d] for the direct edges, {@code hook_mlp_in}, the
 * last {@code hook_resid_post}); one backward of the metric leaves in each leaf the total derivative of the
 * metric w.r.t. that input (nothing is detached, so every downstream path counts). The gradient w.r.t. each
 * head's split q/k/v input follows exactly from the {@code hook_q|k|v} gradient by the chain rule through W_Q|K|V
 * and ln1 (see {@code Contraction}), so the forward runs the fused attention path and no [B, P, H, D] gradient
 * is kept beyond the layer being contracted. A family's block (RMSNorm, Gemma's 1 + w gain, grouped key/value heads,
 * which have k and v receivers per group) takes leaves on the split inputs {@code hook_q|k|v_input} instead: exact
 * whatever the norm, at the price of the split [B, P, H, D] forward. Then, receiver group by receiver group (the heads of a layer,
 * an MLP, the output), one matmul contracts the sender deltas [S, B·P·D] with that group's gradients
 * [R, B·P·D], and the group's gradients are freed. Senders are laid out in forward order, so a receiver
 * group's senders are a prefix of the rows. Runs (the points) are contracted one by one and their weighted
 * scores summed, since the LayerNorm Jacobian differs from run to run.
 *
 * <p>Post-norm models (Gemma 2): each forward holds every post-norm's rms at the clean run's value
 * ({@link EdgePatcher#postNormHooks}), so the gradients are those of the linearised model whose edges the patcher
 * evaluates, and the deltas are the senders' shares with that clean scale (see
 * {@link dev.acdc.patching.patch.PostNormScales}). hannamw/EAP-IG instead multiplies raw {@code attn.hook_result}
 * differences (before ln1_post) and {@code hook_mlp_out} differences (after ln2_post, each run with its own rms) with
 * the gradients of the unmodified model.
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
     * The metric gradient methods differentiate: the problem's metric, unless it is {@code kl} and every
     * gradient is taken at the clean run ({@link GradientAt.Points#cleanOnly()}, e.g. EAP at
     * {@link GradientAt#CLEAN}). KL(clean‖clean) is a minimum, so its gradient there is zero and every score
     * would be 0; then the task's first metric that is not {@code kl} is used ({@code kl} when the task has no
     * other). Any point with α &lt; 1 gives KL a gradient, and the metric is kept, as hannamw/EAP-IG differentiates
     * whatever metric it is given. Note that {@code l2} (the tracr tasks' default) also has a zero gradient at the
     * clean run; it has no fallback, and EAP at the clean run scores every edge 0 on it.
     */
    public static String gradientMetricName(DiscoveryProblem problem, GradientAt.Points points) {
        String name = problem.metricName();
        if (name == null || !name.equals("kl") || !points.cleanOnly()) return name;
        return problem.task().metricNames().stream().filter(n -> !n.equals("kl")).findFirst().orElse(name);
    }

    static Metric gradientMetric(DiscoveryProblem problem, GradientAt.Points points) {
        String name = gradientMetricName(problem, points);
        return name == null || name.equals(problem.metricName()) ? problem.metric() : problem.metric(name);
    }

    /**
     * Scores every edge with the weighted gradients of the runs whose embeddings are
     * {@code abl_embed + α·(clean_embed − abl_embed)} at the given points (α = 1: the clean run).
     * For models with separate token and position embedding nodes both {@code hook_embed} and
     * {@code hook_pos_embed} are interpolated towards their own ablated values; otherwise the one embedding
     * node is their sum, and the interpolation is applied to the sum ({@code hook_embed} becomes
     * {@code α·tok + (1−α)·abl}, {@code hook_pos_embed} becomes {@code α·pos}). When clean and ablated runs
     * share their positions (resample ablation of untouched positions) this is hannamw/EAP-IG's interpolation of
     * {@code hook_embed} alone.
     */
    public static Scores attribute(DiscoveryProblem problem, Metric metric, GradientAt.Points points) {
        return attribute(problem, metric, points, DEFAULT_CHUNK_BYTES);
    }

    /** {@link #attribute(DiscoveryProblem, Metric, GradientAt.Points)} with equal weights on the given points. */
    static Scores attribute(DiscoveryProblem problem, Metric metric, double[] alphas) {
        return attribute(problem, metric, GradientAt.Points.uniform(alphas));
    }

    /** Bytes of one LayerNorm-backward temporary: well below glibc's largest mmap threshold (32 MiB). */
    static final long DEFAULT_CHUNK_BYTES = 16L << 20;

    /** {@link #attribute(DiscoveryProblem, Metric, GradientAt.Points)} with the size of the LayerNorm-backward steps (for tests). */
    static Scores attribute(DiscoveryProblem problem, Metric metric, GradientAt.Points points, long chunkBytes) {
        return attribute(problem, metric, points, chunkBytes, (done, total) -> {});
    }

    /** Gradient passes finished so far, of the total (one per point). */
    @FunctionalInterface
    interface PassProgress {
        void passed(int done, int total);
    }

    /** The same, reporting each finished gradient pass. */
    static Scores attribute(DiscoveryProblem problem, Metric metric, GradientAt.Points points, long chunkBytes, PassProgress passes) {
        double[] alphas = points.alphas();
        double[] weights = points.weights();
        HookedTransformer model = problem.model();
        EdgePatcher patcher = problem.patcher();
        TransformerConfig c = model.config();
        double[] scores = new double[problem.graph().edgeCount()];
        try (NDManager work = NDManager.newBaseManager(model.device())) {
            Contraction k = new Contraction(problem, work, chunkBytes);
            NDArray ablEmbeds = null;
            for (int i = 0; i < alphas.length; i++) {
                double alpha = alphas[i];
                List<Hook> interpolation = List.of();
                if (alpha != 1.0) {
                    if (ablEmbeds == null) ablEmbeds = patcher.ablatedEmbeddings(work);
                    interpolation = interpolation(ablEmbeds, (float) alpha, c.separateEmbeddingNodes(),
                            c.architecture().learnedPositions());
                }
                k.addPass(interpolation, metric, -weights[i], scores);   // (abl − clean) = −(clean − abl)
                passes.passed(i + 1, alphas.length);
            }
        }
        return new Scores(gradientName(problem, metric), scores);
    }

    /**
     * One gradient pass and its contraction with the sender deltas. The gradient w.r.t. a head's split input
     * ({@code hook_q_input} of head h) is not read from a leaf on that input, which would force the split
     * [B, P, H, D] forward and keep 3·L such gradients alive; it is the exact chain rule from the gradient at
     * {@code attn.hook_q} (a leaf there is needed anyway for the direct edges): the head's input only feeds
     * {@code q_h = LN1(x)·W_Q[h] + b_Q[h]}, so
     * <pre>
     *   ∂metric/∂x_h = J_LN(x)ᵀ · (W_Q[h] · ∂metric/∂q_h),   J_LN(x)ᵀ·v = (u − mean(u) − x̂·mean(u ⊙ x̂)) / σ,  u = v ⊙ w_ln1
     * </pre>
     * with x the layer's {@code hook_resid_pre} (the value every split input equals in the clean model), x̂ and σ
     * its normalized value and standard deviation (biased variance + ε, as torch's layer_norm); the identity
     * when the model has no LayerNorm. The test against the patcher's mask gradient (which does run the split
     * inputs) checks this.
     */
    private static final class Contraction {
        private final HookedTransformer model;
        private final EdgePatcher patcher;
        private final CircuitGraph graph;
        private final TransformerConfig c;
        private final int B, P, D, H, d, L;
        private final long bpd;
        private final NDArray deltas;              // [S, B·P·D] clean − abl, rows in forward order
        private final Map<Node, Integer> row = new HashMap<>();
        private final int embeds, perLayer, senderCount;
        private final NDArray[][] wT;              // [layer][channel]: W_Q|K|V transposed [H, d, D]
        private final NDArray[] lnW;               // [layer]: ln1 gain [D], or null without LayerNorm
        private final NDArray headGrads;           // [H + 2G, B·P·D]: one layer's head-input gradients, reused layer after layer
        private final int headChunk;               // heads per LayerNorm-backward step
        private final int G;                       // key/value heads (groups) per layer
        private final boolean grouped;             // G < H: k and v receivers per key/value group
        private final boolean splitLeaves;         // leaves on the split q/k/v inputs instead of the LayerNorm chain rule

        Contraction(DiscoveryProblem problem, NDManager work, long chunkBytes) {
            this.model = problem.model();
            this.patcher = problem.patcher();
            this.graph = problem.graph();
            this.c = model.config();
            ModelInput clean = patcher.input();
            B = clean.batch();
            P = clean.length();
            D = c.dModel();
            H = c.nHeads();
            d = c.dHead();
            L = c.nLayers();
            bpd = (long) B * P * D;
            deltas = patcher.senderDeltas(work);
            List<Node> senders = patcher.senderNodes();
            for (int i = 0; i < senders.size(); i++) row.put(senders.get(i), i);
            senderCount = senders.size();
            embeds = c.separateEmbeddingNodes() ? 2 : 1;
            perLayer = H + (c.attentionOnly() ? 0 : 1);
            G = c.nKeyValueHeads();
            grouped = G != H;
            // the chain rule below is LayerNorm's with one key/value head per head; any other block (RMSNorm, Gemma's
            // 1 + w gain, grouped heads) reads the split inputs' gradients from leaves on hook_q|k|v_input
            splitLeaves = !c.gpt2StyleArchitecture();
            headGrads = work.zeros(new Shape((long) H + 2L * G, bpd), DataType.FLOAT32, model.device());
            headChunk = (int) Math.max(1, Math.min(H, chunkBytes / (bpd * 4)));
            wT = new NDArray[L][3];
            lnW = new NDArray[L];
            TransformerWeights w = model.weights();
            for (int l = 0; l < L && !splitLeaves; l++) {
                String[] names = {WeightNames.wQ(l), WeightNames.wK(l), WeightNames.wV(l)};
                for (int ch = 0; ch < 3; ch++) {
                    Tensor t = w.get(names[ch]);
                    wT[l][ch] = work.create(t.data(), new Shape(H, D, d)).toDevice(model.device(), false).transpose(0, 2, 1);
                }
                if (c.layerNorm()) lnW[l] = work.create(w.get(WeightNames.ln1W(l)).data()).toDevice(model.device(), false);
            }
        }

        /** One forward and backward (with the extra hooks), contracted into scores with the given factor. */
        void addPass(List<Hook> extraHooks, Metric metric, double factor, double[] scores) {
            try (NDManager pass = NDManager.newBaseManager(model.device())) {
                NDArray[][] qkvLeaf = new NDArray[L][3];
                NDArray[][] inputLeaf = new NDArray[L][3];
                NDArray[] mlpLeaf = new NDArray[L];
                NDArray[] residPre = new NDArray[L];
                NDArray outLeaf = leaf(pass, new Shape(B, P, D));
                List<Hook> hooks = new ArrayList<>(extraHooks);
                // post-norms (Gemma 2): every rms held at the clean run's, the linearisation the patcher's shares use, at
                // every point α (the senders' deltas are shares with the clean scale too)
                hooks.addAll(patcher.postNormHooks());
                for (int l = 0; l < L; l++) {
                    int layer = l;
                    if (c.layerNorm()) hooks.add(new Hook(HookNames.residPre(l), x -> { residPre[layer] = x; return x; }));
                    String[] qkvNames = {HookNames.q(l), HookNames.k(l), HookNames.v(l)};
                    String[] inputNames = {HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l)};
                    for (int ch = 0; ch < 3; ch++) {
                        qkvLeaf[l][ch] = leaf(pass, new Shape(B, P, channelHeads(ch), d));
                        hooks.add(adding(qkvNames[ch], qkvLeaf[l][ch]));
                        if (splitLeaves) {
                            inputLeaf[l][ch] = leaf(pass, new Shape(B, P, channelHeads(ch), D));
                            hooks.add(adding(inputNames[ch], inputLeaf[l][ch]));
                        }
                    }
                    if (!c.attentionOnly()) {
                        mlpLeaf[l] = leaf(pass, new Shape(B, P, D));
                        hooks.add(adding(HookNames.mlpIn(l), mlpLeaf[l]));
                    }
                }
                hooks.add(adding(HookNames.residPost(L - 1), outLeaf));
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = model.runWithHooks(pass, patcher.input(), hooks);
                    gc.backward(metric.apply(logits));
                }
                // grad mode is off again: nothing below is recorded
                for (int l = 0; l < L; l++) {
                    try (NDManager g = pass.newSubManager()) {
                        NDArray[] gradQkv = new NDArray[3];
                        for (int ch = 0; ch < 3; ch++) gradQkv[ch] = takeGradient(g, qkvLeaf[l][ch]);            // [B, P, H|G, d]
                        if (splitLeaves) {
                            int at = 0;
                            for (int ch = 0; ch < 3; ch++) {
                                int n = channelHeads(ch);
                                NDArray gin = takeGradient(g, inputLeaf[l][ch]).transpose(2, 0, 1, 3).reshape(n, bpd);
                                headGrads.set(new NDIndex(at + ":" + (at + n)), gin);
                                at += n;
                            }
                        } else {
                            headInputGradients(g, l, gradQkv, residPre[l]);                                    // into headGrads
                        }
                        List<Node> receivers = new ArrayList<>();
                        for (Node.Channel ch : Node.Channel.values()) {
                            for (int h = 0; h < channelHeads(ch.ordinal()); h++) receivers.add(input(l, h, ch));
                        }
                        contract(scores, factor, embeds + l * perLayer, headGrads, receivers);
                        for (int ch = 0; ch < 3; ch++) {
                            // direct edges aL.H.c → aL.H.hook_c: Σ over b, p, feature of (clean − abl)_q · ∂metric/∂q
                            NDArray perHead = gradQkv[ch].mul(patcher.qkvDelta(g, l, HookedTransformer.Channel.values()[ch]))
                                    .sum(new int[] {0, 1, 3}).toType(DataType.FLOAT64, false);              // [H], k and v [G]
                            double[] v = perHead.toDoubleArray();
                            Node.Channel channel = Node.Channel.values()[ch];
                            for (int h = 0; h < channelHeads(ch); h++) {
                                Node computed = grouped && ch > 0 ? Node.kvQkv(l, h, channel) : Node.headQkv(l, h, channel);
                                int id = graph.inEdges(computed).get(0).id();
                                scores[id] += factor * v[h];
                            }
                        }
                    }
                    if (!c.attentionOnly()) {
                        try (NDManager g = pass.newSubManager()) {
                            NDArray grad = takeGradient(g, mlpLeaf[l]).reshape(1, bpd);
                            contract(scores, factor, embeds + l * perLayer + H, grad, List.of(Node.mlpIn(l)));
                        }
                    }
                }
                try (NDManager g = pass.newSubManager()) {
                    contract(scores, factor, senderCount, takeGradient(g, outLeaf).reshape(1, bpd), List.of(Node.output()));
                }
            }
        }

        /** Heads of a channel: H for q, G for k and v. */
        private int channelHeads(int channel) {
            return channel == 0 ? H : G;
        }

        /** The q input of head i, or the k (v) input of key/value head i (per group under grouped-query attention). */
        private Node input(int layer, int i, Node.Channel ch) {
            return grouped && ch != Node.Channel.Q ? Node.kvInput(layer, i, ch) : Node.headInput(layer, i, ch);
        }

        /**
         * ∂metric/∂(split input) of every head and channel of layer l, written into {@link #headGrads} [3H, B·P·D]
         * (rows: channel-major, then head), from ∂metric/∂q|k|v [B, P, H, d] (see the class comment). With
         * v = W·g (per head, [B·P, D]), u = v ⊙ w, the LayerNorm backward is evaluated as
         * {@code v ⊙ (w/σ) − (v·w)/(D·σ) − (x̂/σ)·(v·(w ⊙ x̂))/D}, a few heads at a time, so every temporary stays
         * small (below the allocator's mmap threshold: large short-lived buffers would page-fault on every use).
         */
        private void headInputGradients(NDManager scope, int l, NDArray[] gradQkv, NDArray residPre) {
            NDArray w2 = null, xs = null, a = null, wCol = null, invSigma = null;
            if (residPre != null) {
                NDArray x = residPre.stopGradient().reshape((long) B * P, D);
                NDArray centered = x.sub(x.mean(new int[] {1}, true));
                invSigma = centered.square().mean(new int[] {1}, true).add((float) c.layerNormEps()).sqrt().pow(-1f);  // [B·P, 1]
                NDArray xhat = centered.mul(invSigma);                                                            // [B·P, D]
                w2 = invSigma.mul(lnW[l]);                                                                        // w/σ
                xs = xhat.mul(invSigma);                                                                          // x̂/σ
                a = xhat.mul(lnW[l]).div((float) D);                                                              // (w ⊙ x̂)/D
                wCol = lnW[l].div((float) D).reshape(D, 1);                                                       // w/D
            }
            for (int ch = 0; ch < 3; ch++) {
                NDArray gT = gradQkv[ch].transpose(2, 0, 1, 3).reshape(H, (long) B * P, d);                      // [H, B·P, d]
                for (int h0 = 0; h0 < H; h0 += headChunk) {
                    int h1 = Math.min(H, h0 + headChunk);
                    try (NDManager t = scope.newSubManager()) {
                        NDArray gc = gT.get(t, new NDIndex(h0 + ":" + h1));
                        NDArray v = gc.matMul(wT[l][ch].get(t, new NDIndex(h0 + ":" + h1)));                    // [hc, B·P, D]
                        NDArray gin = v;
                        if (w2 != null) {
                            NDArray c1 = v.matMul(wCol).mul(invSigma);                                            // [hc, B·P, 1]
                            NDArray c2 = v.mul(a).sum(new int[] {2}, true);                                      // [hc, B·P, 1]
                            gin = v.mul(w2).sub(c1).sub(c2.mul(xs));
                        }
                        headGrads.set(new NDIndex((ch * H + h0) + ":" + (ch * H + h1)), gin.reshape(h1 - h0, bpd));
                    }
                }
            }
        }

        /**
         * scores[u→r] += factor · (deltas[row u] · grads[r]) for the receivers (rows of grads, in order) and the
         * first {@code senderRows} senders: one [senderRows, B·P·D] × [B·P·D, R] matmul.
         */
        private void contract(double[] scores, double factor, int senderRows, NDArray grads, List<Node> receivers) {
            int R = receivers.size();
            NDArray prod = deltas.get("0:" + senderRows).matMul(grads.transpose()).toType(DataType.FLOAT64, false);
            double[] p = prod.toDoubleArray();                                          // [senderRows, R]
            prod.close();
            for (int r = 0; r < R; r++) {
                for (Edge e : graph.inEdges(receivers.get(r))) {
                    int s = row.get(e.sender());
                    if (s >= senderRows) throw new IllegalStateException("edge " + e + " from a sender after its receiver group");
                    scores[e.id()] += factor * p[s * R + r];
                }
            }
        }
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
        return interpolation(ablEmbeds, alpha, separate, true);
    }

    /** As above; without learned positions (rotary models) the embedding node is {@code hook_embed} alone. */
    static List<Hook> interpolation(NDArray ablEmbeds, float alpha, boolean separate, boolean learnedPositions) {
        float beta = 1f - alpha;
        if (!learnedPositions) return List.of(new Hook(HookNames.EMBED, x -> x.mul(alpha).add(ablEmbeds.get(0).mul(beta))));
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

    /**
     * The method result: |score| per edge, and circuits that keep the edges whose |score| is at least a threshold,
     * so that tied edges are kept together as {@link dev.acdc.metrics.Roc#rankingCurve}'s tie rule has it. The
     * thresholds are the k-th largest |score| for k on {@link #logGridK} (at most 60 circuits, the largest of them
     * every edge with a score), distinct, in ascending circuit size; each point is
     * {@code SweepPoint("threshold", t, circuit)}. NaN scores are never kept.
     */
    public static MethodResult result(String method, CircuitGraph graph, Scores scores, double seconds) {
        double[] abs = scores.magnitudes();
        double[] descending = java.util.Arrays.stream(abs).filter(v -> !Double.isNaN(v)).sorted().toArray();
        for (int i = 0, j = descending.length - 1; i < j; i++, j--) {
            double t = descending[i];
            descending[i] = descending[j];
            descending[j] = t;
        }
        java.util.TreeSet<Double> thresholds = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (int k : logGridK(descending.length, 60)) thresholds.add(descending[k - 1]);
        List<SweepPoint> points = new ArrayList<>();
        for (double t : thresholds) points.add(new SweepPoint("threshold", t, dev.acdc.patching.graph.Circuit.atLeast(graph, abs, t)));
        return new MethodResult(method, points, abs, null, seconds);
    }
}
