package dev.acdc.patching.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * A transformer forward pass on DJL NDArrays (float32) with TransformerLens hook points: one block implementation,
 * configured by the config's {@link Architecture}, for every family (GPT-2, tracr, GPT-NeoX, Llama, Qwen2, Gemma,
 * Gemma 2).
 *
 * <p>Dimension letters: B batch, P positions, D d_model, H query heads, G key/value heads, d d_head, M d_mlp,
 * V output vocabulary.
 *
 * <p>Each block is the two residual equations {@code resid_mid = resid_pre + attn(resid_pre)} and
 * {@code resid_post = resid_mid + mlp(resid_mid)} (with a parallel residual, {@code resid_post = resid_pre +
 * attn(resid_pre) + mlp(resid_pre)}), with the pre-norm inside attn and mlp, and the post-norm after them when the
 * architecture has one. When a pass caches activations or hooks a per-head input ({@code hook_q_input} …) or
 * {@code attn.hook_result}, attention runs on per-head inputs [B, P, H|G, D] (TransformerLens's split q/k/v
 * input); otherwise on the fused [B, P, D] stream, which is faster and gives the same numbers. Every choice the
 * architecture does not make costs nothing: a GPT-2 pass runs exactly the operations it ran before the families.
 *
 * <p>Memory: the weights live in this object's own manager; every array a pass creates is attached to
 * the {@link NDManager} the caller passes in, and dies when the caller closes it. The primitives
 * ({@link #project}, {@link #attend}, {@link #headResults}, {@link #mlp}, {@link #unembed}) keep that rule
 * by taking the activation as the left operand of every operation.
 */
public final class HookedTransformer implements AutoCloseable {

    /** Which of a head's three inputs. */
    public enum Channel { Q, K, V }

    /** One input of one head: the {@code hook_q_input}-style input that {@code channel} of {@code head} projects. */
    public record HeadInput(Channel channel, int head) {}

    private final TransformerConfig config;
    private final Architecture arch;
    private final TransformerWeights weights;
    private final Device device;
    private final NDManager manager;
    private final NDArray wE;      // [V_in, D]
    private final NDArray wPos;    // [n_ctx, D]; null with rotary positions
    private final NDArray lnFinalW, lnFinalB;
    private final NDArray wUT;     // [V, D]: W_U transposed, the weight layout of torch's linear (W_E itself when tied)
    private final NDArray bU;      // [V], or null
    private final NDArray zeroBO;  // [D] zeros: b_O of a family without one, for the patching engine
    private final RotaryEmbedding rotary;  // null with learned positions
    private final LayerParams[] layers;
    private final Set<String> hookNames;

    /** Loads the weights onto the engine's default device (a GPU when a CUDA native library is present). */
    public HookedTransformer(TransformerWeights weights) {
        this(weights, Engine.getInstance().defaultDevice());
    }

    public HookedTransformer(TransformerWeights weights, Device device) {
        this.weights = weights;
        this.config = weights.config();
        this.arch = config.architecture();
        this.device = device;
        this.manager = NDManager.newBaseManager(device);
        LayerParams.Loader load = new LayerParams.Loader(weights, manager);
        wE = load.plain(W_E);
        wPos = load.optional(W_POS);
        wUT = arch.tiedUnembedding() ? wE : load.transposed(W_U);
        bU = load.optional(B_U);
        lnFinalW = load.optional(LN_FINAL_W);
        lnFinalB = load.optional(LN_FINAL_B);
        rotary = arch.positions() instanceof PositionalEncoding.Rotary r ? new RotaryEmbedding(r, config.nCtx(), manager) : null;
        layers = new LayerParams[config.nLayers()];
        for (int l = 0; l < config.nLayers(); l++) layers[l] = new LayerParams(weights, l, manager);
        zeroBO = manager.zeros(new Shape(config.dModel()));
        hookNames = HookNames.of(config);
        // From here on, an operation that would attach its result to the weights' manager (a leak
        // that grows with every pass) throws instead.
        manager.cap();
    }

    /**
     * x·Wᵀ + b for x [..., in] and W [out, in]: flattened to [N, in], torch's linear is one addmm with the bias fused
     * (on a [B, P, in] input it would be a matmul followed by a separate in-place bias add over the output). The
     * bias is [out], [N, out] for a 2-D x, or null for none.
     */
    public static NDArray linear(NDArray x, NDArray weightT, NDArray bias) {
        Shape s = x.getShape();
        long in = s.get(s.dimension() - 1), out = weightT.getShape().get(0);
        NDArray flat = x.reshape(s.size() / in, in);
        NDArray y = flat.getNDArrayInternal().linear(flat, weightT, bias).singletonOrThrow();
        long[] dims = s.getShape().clone();  // getShape() hands out the Shape's own array
        dims[dims.length - 1] = out;
        return y.reshape(new Shape(dims));
    }

    /** Every hook name a pass of this model emits, in forward order ({@link HookNames#of}). */
    public static Set<String> allHookNames(TransformerConfig c) {
        return HookNames.of(c);
    }

    public TransformerConfig config() {
        return config;
    }

    public TransformerWeights weights() {
        return weights;
    }

    public Device device() {
        return device;
    }

    // ------------------------------------------------------------------ passes

    /** Logits [B, P, V] for a batch of equal-length token rows. */
    public NDArray forward(NDManager scope, int[][] tokens) {
        return run(scope, ModelInput.of(tokens), List.of(), false).logits();
    }

    /** Logits [B, P, V]. */
    public NDArray forward(NDManager scope, ModelInput input) {
        return run(scope, input, List.of(), false).logits();
    }

    /** Logits [B, P, V] of a pass where the hooks read or replace activations. */
    public NDArray runWithHooks(NDManager scope, ModelInput input, List<Hook> hooks) {
        return run(scope, input, hooks, false).logits();
    }

    /** Every activation of a pass (split q/k/v inputs and per-head results included). */
    public ActivationCache runWithCache(NDManager scope, ModelInput input) {
        return run(scope, input, List.of(), true);
    }

    /** Every activation of a hooked pass; cached values are the ones after the hooks ran. */
    public ActivationCache runWithCache(NDManager scope, ModelInput input, List<Hook> hooks) {
        return run(scope, input, hooks, true);
    }

    private ActivationCache run(NDManager scope, ModelInput input, List<Hook> hooks, boolean cache) {
        checkHookNames(hooks);
        HookPass pass = new HookPass(scope, hooks, cache);
        TransformerConfig c = config;
        int B = input.batch(), P = input.length();
        if (P > c.nCtx()) {
            throw new IllegalArgumentException("sequence length " + P + " exceeds the model's context " + c.nCtx());
        }
        NDArray attnBias = attentionBias(scope, input);
        NDArray resid = pass.hook(HookNames.EMBED, tokenEmbed(scope, input));             // [B, P, D]
        if (wPos != null) resid = resid.add(pass.hook(HookNames.POS_EMBED, posEmbed(scope, B, P)));
        for (int l = 0; l < c.nLayers(); l++) {
            resid = pass.hook(HookNames.residPre(l), resid);
            NDArray attnOut = attentionBlock(pass, l, resid, attnBias);
            if (c.attentionOnly()) {
                NDArray residMid = pass.hook(HookNames.residMid(l), resid.add(attnOut));
                resid = pass.hook(HookNames.residPost(l), residMid);
            } else if (arch.parallelResidual()) {
                NDArray mlpOut = pass.hook(HookNames.mlpOut(l), mlp(pass, l, pass.hook(HookNames.mlpIn(l), resid)));
                resid = pass.hook(HookNames.residPost(l), resid.add(attnOut).add(mlpOut));
            } else {
                NDArray residMid = pass.hook(HookNames.residMid(l), resid.add(attnOut));
                NDArray mlpIn = pass.hook(HookNames.mlpIn(l), residMid);
                NDArray mlpOut = pass.hook(HookNames.mlpOut(l), mlp(pass, l, mlpIn));
                resid = pass.hook(HookNames.residPost(l), residMid.add(mlpOut));
            }
        }
        NDArray normalized = c.normalized() ? pass.hook(HookNames.LN_FINAL, Ops.norm(c, resid, lnFinalW, lnFinalB)) : resid;
        NDArray logits = pass.hook(HookNames.LOGITS, softCapLogits(linear(normalized, wUT, bU)));
        return new ActivationCache(pass.cache == null ? Map.of() : pass.cache, logits);
    }

    private NDArray attentionBlock(HookPass pass, int l, NDArray resid, NDArray attnBias) {
        LayerParams L = layers[l];
        int H = config.nHeads(), G = config.nKeyValueHeads(), d = config.dHead();
        Shape s = resid.getShape();
        long B = s.get(0), P = s.get(1), D = s.get(2);
        NDArray q, k, v;
        boolean split = pass.cache != null || pass.hooks(HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l));
        if (split) {
            NDArray perHead = resid.expandDims(2).broadcast(B, P, H, D);               // [B, P, H, D]
            NDArray perKvHead = G == H ? perHead : resid.expandDims(2).broadcast(B, P, G, D);   // [B, P, G, D]
            q = project(l, Channel.Q, pass.hook(HookNames.qInput(l), perHead));
            k = project(l, Channel.K, pass.hook(HookNames.kInput(l), perKvHead));
            v = project(l, Channel.V, pass.hook(HookNames.vInput(l), perKvHead));
        } else {
            NDArray x = config.normalized() ? pass.hook(HookNames.ln1Normalized(l), Ops.norm(config, resid, L.ln1W, L.ln1B)) : resid;
            NDArray qkv = linear(x, L.wQkvT, L.bQkv);                                    // [B, P, (H + 2G)·d]
            NDList parts = G == H ? qkv.split(3, 2) : qkv.split(new long[] {(long) H * d, (long) (H + G) * d}, 2);
            q = parts.get(0).reshape(B, P, H, d);
            k = parts.get(1).reshape(B, P, G, d);
            v = parts.get(2).reshape(B, P, G, d);
        }
        q = pass.hook(HookNames.q(l), q);
        k = pass.hook(HookNames.k(l), k);
        v = pass.hook(HookNames.v(l), v);
        NDArray z = pass.hook(HookNames.z(l), attend(pass, l, q, k, v, attnBias));     // [B, P, H, d]
        NDArray attnOut;
        if (pass.cache != null || pass.hooks(HookNames.result(l))) {
            NDArray result = pass.hook(HookNames.result(l), headResults(l, z));         // [B, P, H, D]
            attnOut = result.sum(new int[] {2});
            if (L.bO != null) attnOut = attnOut.add(L.bO);
        } else {
            attnOut = linear(z.reshape(B, P, (long) H * d), L.wOT, L.bO);
        }
        if (arch.postNorms()) attnOut = postNorm(pass, HookNames.ln1PostScale(l), attnOut, L.ln1PostW, L.ln1PostB);
        return pass.hook(HookNames.attnOut(l), attnOut);
    }

    private NDArray mlp(HookPass pass, int l, NDArray mlpIn) {
        NDArray out = mlpBeforePostNorm(pass, l, mlpIn);                                 // [B, P, D]
        LayerParams L = layers[l];
        return arch.postNorms() ? postNorm(pass, HookNames.ln2PostScale(l), out, L.ln2PostW, L.ln2PostB) : out;
    }

    /**
     * A post-norm (Gemma 2's ln1_post, ln2_post): an RMSNorm computed as {@link Ops#rmsNorm} does, with its rms
     * ({@code sqrt(mean(x²) + eps)}, [.., 1]) a hook point, so that a pass can read it or fix it (edge patching fixes it
     * to the clean run's, see {@code dev.acdc.patching.patch.PostNormScales}); a LayerNorm post-norm has no such hook.
     */
    private NDArray postNorm(HookPass pass, String scaleHook, NDArray x, NDArray w, NDArray b) {
        if (config.normalization() != TransformerConfig.Normalization.RMSNORM) return Ops.norm(config, x, w, b);
        int last = x.getShape().dimension() - 1;
        NDArray meanSquare = x.mul(x).mean(new int[] {last}, true);                       // [..., 1]
        NDArray rms = pass.hook(scaleHook, meanSquare.add((float) config.layerNormEps()).sqrt());
        return x.div(rms).mul(w);
    }

    private NDArray mlpBeforePostNorm(HookPass pass, int l, NDArray mlpIn) {
        LayerParams L = layers[l];
        NDArray x = config.normalized() ? pass.hook(HookNames.ln2Normalized(l), Ops.norm(config, mlpIn, L.ln2W, L.ln2B)) : mlpIn;
        NDArray post;
        if (arch.gatedMlp()) {
            NDArray both = linear(x, L.wInT, L.bIn);                                     // [..., 2M]
            NDList gateAndIn = both.split(2, both.getShape().dimension() - 1);           // 2 × [..., M]
            NDArray pre = pass.hook(HookNames.mlpPre(l), gateAndIn.get(0));
            NDArray preLinear = pass.hook(HookNames.mlpPreLinear(l), gateAndIn.get(1));
            post = pass.hook(HookNames.mlpPost(l), Ops.activation(config.activation(), pre).mul(preLinear));
        } else {
            NDArray pre = pass.hook(HookNames.mlpPre(l), linear(x, L.wInT, L.bIn));     // [B, P, M]
            post = pass.hook(HookNames.mlpPost(l), Ops.activation(config.activation(), pre));
        }
        return linear(post, L.wOutT, L.bOut);                                           // [B, P, D]
    }

    /**
     * z [B, P, H, d] from q [B, P, H, d] and k, v [B, P, G, d]: rotary on q and k, scaled scores, the soft-cap, the
     * mask (and the sliding window of a windowed layer), softmax, the weighted values. Query head h reads key/value
     * head h / (H/G): a group's H/G query heads are contiguous, so [B, H, P, d] viewed as [B, G, (H/G)·P, d] meets
     * each group's keys in one batched matmul without repeating them.
     */
    private NDArray attend(HookPass pass, int l, NDArray q, NDArray k, NDArray v, NDArray attnBias) {
        if (rotary != null) {
            q = pass.hook(HookNames.rotQ(l), rotary.apply(q));
            k = pass.hook(HookNames.rotK(l), rotary.apply(k));
        }
        Shape s = q.getShape();
        long B = s.get(0), P = s.get(1), H = s.get(2), d = s.get(3), G = k.getShape().get(2);
        NDArray scores;
        if (G == H) {
            scores = q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1));          // [B, H, P, P]
        } else {
            scores = q.transpose(0, 2, 1, 3).reshape(B, G, (H / G) * P, d)              // [B, G, (H/G)·P, d]
                    .matMul(k.transpose(0, 2, 3, 1))                                      // [B, G, (H/G)·P, P]
                    .reshape(B, H, P, P);
        }
        scores = scores.mul(OwnedScalar.of(scores, config.attentionScale()));   // autograd saves the factor (OwnedScalar)
        if (arch.attentionSoftCap() > 0) scores = Ops.softCap(scores, (float) arch.attentionSoftCap());
        if (attnBias != null) scores = scores.add(attnBias);
        if (arch.slidingWindow().appliesTo(l) && P > arch.slidingWindow().size()) scores = scores.add(windowBias(pass, scores, P));
        scores = pass.hook(HookNames.attnScores(l), scores);
        NDArray pattern = pass.hook(HookNames.pattern(l), scores.softmax(-1));
        if (G == H) return pattern.matMul(v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3);  // [B, P, H, d]
        return pattern.reshape(B, G, (H / G) * P, P).matMul(v.transpose(0, 2, 1, 3))     // [B, G, (H/G)·P, d]
                .reshape(B, H, P, d).transpose(0, 2, 1, 3);                               // [B, P, H, d]
    }

    /** [1, 1, P, P]: −∞ where key j is at or beyond the window behind query i (j ≤ i − size), else 0. */
    private NDArray windowBias(HookPass pass, NDArray like, long P) {
        if (pass != HookPass.NONE && pass.windowBias != null) return pass.windowBias;
        int w = arch.slidingWindow().size(), n = Math.toIntExact(P);
        float[] bias = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i - w; j++) bias[i * n + j] = Float.NEGATIVE_INFINITY;
        }
        NDArray a = like.getManager().create(bias, new Shape(1, 1, n, n)).toDevice(device, false);
        if (pass != HookPass.NONE) pass.windowBias = a;
        return a;
    }

    private NDArray softCapLogits(NDArray logits) {
        return arch.logitSoftCap() > 0 ? Ops.softCap(logits, (float) arch.logitSoftCap()) : logits;
    }

    // ------------------------------------------------------------------ primitives (for the patching engine)

    /** Token embeddings [B, P, D], times the architecture's embedding scale ({@code hook_embed}). */
    public NDArray tokenEmbed(NDManager scope, ModelInput input) {
        int[] flat = input.flatTokens();
        for (int i = 0; i < flat.length; i++) {
            if (flat[i] < 0 || flat[i] >= config.dVocab()) {
                throw new IllegalArgumentException("token id " + flat[i] + " at row " + (i / input.length())
                        + ", position " + (i % input.length()) + " is outside the vocabulary [0, " + config.dVocab() + ")");
            }
        }
        // ids stays in the caller's scope, open through any backward pass that needs the index
        NDArray ids = scope.create(flat).toDevice(device, false);
        NDArray e = wE.get(scope, new NDIndex("{}", ids)).reshape(input.batch(), input.length(), config.dModel());
        // Gemma: transformers multiplies by sqrt(hidden_size) as a float32 tensor, which is this float
        return arch.embeddingScale() == 1.0 ? e : e.mul(OwnedScalar.of(e, (float) arch.embeddingScale()));
    }

    /** Position embeddings of positions 0..P-1 for every row [B, P, D] ({@code hook_pos_embed}); learned positions only. */
    public NDArray posEmbed(NDManager scope, int batch, int positions) {
        if (wPos == null) throw new IllegalStateException("model '" + config.name() + "' has rotary positions, no position table");
        return wPos.get(scope, new NDIndex("0:" + positions)).expandDims(0).broadcast(batch, positions, config.dModel());
    }

    /**
     * The additive attention mask [B or 1, 1, P, P] (query, key): −∞ where a query may not read a key
     * (later positions in a causal model, padding keys), else 0; null when nothing is masked.
     */
    public NDArray attentionBias(NDManager scope, ModelInput input) {
        int B = input.batch(), P = input.length();
        boolean[][] attendable = input.attendableOrNull();
        if (!config.causal() && attendable == null) return null;
        int rows = attendable == null ? 1 : B;
        float[] bias = new float[rows * P * P];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < P; i++) {
                for (int j = 0; j < P; j++) {
                    boolean masked = (config.causal() && j > i) || (attendable != null && !attendable[b][j]);
                    bias[(b * P + i) * P + j] = masked ? Float.NEGATIVE_INFINITY : 0f;
                }
            }
        }
        return scope.create(bias, new Shape(rows, 1, P, P)).toDevice(device, false);
    }

    /**
     * A head input projected per head: ln1 (if any), then W·x + b.
     *
     * @param perHeadInput [B, P, n, D] (the {@code hook_q_input}-style split input; n = H for Q, G for K and V)
     * @return [B, P, n, d]
     */
    public NDArray project(int layer, Channel channel, NDArray perHeadInput) {
        Shape s = perHeadInput.getShape();
        long B = s.get(0), P = s.get(1), n = s.get(2);
        int D = config.dModel(), d = config.dHead();
        NDArray perHead = perHeadInput.transpose(2, 0, 1, 3).reshape(n, B * P, D);         // [n, B·P, D]
        return projectHeads(layer, channel, perHead).reshape(n, B, P, d).transpose(1, 2, 0, 3);   // [B, P, n, d]
    }

    /**
     * {@link #project} on head-major inputs: [n, N, D] (head h's input for N token positions) to [n, N, d],
     * without the two layout copies of the [B, P, n, D] form.
     */
    public NDArray projectHeads(int layer, Channel channel, NDArray headMajorInput) {
        LayerParams L = layers[layer];
        NDArray x = Ops.norm(config, headMajorInput, L.ln1W, L.ln1B);
        NDArray y = x.matMul(L.w[channel.ordinal()]);
        return L.b[channel.ordinal()] == null ? y : y.add(L.b[channel.ordinal()]);
    }

    /**
     * {@link #projectHeads} for some heads of one channel: x [h', N, D], row j the input of head heads[j] → [h', N, d].
     * The norm (if any), then each head's W·x + b. Heads index the channel's own heads (key/value heads for k and v).
     */
    public NDArray projectHeads(int layer, Channel channel, int[] heads, NDArray headMajorInput) {
        int channelHeads = channel == Channel.Q ? config.nHeads() : config.nKeyValueHeads();
        if (heads.length == channelHeads && isRange(heads, 0)) return projectHeads(layer, channel, headMajorInput);
        LayerParams L = layers[layer];
        NDManager scope = headMajorInput.getManager();
        NDArray x = Ops.norm(config, headMajorInput, L.ln1W, L.ln1B);
        NDArray idx = indexArray(scope, heads);
        NDArray y = x.matMul(L.w[channel.ordinal()].get(scope, new NDIndex("{}", idx)));              // [h', N, d]
        NDArray b = L.b[channel.ordinal()];
        return b == null ? y : y.add(b.get(scope, new NDIndex("{}", idx)));                          // b: [h', 1, d]
    }

    /**
     * One input shared by several head inputs, projected for all of them at once: the norm (if any) once, then one
     * linear whose weight stacks the asked (channel, head) projections. x [N, D] → [N, k, d], k = inputs.size(), in
     * the order of inputs. With every head of every channel in order it is the fused q/k/v projection of a forward.
     */
    public NDArray projectShared(int layer, NDArray x, List<HeadInput> inputs) {
        LayerParams L = layers[layer];
        int H = config.nHeads(), G = config.nKeyValueHeads(), d = config.dHead();
        NDManager scope = x.getManager();
        long n = x.getShape().size() / config.dModel();
        NDArray normalized = Ops.norm(config, x, L.ln1W, L.ln1B);
        // the fused weight's blocks of d rows: every q head, then every k head, then every v head
        int[] blocks = new int[inputs.size()];
        for (int i = 0; i < blocks.length; i++) {
            HeadInput in = inputs.get(i);
            blocks[i] = switch (in.channel()) {
                case Q -> in.head();
                case K -> H + in.head();
                case V -> H + G + in.head();
            };
        }
        NDArray w, b;
        if (isRange(blocks, blocks[0])) {
            // consecutive blocks of rows of the fused weight: a view
            String rows = (long) blocks[0] * d + ":" + (long) (blocks[0] + blocks.length) * d;
            w = L.wQkvT.get(scope, new NDIndex(rows));
            b = L.bQkv == null ? null : L.bQkv.get(scope, new NDIndex(rows));
        } else {
            long[] rows = new long[blocks.length * d];
            for (int i = 0; i < blocks.length; i++) for (int j = 0; j < d; j++) rows[i * d + j] = (long) blocks[i] * d + j;
            NDArray idx = scope.create(rows).toDevice(device, false);
            w = L.wQkvT.get(scope, new NDIndex("{}", idx));                                  // [k·d, D]
            b = L.bQkv == null ? null : L.bQkv.get(scope, new NDIndex("{}", idx));           // [k·d]
        }
        return linear(normalized.reshape(n, config.dModel()), w, b).reshape(n, blocks.length, d);
    }

    /** Head h's output without b_O: z [N, d] → z·W_O[h] [N, D] (one column block of {@code attn.hook_result}). */
    public NDArray headResult(int layer, int head, NDArray z) {
        return z.matMul(layers[layer].wOHead[head]);
    }

    private static boolean isRange(int[] a, int first) {
        for (int i = 0; i < a.length; i++) if (a[i] != first + i) return false;
        return true;
    }

    private NDArray indexArray(NDManager scope, int[] values) {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) v[i] = values[i];
        return scope.create(v).toDevice(device, false);
    }

    /**
     * Attention of the layer's heads, or of any H' of them when q, k and v hold the same H' heads: z [B, P, H', d] from
     * q [B, P, H', d] and k, v [B, P, G', d] as {@code hook_q/k/v} hold them (before rotary, which this applies, as it
     * applies the layer's sliding window).
     */
    public NDArray attend(int layer, NDArray q, NDArray k, NDArray v, NDArray attnBias) {
        return attend(HookPass.NONE, layer, q, k, v, attnBias);
    }

    /** Each head's output z_h·W_O[h], without b_O: [B, P, H, D] ({@code attn.hook_result}). */
    public NDArray headResults(int layer, NDArray z) {
        Shape s = z.getShape();
        long B = s.get(0), P = s.get(1);
        int H = config.nHeads(), D = config.dModel();
        return headResultsByHead(layer, z).reshape(H, B, P, D).transpose(1, 2, 0, 3);      // [B, P, H, D]
    }

    /** {@link #headResults} head-major: [H, B·P, D] from z [B, P, H, d]. */
    public NDArray headResultsByHead(int layer, NDArray z) {
        Shape s = z.getShape();
        long B = s.get(0), P = s.get(1);
        int H = config.nHeads(), d = config.dHead();
        return z.transpose(2, 0, 1, 3).reshape(H, B * P, d).matMul(layers[layer].wO);
    }

    /** The attention output bias b_O [D] of a layer (zeros for a family without one); add it as the right operand. */
    public NDArray attentionOutputBias(int layer) {
        return layers[layer].bO == null ? zeroBO : layers[layer].bO;
    }

    /** The MLP output [B, P, D] for an MLP input [B, P, D] (before ln2; after ln2_post when the architecture has it). */
    public NDArray mlp(int layer, NDArray mlpIn) {
        if (config.attentionOnly()) throw new IllegalStateException("model '" + config.name() + "' has no MLPs");
        return mlp(HookPass.NONE, layer, mlpIn);
    }

    /**
     * The MLP output [.., D] for an MLP input [.., D] before any post-norm (ln2_post): what {@link #mlp(int, NDArray)}
     * returns on a model without post-norms.
     */
    public NDArray mlpBeforePostNorm(int layer, NDArray mlpIn) {
        if (config.attentionOnly()) throw new IllegalStateException("model '" + config.name() + "' has no MLPs");
        return mlpBeforePostNorm(HookPass.NONE, layer, mlpIn);
    }

    /**
     * A post-norm with its scale given instead of computed: {@code x / rms · w}, w the gain of ln1_post (attention) or
     * ln2_post (the MLP), rms broadcast against x ([.., 1]). With the rms its own forward computed (the
     * {@code ln1_post.hook_scale} value) it is that forward's post-norm; it is linear in x, so the post-norm of a sum
     * is the sum of each term's, which is how edge patching gives each head its share of the attention output.
     * RMSNorm post-norms only.
     */
    public NDArray postNormWithScale(int layer, boolean attention, NDArray x, NDArray rms) {
        if (!HookNames.hasPostNormScales(config)) {
            throw new IllegalStateException("model '" + config.name() + "' has no RMSNorm post-norms");
        }
        LayerParams L = layers[layer];
        return x.div(rms).mul(attention ? L.ln1PostW : L.ln2PostW);
    }

    /** Logits [B, P, V] from the final residual stream [B, P, D] (ln_final when present, then the logit soft-cap). */
    public NDArray unembed(NDArray residFinal) {
        return softCapLogits(linear(Ops.norm(config, residFinal, lnFinalW, lnFinalB), wUT, bU));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Throws naming every hook that no pass of this model emits. */
    public void checkHookNames(List<Hook> hooks) {
        List<String> unknown = hooks.stream().map(Hook::name).filter(n -> !hookNames.contains(n)).distinct().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown hook name(s) " + unknown + " for model '" + config.name()
                    + "'; valid names look like " + HookNames.qInput(0) + ", " + HookNames.result(0));
        }
    }
}
