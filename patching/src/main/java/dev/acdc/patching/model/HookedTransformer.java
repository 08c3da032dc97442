package dev.acdc.patching.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * A transformer forward pass on DJL NDArrays (float32) with TransformerLens hook points.
 *
 * <p>Dimension letters: B batch, P positions, D d_model, H heads, d d_head, M d_mlp, V output vocabulary.
 *
 * <p>Each block is the two residual equations {@code resid_mid = resid_pre + attn(resid_pre)} and
 * {@code resid_post = resid_mid + mlp(resid_mid)}, with pre-LayerNorm inside attn and mlp when the config
 * has LayerNorm. When a pass caches activations or hooks a per-head input ({@code hook_q_input} …) or
 * {@code attn.hook_result}, attention runs on per-head inputs [B, P, H, D] (TransformerLens's split q/k/v
 * input); otherwise on the fused [B, P, D] stream, which is faster and gives the same numbers.
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
    private final TransformerWeights weights;
    private final Device device;
    private final NDManager manager;
    private final NDArray wE;      // [V_in, D]
    private final NDArray wPos;    // [n_ctx, D]
    private final NDArray lnFinalW, lnFinalB;
    private final NDArray wUT;     // [V, D]: W_U transposed, the weight layout of torch's linear
    private final NDArray bU;      // [V]
    private final Layer[] layers;
    private final Set<String> hookNames;

    private static final class Layer {
        NDArray ln1W, ln1B, ln2W, ln2B;
        NDArray[] w = new NDArray[3];  // W_Q, W_K, W_V: [H, D, d]
        NDArray[] b = new NDArray[3];  // b_Q, b_K, b_V: [H, 1, d] (broadcast over B·P)
        NDArray wQkvT;                 // [3·H·d, D]: the fused projection of the unsplit path, linear's layout
        NDArray bQkvFlat;              // [3·H·d]
        NDArray wO;                    // [H, d, D]
        NDArray[] wOHead;              // per head a view of W_O[h]: [d, D]
        NDArray wOT;                   // [D, H·d]
        NDArray bO;                    // [D]
        NDArray wInT, bIn, wOutT, bOut; // [M, D], [M], [D, M], [D]
    }

    /** Loads the weights onto the engine's default device (a GPU when a CUDA native library is present). */
    public HookedTransformer(TransformerWeights weights) {
        this(weights, Engine.getInstance().defaultDevice());
    }

    public HookedTransformer(TransformerWeights weights, Device device) {
        this.weights = weights;
        this.config = weights.config();
        this.device = device;
        this.manager = NDManager.newBaseManager(device);
        TransformerConfig c = config;
        int D = c.dModel(), H = c.nHeads(), d = c.dHead();
        wE = load(W_E);
        wPos = load(W_POS);
        wUT = loadTransposed(W_U);
        bU = load(B_U);
        lnFinalW = c.layerNorm() ? load(LN_FINAL_W) : null;
        lnFinalB = c.layerNorm() ? load(LN_FINAL_B) : null;
        layers = new Layer[c.nLayers()];
        for (int l = 0; l < c.nLayers(); l++) {
            Layer L = new Layer();
            if (c.layerNorm()) {
                L.ln1W = load(ln1W(l));
                L.ln1B = load(ln1B(l));
            }
            String[] wNames = {wQ(l), wK(l), wV(l)};
            String[] bNames = {bQ(l), bK(l), bV(l)};
            NDArray[] flatB = new NDArray[3];
            for (int i = 0; i < 3; i++) {
                L.w[i] = load(wNames[i]);
                L.b[i] = load(bNames[i]).reshape(H, 1, d);
                flatB[i] = L.b[i].reshape(H * d);
            }
            L.wQkvT = loadFusedQkvTransposed(wNames);
            L.bQkvFlat = NDArrays.concat(new NDList(flatB), 0);
            L.wO = load(wO(l));
            L.wOHead = new NDArray[H];
            for (int h = 0; h < H; h++) L.wOHead[h] = L.wO.get(h);
            L.wOT = loadTransposed(wO(l));
            L.bO = load(bO(l));
            if (!c.attentionOnly()) {
                if (c.layerNorm()) {
                    L.ln2W = load(ln2W(l));
                    L.ln2B = load(ln2B(l));
                }
                L.wInT = loadTransposed(wIn(l));
                L.bIn = load(bIn(l));
                L.wOutT = loadTransposed(wOut(l));
                L.bOut = load(bOut(l));
            }
            layers[l] = L;
        }
        hookNames = allHookNames(c);
        // From here on, an operation that would attach its result to the weights' manager (a leak
        // that grows with every pass) throws instead.
        manager.cap();
    }

    private NDArray load(String name) {
        Tensor t = weights.get(name);
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.dim(i);
        return manager.create(t.data(), new Shape(shape));
    }

    /**
     * A weight W [in…, out] as the [out, in] matrix torch's {@code linear} takes (it computes x·Wᵀ + b in one
     * addmm, bias fused). Leading input axes are flattened: W_O [H, d, D] becomes [D, H·d].
     */
    private NDArray loadTransposed(String name) {
        Tensor t = weights.get(name);
        int out = t.dim(t.rank() - 1);
        int in = t.data().length / out;
        float[] src = t.data(), dst = new float[src.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) dst[o * in + i] = src[i * out + o];
        }
        return manager.create(dst, new Shape(out, in));
    }

    /** W_Q, W_K, W_V [H, D, d] as one [3·H·d, D] matrix: row (c·H + h)·d + j is channel c, head h, column j. */
    private NDArray loadFusedQkvTransposed(String[] names) {
        int H = config.nHeads(), D = config.dModel(), d = config.dHead();
        float[] dst = new float[3 * H * d * D];
        for (int c = 0; c < 3; c++) {
            Tensor w = weights.get(names[c]);
            float[] src = w.data();
            for (int h = 0; h < H; h++) {
                for (int i = 0; i < D; i++) {
                    for (int j = 0; j < d; j++) {
                        dst[((c * H + h) * d + j) * D + i] = src[(h * D + i) * d + j];
                    }
                }
            }
        }
        return manager.create(dst, new Shape(3L * H * d, D));
    }

    /**
     * x·Wᵀ + b for x [..., in] and W [out, in]: flattened to [N, in], torch's linear is one addmm with the bias fused
     * (on a [B, P, in] input it would be a matmul followed by a separate in-place bias add over the output). The
     * bias is [out], or [N, out] for a 2-D x.
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

    /** Every hook name a pass of this model emits, in forward order. */
    public static Set<String> allHookNames(TransformerConfig c) {
        Set<String> s = new LinkedHashSet<>();
        s.add(HookNames.EMBED);
        s.add(HookNames.POS_EMBED);
        for (int l = 0; l < c.nLayers(); l++) {
            s.add(HookNames.residPre(l));
            s.add(HookNames.qInput(l));
            s.add(HookNames.kInput(l));
            s.add(HookNames.vInput(l));
            s.add(HookNames.q(l));
            s.add(HookNames.k(l));
            s.add(HookNames.v(l));
            s.add(HookNames.attnScores(l));
            s.add(HookNames.pattern(l));
            s.add(HookNames.z(l));
            s.add(HookNames.result(l));
            s.add(HookNames.attnOut(l));
            s.add(HookNames.residMid(l));
            if (!c.attentionOnly()) {
                s.add(HookNames.mlpIn(l));
                s.add(HookNames.mlpPre(l));
                s.add(HookNames.mlpPost(l));
                s.add(HookNames.mlpOut(l));
            }
            s.add(HookNames.residPost(l));
        }
        if (c.layerNorm()) s.add(HookNames.LN_FINAL);
        s.add(HookNames.LOGITS);
        return s;
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
        Pass pass = new Pass(scope, hooks, cache);
        TransformerConfig c = config;
        int B = input.batch(), P = input.length();
        if (P > c.nCtx()) {
            throw new IllegalArgumentException("sequence length " + P + " exceeds the model's context " + c.nCtx());
        }
        NDArray attnBias = attentionBias(scope, input);
        NDArray embed = pass.hook(HookNames.EMBED, tokenEmbed(scope, input));        // [B, P, D]
        NDArray pos = pass.hook(HookNames.POS_EMBED, posEmbed(scope, B, P));          // [B, P, D]
        NDArray resid = embed.add(pos);
        for (int l = 0; l < c.nLayers(); l++) {
            resid = pass.hook(HookNames.residPre(l), resid);
            NDArray attnOut = attentionBlock(pass, l, resid, attnBias);
            NDArray residMid = pass.hook(HookNames.residMid(l), resid.add(attnOut));
            if (c.attentionOnly()) {
                resid = pass.hook(HookNames.residPost(l), residMid);
            } else {
                NDArray mlpIn = pass.hook(HookNames.mlpIn(l), residMid);
                NDArray mlpOut = pass.hook(HookNames.mlpOut(l), mlp(pass, l, mlpIn));
                resid = pass.hook(HookNames.residPost(l), residMid.add(mlpOut));
            }
        }
        NDArray normalized = c.layerNorm()
                ? pass.hook(HookNames.LN_FINAL, layerNorm(resid, lnFinalW, lnFinalB))
                : resid;
        NDArray logits = pass.hook(HookNames.LOGITS, linear(normalized, wUT, bU));
        return new ActivationCache(pass.cache == null ? Map.of() : pass.cache, logits);
    }

    private NDArray attentionBlock(Pass pass, int l, NDArray resid, NDArray attnBias) {
        Layer L = layers[l];
        int H = config.nHeads(), d = config.dHead();
        Shape s = resid.getShape();
        long B = s.get(0), P = s.get(1), D = s.get(2);
        NDArray q, k, v;
        boolean split = pass.cache != null || pass.hooks(HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l));
        if (split) {
            NDArray perHead = resid.expandDims(2).broadcast(B, P, H, D);               // [B, P, H, D]
            q = project(l, Channel.Q, pass.hook(HookNames.qInput(l), perHead));
            k = project(l, Channel.K, pass.hook(HookNames.kInput(l), perHead));
            v = project(l, Channel.V, pass.hook(HookNames.vInput(l), perHead));
        } else {
            NDArray x = config.layerNorm() ? layerNorm(resid, L.ln1W, L.ln1B) : resid;
            NDList qkv = linear(x, L.wQkvT, L.bQkvFlat).split(3, 2);                     // 3 × [B, P, H·d]
            q = qkv.get(0).reshape(B, P, H, d);
            k = qkv.get(1).reshape(B, P, H, d);
            v = qkv.get(2).reshape(B, P, H, d);
        }
        q = pass.hook(HookNames.q(l), q);
        k = pass.hook(HookNames.k(l), k);
        v = pass.hook(HookNames.v(l), v);
        NDArray z = pass.hook(HookNames.z(l), attend(pass, l, q, k, v, attnBias));     // [B, P, H, d]
        NDArray attnOut;
        if (pass.cache != null || pass.hooks(HookNames.result(l))) {
            NDArray result = pass.hook(HookNames.result(l), headResults(l, z));         // [B, P, H, D]
            attnOut = result.sum(new int[] {2}).add(L.bO);
        } else {
            attnOut = linear(z.reshape(B, P, (long) H * d), L.wOT, L.bO);
        }
        return pass.hook(HookNames.attnOut(l), attnOut);
    }

    private NDArray mlp(Pass pass, int l, NDArray mlpIn) {
        Layer L = layers[l];
        NDArray x = config.layerNorm() ? layerNorm(mlpIn, L.ln2W, L.ln2B) : mlpIn;
        NDArray pre = pass.hook(HookNames.mlpPre(l), linear(x, L.wInT, L.bIn));       // [B, P, M]
        NDArray post = pass.hook(HookNames.mlpPost(l), activation(pre));
        return linear(post, L.wOutT, L.bOut);                                            // [B, P, D]
    }

    private NDArray attend(Pass pass, int l, NDArray q, NDArray k, NDArray v, NDArray attnBias) {
        NDArray scores = q.transpose(0, 2, 1, 3).matMul(k.transpose(0, 2, 3, 1))         // [B, H, P, P]
                .mul((float) config.attentionScale());
        if (attnBias != null) scores = scores.add(attnBias);
        scores = pass.hook(HookNames.attnScores(l), scores);
        NDArray pattern = pass.hook(HookNames.pattern(l), scores.softmax(-1));
        return pattern.matMul(v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3);          // [B, P, H, d]
    }

    // ------------------------------------------------------------------ primitives (for the patching engine)

    /** Token embeddings [B, P, D] ({@code hook_embed}). */
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
        return wE.get(scope, new NDIndex("{}", ids)).reshape(input.batch(), input.length(), config.dModel());
    }

    /** Position embeddings of positions 0..P-1 for every row [B, P, D] ({@code hook_pos_embed}). */
    public NDArray posEmbed(NDManager scope, int batch, int positions) {
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
     * A head input projected per head: LayerNorm (if any), then W·x + b.
     *
     * @param perHeadInput [B, P, H, D] (the {@code hook_q_input}-style split input)
     * @return [B, P, H, d]
     */
    public NDArray project(int layer, Channel channel, NDArray perHeadInput) {
        Shape s = perHeadInput.getShape();
        long B = s.get(0), P = s.get(1);
        int H = config.nHeads(), D = config.dModel(), d = config.dHead();
        NDArray perHead = perHeadInput.transpose(2, 0, 1, 3).reshape(H, B * P, D);         // [H, B·P, D]
        return projectHeads(layer, channel, perHead).reshape(H, B, P, d).transpose(1, 2, 0, 3);   // [B, P, H, d]
    }

    /**
     * {@link #project} on head-major inputs: [H, N, D] (head h's input for N token positions) to [H, N, d],
     * without the two layout copies of the [B, P, H, D] form.
     */
    public NDArray projectHeads(int layer, Channel channel, NDArray headMajorInput) {
        Layer L = layers[layer];
        NDArray x = config.layerNorm() ? layerNorm(headMajorInput, L.ln1W, L.ln1B) : headMajorInput;
        return x.matMul(L.w[channel.ordinal()]).add(L.b[channel.ordinal()]);
    }

    /**
     * {@link #projectHeads} for some heads of one channel: x [h', N, D], row j the input of head heads[j] → [h', N, d].
     * LayerNorm (if any), then each head's W·x + b.
     */
    public NDArray projectHeads(int layer, Channel channel, int[] heads, NDArray headMajorInput) {
        if (heads.length == config.nHeads() && isRange(heads, 0)) return projectHeads(layer, channel, headMajorInput);
        Layer L = layers[layer];
        NDManager scope = headMajorInput.getManager();
        NDArray x = config.layerNorm() ? layerNorm(headMajorInput, L.ln1W, L.ln1B) : headMajorInput;
        NDArray idx = indexArray(scope, heads);
        NDArray w = L.w[channel.ordinal()].get(scope, new NDIndex("{}", idx));            // [h', D, d]
        NDArray b = L.b[channel.ordinal()].get(scope, new NDIndex("{}", idx));            // [h', 1, d]
        return x.matMul(w).add(b);
    }

    /**
     * One input shared by several head inputs, projected for all of them at once: LayerNorm (if any) once, then one
     * linear whose weight stacks the asked (channel, head) projections. x [N, D] → [N, k, d], k = inputs.size(), in
     * the order of inputs. With every head of every channel in order it is the fused q/k/v projection of a forward.
     */
    public NDArray projectShared(int layer, NDArray x, List<HeadInput> inputs) {
        Layer L = layers[layer];
        int H = config.nHeads(), d = config.dHead();
        NDManager scope = x.getManager();
        long n = x.getShape().size() / config.dModel();
        NDArray normalized = config.layerNorm() ? layerNorm(x, L.ln1W, L.ln1B) : x;
        int[] blocks = new int[inputs.size()];
        for (int i = 0; i < blocks.length; i++) blocks[i] = inputs.get(i).channel().ordinal() * H + inputs.get(i).head();
        NDArray w, b;
        if (isRange(blocks, blocks[0])) {
            // consecutive blocks of rows of the fused weight: a view
            String rows = (long) blocks[0] * d + ":" + (long) (blocks[0] + blocks.length) * d;
            w = L.wQkvT.get(scope, new NDIndex(rows));
            b = L.bQkvFlat.get(scope, new NDIndex(rows));
        } else {
            long[] rows = new long[blocks.length * d];
            for (int i = 0; i < blocks.length; i++) for (int j = 0; j < d; j++) rows[i * d + j] = (long) blocks[i] * d + j;
            NDArray idx = scope.create(rows).toDevice(device, false);
            w = L.wQkvT.get(scope, new NDIndex("{}", idx));                                  // [k·d, D]
            b = L.bQkvFlat.get(scope, new NDIndex("{}", idx));                               // [k·d]
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

    /** Attention of any H' heads of the layer: z [B, P, H', d] from their q, k, v [B, P, H', d]. */
    public NDArray attend(int layer, NDArray q, NDArray k, NDArray v, NDArray attnBias) {
        return attend(Pass.NONE, layer, q, k, v, attnBias);
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

    /** The attention output bias b_O [D] of a layer; add it as the right operand. */
    public NDArray attentionOutputBias(int layer) {
        return layers[layer].bO;
    }

    /** The MLP output [B, P, D] for an MLP input [B, P, D] (before ln2). */
    public NDArray mlp(int layer, NDArray mlpIn) {
        if (config.attentionOnly()) throw new IllegalStateException("model '" + config.name() + "' has no MLPs");
        return mlp(Pass.NONE, layer, mlpIn);
    }

    /** Logits [B, P, V] from the final residual stream [B, P, D] (applies ln_final when present). */
    public NDArray unembed(NDArray residFinal) {
        NDArray x = config.layerNorm() ? layerNorm(residFinal, lnFinalW, lnFinalB) : residFinal;
        return linear(x, wUT, bU);
    }

    private NDArray layerNorm(NDArray x, NDArray w, NDArray b) {
        // biased variance, eps inside the square root, as torch.nn.LayerNorm
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.dModel()), w, b, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    private NDArray activation(NDArray x) {
        return switch (config.activation()) {
            case RELU -> x.maximum(0f);
            case GELU_NEW -> geluNew(x);
        };
    }

    /**
     * 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), Hugging Face's NewGELUActivation, with x³ as x·x·x: torch's
     * pow(x, 3) takes 4× as long on [1500, 3072] and differs from it by at most an ulp of x³. Outside a gradient
     * collector the chain runs in place on two fresh buffers, the same operations in the same order: one
     * allocation and its page faults per call made the out-of-place chain cost 4× as much.
     */
    private static NDArray geluNew(NDArray x) {
        float c = (float) Math.sqrt(2.0 / Math.PI);
        // grad mode, not x.hasGradient(): DJL reports requires_grad false for non-leaf results that autograd tracks
        if (JniUtils.isGradMode()) {
            return x.mul(x).mul(x).mul(0.044715f).add(x).mul(c).tanh().add(1f).mul(x).mul(0.5f);
        }
        NDArray inner = x.mul(x);
        inner.muli(x).muli(0.044715f).addi(x).muli(c);
        NDArray y = inner.tanh();
        inner.close();
        return y.addi(1f).muli(x).muli(0.5f);
    }

    @Override
    public void close() {
        manager.close();
    }

    // ------------------------------------------------------------------ one pass's hooks and cache

    private static final class Pass {
        static final Pass NONE = new Pass(null, List.of(), false);
        final NDManager scope;
        final Map<String, List<Hook.HookFunction>> hooks = new HashMap<>();
        final Map<String, NDArray> cache;

        Pass(NDManager scope, List<Hook> hookList, boolean cache) {
            this.scope = scope;
            for (Hook h : hookList) hooks.computeIfAbsent(h.name(), n -> new ArrayList<>()).add(h.function());
            this.cache = cache ? new LinkedHashMap<>() : null;
        }

        boolean hooks(String... names) {
            for (String n : names) if (hooks.containsKey(n)) return true;
            return false;
        }

        NDArray hook(String name, NDArray x) {
            List<Hook.HookFunction> fs = hooks.get(name);
            if (fs != null) {
                for (Hook.HookFunction f : fs) {
                    NDArray y = f.apply(x);
                    if (y == null) throw new IllegalStateException("hook on '" + name + "' returned null");
                    if (!y.getShape().equals(x.getShape())) {
                        throw new IllegalStateException("hook on '" + name + "' returned shape " + y.getShape()
                                + ", expected " + x.getShape());
                    }
                    if (y != x && y.getManager() != scope) {
                        // keep every array of this pass in the caller's scope, whoever made the replacement
                        NDArray copy = y.duplicate();
                        copy.attach(scope);
                        y = copy;
                    }
                    if (y.getDataType() != DataType.FLOAT32) y = y.toType(DataType.FLOAT32, false);
                    x = y;
                }
            }
            if (cache != null) cache.put(name, x);
            return x;
        }
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
