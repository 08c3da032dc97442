package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.List;

import static dev.acdc.patching.model.WeightNames.*;

/**
 * {@link EdgePatcher}'s masked forward ({@link EdgePatcher#logits(NDManager, float[][])}) computed in plain
 * Java float arrays, for models so small that DJL's per-operation cost (tens of µs per JNI call) is almost
 * all of a masked forward: compiled tracr models (d_model 14–60, one head, a few layers, B·P of 24–250).
 *
 * <p>Semantics are EdgePatcher's: receiver input {@code Σ_s m(s,r)·(cur(s) − abl(s)) + Σ_s abl(s) + Σ b_O},
 * a direct-computation edge's mask m interpolates the head's q (k, v) as {@code abl + m·(cur − abl)}, and
 * the ablated values are the patcher's own (resample, zero, mean, mean per position). The clean values are
 * computed here by the same code with every mask 1, so the incremental and the full evaluation agree exactly.
 *
 * <p>Besides starting at the first receiver group with a changed in-edge, evaluation tracks, per variant,
 * which senders and receiver inputs differ from the clean run ("dirty") and recomputes only those: testing
 * the in-edges of a1.0.q recomputes the q projection of that head but reuses its clean k and v. Non-incremental
 * evaluation ({@link #logitsNonIncremental}) recomputes everything and is the oracle for that bookkeeping.
 *
 * <p>Layouts are feature-major: rows n = b·P + p (N = B·P rows), a sender value is [D][N] (element i·N + n), a
 * head's q/k/v is [d][N], so every matmul updates whole N-long columns, which the JIT vectorizes even when
 * d_head is 7 and d_mlp 1 (row-major rows that short leave it nothing to vectorize). Logits are returned
 * row-major [K·B·P·V] as EdgePatcher's.
 */
public final class SmallModelPatcher {
    private final TransformerConfig c;
    private final CircuitGraph graph;
    private final int B, P, N, D, H, d, M, V, L, E;
    private final boolean[][] attendable;      // [B][P] or null
    private final int senderCount;             // E embeds, then per layer H heads and (unless attention-only) one MLP
    private final float[][] abl;               // [sender][D][N]
    private final float[][][][] ablQkv;        // [layer][channel][head][d][N]
    private final float[][] clean;             // [sender][D][N]
    private final float[][] cleanDiff;         // [sender][D][N]: clean − ablated
    private final float[][][][] cleanQkv;      // [layer][channel][head][d][N]
    private final float[] cleanLogits;         // [N·V]
    private final List<Group> groups;

    // weights, TransformerLens layout
    private final float[][][] wQkv, bQkv;      // [layer][channel] -> W [H·D·d], b [H·d]
    private final float[][] wO, bO, ln1W, ln1B, ln2W, ln2B, wIn, bIn, wOut, bOut;
    private final float[] lnFW, lnFB, wU, bU;

    /**
     * Receivers computed together, with the same senders (every sender before them in topological order).
     * rows: HEAD_INPUT: 3H rows (channel·H + head); MLP_IN, OUTPUT: one row. edgeIds[row][sender] is the edge id
     * or −1 where no edge exists (the sender then always contributes its ablated value).
     */
    private record Group(NodeKind kind, int layer, int senders, int[][] edgeIds, int[][] directIds, int[] allInEdgeIds,
                         float[] ablSum) {}

    /**
     * @param ablated   the ablated values: {@code abl} [sender][D·N] and {@code ablQkv} [layer][channel][head][d·N],
     *                  feature-major; made by {@link #ablatedArrays} from a patcher's values or computed here in Java
     * @param positions the position each row position's embedding is read from (a corrupted run's scramble); null: its own
     */
    private SmallModelPatcher(TransformerWeights weights, CircuitGraph graph, ModelInput input, Ablated ablated, int[] positions) {
        this.c = weights.config();
        this.graph = graph;
        if (!graph.config().equals(c)) throw new IllegalArgumentException("graph and weights are for different models");
        if (!c.gpt2StyleArchitecture()) {
            throw new UnsupportedOperationException("SmallModelPatcher computes GPT-2-style blocks only; '" + c.name()
                    + "' is a " + c.architecture() + " (use the EdgePatcher)");
        }
        B = input.batch();
        P = input.length();
        N = B * P;
        D = c.dModel();
        H = c.nHeads();
        d = c.dHead();
        M = c.dMlp();
        V = c.dVocabOut();
        L = c.nLayers();
        E = c.separateEmbeddingNodes() ? 2 : 1;
        attendable = input.attendable();
        senderCount = E + L * (H + (c.attentionOnly() ? 0 : 1));

        wQkv = new float[L][3][];
        bQkv = new float[L][3][];
        wO = new float[L][];
        bO = new float[L][];
        ln1W = new float[L][];
        ln1B = new float[L][];
        ln2W = new float[L][];
        ln2B = new float[L][];
        wIn = new float[L][];
        bIn = new float[L][];
        wOut = new float[L][];
        bOut = new float[L][];
        for (int l = 0; l < L; l++) {
            String[] w = {wQ(l), wK(l), wV(l)}, b = {bQ(l), bK(l), bV(l)};
            for (int ch = 0; ch < 3; ch++) {
                wQkv[l][ch] = data(weights, w[ch]);
                bQkv[l][ch] = data(weights, b[ch]);
            }
            wO[l] = data(weights, wO(l));
            bO[l] = data(weights, bO(l));
            if (c.layerNorm()) {
                ln1W[l] = data(weights, ln1W(l));
                ln1B[l] = data(weights, ln1B(l));
            }
            if (!c.attentionOnly()) {
                if (c.layerNorm()) {
                    ln2W[l] = data(weights, ln2W(l));
                    ln2B[l] = data(weights, ln2B(l));
                }
                wIn[l] = data(weights, wIn(l));
                bIn[l] = data(weights, bIn(l));
                wOut[l] = data(weights, wOut(l));
                bOut[l] = data(weights, bOut(l));
            }
        }
        lnFW = c.layerNorm() ? data(weights, LN_FINAL_W) : null;
        lnFB = c.layerNorm() ? data(weights, LN_FINAL_B) : null;
        wU = data(weights, W_U);
        bU = data(weights, B_U);

        abl = ablated.abl();
        ablQkv = ablated.ablQkv();
        groups = buildGroups();

        // The clean run, by the same code with every sender recomputed.
        clean = new float[senderCount][];
        cleanQkv = new float[L][3][H][];
        int[][] tokens = input.tokens();
        float[] wE = data(weights, W_E), wPos = data(weights, W_POS);
        float[][] emb = new float[E][N * D];
        for (int b = 0; b < B; b++) {
            for (int p = 0; p < P; p++) {
                int n = b * P + p, tok = tokens[b][p];
                if (tok < 0 || tok >= c.dVocab()) throw new IllegalArgumentException("token id " + tok + " outside the vocabulary");
                for (int i = 0; i < D; i++) {
                    float t = wE[tok * D + i], ps = wPos[(positions == null ? p : positions[p]) * D + i];
                    if (E == 2) {
                        emb[0][i * N + n] = t;
                        emb[1][i * N + n] = ps;
                    } else {
                        emb[0][i * N + n] = t + ps;
                    }
                }
            }
        }
        System.arraycopy(emb, 0, clean, 0, E);
        float[] ones = new float[graph.edgeCount()];
        Arrays.fill(ones, 1f);
        cleanLogits = run(new float[][] {ones}, 0, true, true);
        cleanDiff = new float[senderCount][];
        for (int i = 0; i < senderCount; i++) {
            cleanDiff[i] = new float[N * D];
            for (int j = 0; j < N * D; j++) cleanDiff[i][j] = clean[i][j] - abl[i][j];
        }
    }

    /**
     * Copies, made once per patcher: ACDC sweeps build one search per threshold over the same patcher, and
     * reading the ablated values out of DJL costs more than a whole search on a tracr model. Weak keys (the
     * patcher's identity): a closed, dropped patcher takes its copy with it. Instances are immutable, so sharing is safe.
     */
    private static final Map<EdgePatcher, SmallModelPatcher> COPIES = Collections.synchronizedMap(new WeakHashMap<>());

    /** A Java copy of the patcher's model, input and ablated values (one per patcher, cached). */
    public static SmallModelPatcher of(EdgePatcher patcher) {
        return COPIES.computeIfAbsent(patcher, p -> new SmallModelPatcher(p.model().weights(), p.graph(), p.input(),
                ablatedArrays(p.model().weights().config(), p.input(), p.ablatedValues()), null));
    }

    /** Ablated values in this class's layouts: senders [sender][D·N], q/k/v [layer][channel][head][d·N]. */
    private record Ablated(float[][] abl, float[][][][] ablQkv) {}

    /** A patcher's ablated values (NDArrays) copied into Java arrays. */
    private static Ablated ablatedArrays(TransformerConfig c, ModelInput input, SenderValues ablated) {
        int N = input.batch() * input.length(), D = c.dModel(), H = c.nHeads(), d = c.dHead(), L = c.nLayers();
        int E = c.separateEmbeddingNodes() ? 2 : 1;
        float[][] abl = new float[senderCount(c)][];
        float[] embeds = read(ablated.embeds());                       // [E, B, P, D]
        for (int e = 0; e < E; e++) abl[e] = featureMajor(embeds, e * N * D, N, D);
        float[][][][] ablQkv = new float[L][3][H][];
        for (int l = 0; l < L; l++) {
            float[] heads = read(ablated.heads()[l]);                  // [H, B, P, D]
            for (int h = 0; h < H; h++) abl[headSender(c, l, h)] = featureMajor(heads, h * N * D, N, D);
            if (!c.attentionOnly()) abl[mlpSender(c, l)] = featureMajor(read(ablated.mlps()[l]), 0, N, D);   // [B, P, D]
            for (int ch = 0; ch < 3; ch++) {
                float[] q = read(ablated.qkv()[l][ch]);                // [B, P, H, d]
                for (int h = 0; h < H; h++) {
                    float[] out = new float[N * d];
                    for (int n = 0; n < N; n++) for (int e = 0; e < d; e++) out[e * N + n] = q[(n * H + h) * d + e];
                    ablQkv[l][ch][h] = out;
                }
            }
        }
        return new Ablated(abl, ablQkv);
    }

    /**
     * A patcher computed without any engine: the model, its clean run and the ablated values all in plain Java, so
     * that a tracr run never loads libtorch. The ablated values are those {@link EdgePatcher} computes: resample, the
     * corrupted run, its position embeddings read at {@code corruptedPositions} (the tracr tasks' scramble; null: in
     * order); zero, zero senders and the q/k/v the attention output biases give; mean (per position), the mean of the
     * clean values over the batch (and positions).
     *
     * @param corrupted          the corrupted inputs (resample only; same shape as input)
     * @param corruptedPositions the corrupted run's position permutation, or null
     */
    public static SmallModelPatcher inJava(TransformerWeights weights, CircuitGraph graph, ModelInput input, Ablation ablation,
                                           ModelInput corrupted, int[] corruptedPositions) {
        TransformerConfig c = weights.config();
        return switch (ablation) {
            case RESAMPLE -> {
                if (corrupted == null) throw new IllegalArgumentException("resample ablation needs corrupted inputs");
                if (corrupted.batch() != input.batch() || corrupted.length() != input.length()) {
                    throw new IllegalArgumentException("corrupted inputs are [" + corrupted.batch() + ", " + corrupted.length()
                            + "], clean inputs [" + input.batch() + ", " + input.length() + "]; they must have the same shape");
                }
                SmallModelPatcher run = new SmallModelPatcher(weights, graph, corrupted, zeros(c, corrupted), corruptedPositions);
                yield new SmallModelPatcher(weights, graph, input, new Ablated(run.clean, run.cleanQkv), null);
            }
            case ZERO -> new SmallModelPatcher(weights, graph, input, zeroAblated(c, input, weights), null);
            case MEAN, MEAN_PER_POSITION -> {
                SmallModelPatcher run = new SmallModelPatcher(weights, graph, input, zeros(c, input), null);
                yield new SmallModelPatcher(weights, graph, input,
                        run.meanOfClean(ablation == Ablation.MEAN_PER_POSITION), null);
            }
        };
    }

    /** Every ablated value zero: a plain forward (each receiver's input is then Σ clean + Σ b_O). */
    private static Ablated zeros(TransformerConfig c, ModelInput input) {
        int N = input.batch() * input.length();
        float[][] abl = new float[senderCount(c)][];
        for (int s = 0; s < abl.length; s++) abl[s] = new float[N * c.dModel()];
        float[][][][] qkv = new float[c.nLayers()][3][c.nHeads()][];
        for (float[][][] l : qkv) for (float[][] ch : l) for (int h = 0; h < ch.length; h++) ch[h] = new float[N * c.dHead()];
        return new Ablated(abl, qkv);
    }

    /**
     * ACDC's zero-ablated run: every sender zero, so a layer's heads read the attention output biases of the layers
     * before it (through LayerNorm), and their q/k/v are what W and b make of that.
     */
    private static Ablated zeroAblated(TransformerConfig c, ModelInput input, TransformerWeights w) {
        Ablated z = zeros(c, input);
        int N = input.batch() * input.length(), D = c.dModel(), H = c.nHeads(), d = c.dHead();
        float[] resid = new float[N * D];
        for (int l = 0; l < c.nLayers(); l++) {
            float[] x = resid.clone();
            if (c.layerNorm()) layerNorm(x, N, D, c.layerNormEps(), data(w, ln1W(l)), data(w, ln1B(l)));
            String[] wn = {wQ(l), wK(l), wV(l)}, bn = {bQ(l), bK(l), bV(l)};
            for (int ch = 0; ch < 3; ch++) {
                float[] wm = data(w, wn[ch]), bm = data(w, bn[ch]);
                for (int h = 0; h < H; h++) z.ablQkv()[l][ch][h] = matmul(x, N, D, wm, h * D * d, d, bm, h * d);
            }
            float[] bo = data(w, bO(l));
            for (int i = 0; i < D; i++) for (int n = 0; n < N; n++) resid[i * N + n] += bo[i];
        }
        return z;
    }

    /** The mean over the batch (and, unless perPosition, over positions too) of this patcher's clean values. */
    private Ablated meanOfClean(boolean perPosition) {
        float[][] a = new float[senderCount][];
        for (int s = 0; s < senderCount; s++) a[s] = mean(clean[s], D, perPosition);
        float[][][][] q = new float[L][3][H][];
        for (int l = 0; l < L; l++) for (int ch = 0; ch < 3; ch++) for (int h = 0; h < H; h++) q[l][ch][h] = mean(cleanQkv[l][ch][h], d, perPosition);
        return new Ablated(a, q);
    }

    /** Feature-major [features][N] to its mean over the batch (and positions), broadcast back to [features][N]. */
    private float[] mean(float[] x, int features, boolean perPosition) {
        float[] out = new float[features * N];
        for (int i = 0; i < features; i++) {
            int o = i * N;
            float[] byPosition = new float[P];
            for (int p = 0; p < P; p++) {
                double sum = 0;
                for (int b = 0; b < B; b++) sum += x[o + b * P + p];
                byPosition[p] = (float) (sum / B);
            }
            if (!perPosition) {
                double sum = 0;
                for (int p = 0; p < P; p++) sum += byPosition[p];
                Arrays.fill(byPosition, (float) (sum / P));
            }
            for (int b = 0; b < B; b++) System.arraycopy(byPosition, 0, out, o + b * P, P);
        }
        return out;
    }

    /**
     * The array's values, read through a contiguous copy in a scope of our own: the patcher's arrays live in a
     * capped manager, and reading a non-contiguous one would attach a contiguous copy to it.
     */
    private static float[] read(NDArray a) {
        try (NDManager scope = NDManager.newBaseManager(a.getDevice())) {
            return scope.zeros(a.getShape(), a.getDataType(), a.getDevice()).addi(a).toFloatArray();
        }
    }

    /** [rows][cols] row-major from src[off …] to [cols][rows]. */
    private static float[] featureMajor(float[] src, int off, int rows, int cols) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int i = 0; i < cols; i++) out[i * rows + r] = src[off + r * cols + i];
        return out;
    }

    private static float[] data(TransformerWeights w, String name) {
        return w.get(name).data().clone();
    }

    private int headSender(int l, int h) {
        return headSender(c, l, h);
    }

    private int mlpSender(int l) {
        return mlpSender(c, l);
    }

    private static int embedSenders(TransformerConfig c) {
        return c.separateEmbeddingNodes() ? 2 : 1;
    }

    private static int senderCount(TransformerConfig c) {
        return embedSenders(c) + c.nLayers() * (c.nHeads() + (c.attentionOnly() ? 0 : 1));
    }

    private static int headSender(TransformerConfig c, int l, int h) {
        return embedSenders(c) + l * (c.nHeads() + (c.attentionOnly() ? 0 : 1)) + h;
    }

    private static int mlpSender(TransformerConfig c, int l) {
        return embedSenders(c) + l * (c.nHeads() + 1) + c.nHeads();
    }

    private int senderIndex(Node s) {
        return switch (s.kind()) {
            case EMBED, TOK_EMBED -> 0;
            case POS_EMBED -> 1;
            case HEAD_OUTPUT -> headSender(s.layer(), s.head());
            case MLP_OUT -> mlpSender(s.layer());
            default -> throw new IllegalStateException("not a sender: " + s);
        };
    }

    private List<Group> buildGroups() {
        List<Group> out = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            out.add(group(NodeKind.HEAD_INPUT, l, headSender(l, 0)));
            if (!c.attentionOnly()) out.add(group(NodeKind.MLP_IN, l, mlpSender(l)));
        }
        out.add(group(NodeKind.OUTPUT, L, senderCount));
        return out;
    }

    private Group group(NodeKind kind, int layer, int senders) {
        List<Node> receivers = new ArrayList<>();
        if (kind == NodeKind.HEAD_INPUT) {
            for (Node.Channel ch : Node.Channel.values()) for (int h = 0; h < H; h++) receivers.add(Node.headInput(layer, h, ch));
        } else {
            receivers.add(kind == NodeKind.MLP_IN ? Node.mlpIn(layer) : Node.output());
        }
        int[][] ids = new int[receivers.size()][senders];
        List<Integer> all = new ArrayList<>();
        for (int r = 0; r < receivers.size(); r++) {
            Arrays.fill(ids[r], -1);
            for (Edge e : graph.inEdges(receivers.get(r))) {
                int s = senderIndex(e.sender());
                if (s >= senders) throw new IllegalStateException("edge " + e + " comes from a sender after its receiver");
                ids[r][s] = e.id();
                all.add(e.id());
            }
        }
        int[][] direct = null;
        if (kind == NodeKind.HEAD_INPUT) {
            direct = new int[3][H];
            for (Node.Channel ch : Node.Channel.values()) {
                for (int h = 0; h < H; h++) {
                    List<Edge> in = graph.inEdges(Node.headQkv(layer, h, ch));
                    if (in.size() != 1 || in.get(0).kind() != EdgeKind.DIRECT) {
                        throw new IllegalStateException("expected one direct-computation edge into " + Node.headQkv(layer, h, ch));
                    }
                    direct[ch.ordinal()][h] = in.get(0).id();
                    all.add(in.get(0).id());
                }
            }
        }
        // Σ ablated senders + the attention output biases of the layers before the receiver, summed in
        // EdgePatcher's order (senders, then biases).
        float[] ablSum = new float[N * D];
        for (int s = 0; s < senders; s++) for (int j = 0; j < N * D; j++) ablSum[j] += abl[s][j];
        int biasLayers = kind == NodeKind.HEAD_INPUT ? layer : (kind == NodeKind.MLP_IN ? layer + 1 : L);
        for (int l = 0; l < biasLayers; l++) {
            for (int n = 0; n < N; n++) for (int i = 0; i < D; i++) ablSum[i * N + n] += bO[l][i];
        }
        return new Group(kind, layer, senders, ids, direct, all.stream().mapToInt(Integer::intValue).toArray(), ablSum);
    }

    // ------------------------------------------------------------------ evaluation

    public CircuitGraph graph() {
        return graph;
    }

    public int maskLength() {
        return graph.edgeCount();
    }

    public int batch() {
        return B;
    }

    /** Positions per row. */
    public int length() {
        return P;
    }

    /** Logits [K·B·P·V] (variant-major), from the first receiver group with a changed in-edge. */
    public float[] logits(float[][] masks) {
        checkMasks(masks);
        return evaluate(masks, firstChangedGroup(masks), false);
    }

    /** The same numbers, recomputing every group and every sender: the oracle for the incremental path. */
    public float[] logitsNonIncremental(float[][] masks) {
        checkMasks(masks);
        return evaluate(masks, 0, true);
    }

    /** {@link #logits(float[][])} as an NDArray [K·B, P, V] owned by the scope. */
    public NDArray logits(NDManager scope, float[][] masks) {
        return scope.create(logits(masks), new Shape((long) masks.length * B, P, V));
    }

    /** The clean logits [B·P·V] as this patcher computes them. */
    public float[] cleanLogits() {
        return cleanLogits.clone();
    }

    private int firstChangedGroup(float[][] masks) {
        return MaskChecks.firstChangedGroup(groups, Group::allInEdgeIds, masks);
    }

    private void checkMasks(float[][] masks) {
        MaskChecks.check(masks, maskLength());
    }

    private float[] evaluate(float[][] masks, int start, boolean force) {
        int K = masks.length;
        if (start == groups.size()) {
            float[] out = new float[K * N * V];
            for (int k = 0; k < K; k++) System.arraycopy(cleanLogits, 0, out, k * N * V, N * V);
            return out;
        }
        return run(masks, start, force, false);
    }

    /**
     * Runs groups from start on. With {@code force}, every receiver is recomputed; {@code fillClean} makes this
     * the clean run, which stores what it computes as the clean values.
     */
    private float[] run(float[][] masks, int start, boolean force, boolean fillClean) {
        int K = masks.length;
        // Per-variant sender values: curAll[k][sender] is null while the variant's value equals the clean one.
        float[][][] curAll = new float[K][senderCount][];
        if (fillClean) for (int e = 0; e < E; e++) curAll[0][e] = clean[e];
        float[] logits = new float[K * N * V];
        for (int g = start; g < groups.size(); g++) {
            Group grp = groups.get(g);
            for (int k = 0; k < K; k++) {
                float[] mask = masks[k];
                float[][] cur = curAll[k];
                switch (grp.kind) {
                    case HEAD_INPUT -> {
                        int l = grp.layer;
                        float[][][] qkv = new float[3][H][];
                        boolean[] headDirty = new boolean[H];
                        for (int ch = 0; ch < 3; ch++) {
                            for (int h = 0; h < H; h++) {
                                int row = ch * H + h;
                                float md = mask[grp.directIds[ch][h]];
                                boolean inDirty = force || dirty(grp, row, mask, cur);
                                if (!inDirty && md == 1f) {
                                    qkv[ch][h] = cleanQkv[l][ch][h];
                                    continue;
                                }
                                float[] x = inDirty ? input(grp, row, mask, cur) : null;
                                float[] y;
                                if (x == null) {
                                    y = cleanQkv[l][ch][h].clone();
                                } else {
                                    if (c.layerNorm()) layerNorm(x, ln1W[l], ln1B[l]);
                                    y = matmul(x, N, D, wQkv[l][ch], h * D * d, d, bQkv[l][ch], h * d);
                                }
                                if (fillClean) cleanQkv[l][ch][h] = y.clone();
                                if (md != 1f) {
                                    float[] a = ablQkv[l][ch][h];
                                    for (int j = 0; j < y.length; j++) y[j] = (y[j] - a[j]) * md + a[j];
                                }
                                qkv[ch][h] = y;
                                headDirty[h] = true;
                            }
                        }
                        for (int h = 0; h < H; h++) {
                            if (!headDirty[h]) {
                                cur[headSender(l, h)] = null;
                                continue;
                            }
                            float[] z = attend(qkv[0][h], qkv[1][h], qkv[2][h]);
                            float[] result = matmul(z, N, d, wO[l], h * d * D, D, null, 0);
                            cur[headSender(l, h)] = result;
                            if (fillClean) clean[headSender(l, h)] = result;
                        }
                    }
                    case MLP_IN -> {
                        int l = grp.layer;
                        if (!force && !dirty(grp, 0, mask, cur)) {
                            cur[mlpSender(l)] = null;
                            continue;
                        }
                        float[] x = input(grp, 0, mask, cur);
                        if (c.layerNorm()) layerNorm(x, ln2W[l], ln2B[l]);
                        float[] pre = matmul(x, N, D, wIn[l], 0, M, bIn[l], 0);
                        activate(pre);
                        float[] out = matmul(pre, N, M, wOut[l], 0, D, bOut[l], 0);
                        cur[mlpSender(l)] = out;
                        if (fillClean) clean[mlpSender(l)] = out;
                    }
                    case OUTPUT -> {
                        if (!force && !dirty(grp, 0, mask, cur)) {
                            System.arraycopy(cleanLogits, 0, logits, k * N * V, N * V);
                            continue;
                        }
                        float[] x = input(grp, 0, mask, cur);
                        if (c.layerNorm()) layerNorm(x, lnFW, lnFB);
                        float[] y = matmul(x, N, D, wU, 0, V, bU, 0);
                        for (int n = 0; n < N; n++) for (int j = 0; j < V; j++) logits[k * N * V + n * V + j] = y[j * N + n];
                    }
                    default -> throw new IllegalStateException("unhandled receiver group " + grp.kind);
                }
            }
        }
        return logits;
    }

    /** Whether a receiver row's input differs from its clean input: a non-intact in-edge or a changed sender. */
    private static boolean dirty(Group grp, int row, float[] mask, float[][] cur) {
        int[] ids = grp.edgeIds[row];
        for (int s = 0; s < grp.senders; s++) {
            int id = ids[s];
            if (id >= 0 && (mask[id] != 1f || cur[s] != null)) return true;
        }
        return false;
    }

    /** Σ_s m·(cur − abl) + Σ abl + biases for one receiver row; a null cur is the clean value. */
    private float[] input(Group grp, int row, float[] mask, float[][] cur) {
        int[] ids = grp.edgeIds[row];
        float[] x = new float[N * D];
        for (int s = 0; s < grp.senders; s++) {
            int id = ids[s];
            if (id < 0) continue;
            float m = mask[id];
            if (m == 0f) continue;
            float[] cs = cur[s];
            if (cs == null) {
                // the clean value: clean − ablated is cached (the same float as computing it here)
                float[] cd = cleanDiff[s];
                for (int j = 0; j < x.length; j++) x[j] += m * cd[j];
            } else {
                float[] a = abl[s];
                for (int j = 0; j < x.length; j++) x[j] += m * (cs[j] - a[j]);
            }
        }
        float[] as = grp.ablSum;
        for (int j = 0; j < x.length; j++) x[j] += as[j];
        return x;
    }

    /**
     * y [cols][rows] = (x [inner][rows] feature-major)ᵀ · W[off…] [inner, cols] (+ b[bOff…]), feature-major: each
     * y[j][r] sums x[i][r]·w[i][j] over i in order, then adds b[j].
     */
    private static float[] matmul(float[] x, int rows, int inner, float[] w, int wOff, int cols, float[] b, int bOff) {
        float[] y = new float[rows * cols];
        for (int j = 0; j < cols; j++) {
            int yo = j * rows;
            for (int i = 0; i < inner; i++) {
                float wij = w[wOff + i * cols + j];
                if (wij == 0f) continue;   // compiled tracr weights are mostly zeros
                int xo = i * rows;
                for (int r = 0; r < rows; r++) y[yo + r] += x[xo + r] * wij;
            }
            if (b != null) {
                float bj = b[bOff + j];
                for (int r = 0; r < rows; r++) y[yo + r] += bj;
            }
        }
        return y;
    }

    /** In-place LayerNorm over the D features of each row: biased variance, eps inside the square root (torch's). */
    private void layerNorm(float[] x, float[] w, float[] b) {
        layerNorm(x, N, D, c.layerNormEps(), w, b);
    }

    private static void layerNorm(float[] x, int N, int D, double eps, float[] w, float[] b) {
        double[] mean = new double[N], var = new double[N];
        for (int i = 0; i < D; i++) for (int n = 0; n < N; n++) mean[n] += x[i * N + n];
        for (int n = 0; n < N; n++) mean[n] /= D;
        for (int i = 0; i < D; i++) {
            for (int n = 0; n < N; n++) {
                double t = x[i * N + n] - mean[n];
                var[n] += t * t;
            }
        }
        for (int n = 0; n < N; n++) var[n] = 1.0 / Math.sqrt(var[n] / D + eps);
        for (int i = 0; i < D; i++) {
            for (int n = 0; n < N; n++) x[i * N + n] = (float) ((x[i * N + n] - mean[n]) * var[n]) * w[i] + b[i];
        }
    }

    private void activate(float[] x) {
        switch (c.activation()) {
            case RELU -> {
                for (int i = 0; i < x.length; i++) if (x[i] < 0f) x[i] = 0f;
            }
            case GELU_NEW -> {
                double k = Math.sqrt(2.0 / Math.PI);
                for (int i = 0; i < x.length; i++) {
                    double v = x[i];
                    x[i] = (float) (0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v))));
                }
            }
        }
    }

    /**
     * One head's attention: z [d][N] from q, k, v [d][N]; scores scaled then masked (causal, padding keys) with −∞,
     * as HookedTransformer does, so a query with no readable key gives NaN as torch's softmax does.
     */
    private float[] attend(float[] q, float[] k, float[] v) {
        float scale = (float) c.attentionScale();
        float[] z = new float[N * d];
        float[] dots = new float[P * P], w = new float[P * P];
        double[] p = new double[P];
        for (int b = 0; b < B; b++) {
            int base = b * P;
            // every q·k of this batch row, each summed over e in order as a plain dot product would
            Arrays.fill(dots, 0f);
            for (int e = 0; e < d; e++) {
                int eo = e * N + base;
                for (int i = 0; i < P; i++) {
                    float qv = q[eo + i];
                    for (int j = 0; j < P; j++) dots[i * P + j] += qv * k[eo + j];
                }
            }
            for (int i = 0; i < P; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < P; j++) {
                    boolean masked = (c.causal() && j > i) || (attendable != null && !attendable[b][j]);
                    p[j] = masked ? Double.NEGATIVE_INFINITY : dots[i * P + j] * scale;
                    if (p[j] > max) max = p[j];
                }
                double sum = 0;
                for (int j = 0; j < P; j++) {
                    p[j] = Math.exp(p[j] - max);
                    sum += p[j];
                }
                for (int j = 0; j < P; j++) w[i * P + j] = (float) (p[j] / sum);
            }
            for (int e = 0; e < d; e++) {
                int eo = e * N + base;
                for (int i = 0; i < P; i++) {
                    float acc = 0f;
                    for (int j = 0; j < P; j++) acc += w[i * P + j] * v[eo + j];
                    z[eo + i] = acc;
                }
            }
        }
        return z;
    }
}
