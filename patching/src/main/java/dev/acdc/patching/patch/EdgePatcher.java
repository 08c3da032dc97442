package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.HookedTransformer.Channel;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * Evaluates a model where every edge carries its sender's current output or its ablated output:
 * each receiver's input is {@code Σ_s m(s,r)·cur(s) + (1−m(s,r))·abl(s)} plus the constant attention
 * output biases, and a direct-computation edge with mask 0 replaces the head's q (k, v) by its ablated
 * value. "Current" is recomputed in the same pass, under every upstream patch, as ACDC does.
 *
 * <p>Ablated values, senders and direct edges alike, are a node's value in the ablated run: resample, the
 * corrupted run (with the task's hooks on it); zero, ACDC's zero-ablated run of the clean input
 * ({@link SenderValues#zeroAblationHooks}): zero for every sender, and for a direct edge the q/k/v that
 * run computes from the biases; mean (per position), the mean of the clean run's values over the batch (and
 * positions), q/k/v included.
 *
 * <p>Masks are indexed by edge id ({@link CircuitGraph#edges()}); 1 keeps an edge, 0 removes it, values in
 * between interpolate. Several masks evaluate together as a batch of variants. They come as Java float
 * arrays ({@link #logits(NDManager, float[][])}: ACDC's masks, no gradient) or as an NDArray
 * ({@link #logits(NDManager, NDArray)}) that may require gradient: each receiver group's weight matrix is then
 * gathered from the mask with precomputed edge-id index arrays (absent edges read a padded 0), so DJL's
 * autograd differentiates the logits w.r.t. every mask entry. Both give the same numbers; at the all-ones mask
 * {@code ∂logits/∂m(s,r) = (cur(s) − abl(s)) · ∂logits/∂(input of r)}, the quantity EAP estimates.
 *
 * <p>For attribution methods the patcher also hands out its sender values: {@link #senderDeltas} (clean −
 * ablated, every sender), {@link #qkvDelta} (the direct edges' senders) and {@link #ablatedEmbeddings}.
 *
 * <p>Incremental evaluation: receivers are processed in groups in topological order (the heads of
 * layer 0, the MLP of layer 0, the heads of layer 1, …, the output). Every group before the first one with
 * a non-intact in-edge sees exactly the clean values, which are cached, so {@link #logits} starts there
 * and recomputes only that group and what lies downstream. {@link #logitsNonIncremental} recomputes
 * everything and is the oracle for it.
 *
 * <p>Every sender's cur − abl is a row of one [S, B·P·D] matrix, senders in topological order, so a receiver
 * group reads a prefix of the rows: its input is one addmm, masks [R, n] × (cur − abl) [n, B·P·D] with the ablated
 * sum fused in as the bias, over a buffer that holds the clean rows and the rows this pass recomputed (see
 * {@link PassRows}; batched and differentiable passes take two matmuls). One matmul and one 166 MB temporary per
 * sender group, 145 of them for a layer-11 head group of GPT-2 small at [100, 15], cost 4.2 s against 0.3 s.
 * The buffer makes a patcher unsafe for concurrent passes. Dimension letters: K variants, B batch, P positions,
 * D d_model, H heads, d d_head, S senders.
 */
public final class EdgePatcher implements AutoCloseable {
    private final HookedTransformer model;
    private final CircuitGraph graph;
    private final TransformerConfig c;
    private final ModelInput input;
    private final NDManager manager;
    private final SenderValues ablated;
    private final NDArray cleanLogits;          // [B, P, V]
    private final NDArray corruptedLogits;      // [B, P, V] for resample, else null
    private final NDArray attnBias;             // [B or 1, 1, P, P] or null
    private final int B, P, D, H;
    private final long bpd;
    private final List<ReceiverGroup> groups;
    private final int senderGroupCount;
    private final int[] senderGroupSize;
    private final int[] rowOffset;              // per sender group: its first row in the [S, B·P·D] matrices; [count] = S
    private final NDArray cleanDiffAll;         // clean − ablated of every sender [S, B·P·D]
    private final NDManager passRowsManager;    // uncapped: passRows is made on the first single-variant pass
    private NDArray passRows;                   // cur − abl of every sender in the latest single-variant pass [S, B·P·D]
    private int passRowsDirtyFrom;              // rows from here on hold that pass's values, not the clean ones
    private final NDArray[] ablatedRows;        // per sender group: ablated [n, B·P·D] (views of one [S, B·P·D])
    private final NDArray[] ablSums;            // per receiver group: Σ ablated senders + biases [B·P·D]
    private final NDArray[][] qkvDiffs;         // [layer][channel]: clean − ablated hook_q/k/v [B, P, H, d]
    private final NDArray[][] ablatedQkvByHead; // [layer][channel]: ablated hook_q/k/v as [H, 1, B·P, d]
    private final List<Node> senderNodes;       // every sender, rows of senderDeltas: group by group, in group order

    /**
     * A set of receivers whose inputs are computed together. They read the first senderRows rows of the sender
     * matrices; rowIds[r][s] is the edge id from sender row s to receiver r, or −1 where there is no edge.
     */
    private record ReceiverGroup(NodeKind kind, int layer, int rows, int[] senderGroups, int senderRows, int[][] rowIds,
                                 int[][] directIds, int[] allInEdgeIds) {}

    private EdgePatcher(HookedTransformer model, CircuitGraph graph, ModelInput input, Ablation ablation,
                        ModelInput corrupted, List<Hook> corruptedHooks) {
        this.model = model;
        this.graph = graph;
        this.c = model.config();
        if (!graph.config().equals(c)) {
            throw new IllegalArgumentException("graph was built for '" + graph.config().name() + "', model is '" + c.name() + "'");
        }
        this.input = input;
        this.B = input.batch();
        this.P = input.length();
        this.D = c.dModel();
        this.H = c.nHeads();
        this.bpd = (long) B * P * D;
        this.manager = NDManager.newBaseManager(model.device());
        SenderValues clean;
        NDArray corr = null;
        // one scope per run, closed before the next, so that only one run's activations are alive at a time
        try (NDManager run = manager.newSubManager()) {
            var captured = SenderValues.capture(model, run, input, List.of());
            clean = captured.values().attachTo(manager);
            cleanLogits = detach(captured.logits());
        }
        try (NDManager run = manager.newSubManager()) {
            switch (ablation) {
                case RESAMPLE -> {
                    Objects.requireNonNull(corrupted, "resample ablation needs corrupted inputs");
                    if (corrupted.batch() != B || corrupted.length() != P) {
                        throw new IllegalArgumentException("corrupted inputs are [" + corrupted.batch() + ", " + corrupted.length()
                                + "], clean inputs [" + B + ", " + P + "]; they must have the same shape");
                    }
                    var cc = SenderValues.capture(model, run, corrupted, corruptedHooks == null ? List.of() : corruptedHooks);
                    ablated = cc.values().attachTo(manager);
                    corr = detach(cc.logits());
                }
                case ZERO -> {
                    // the zero-ablated run itself, as ACDC caches it: zero senders, and the q/k/v the biases give
                    var zc = SenderValues.capture(model, run, input, SenderValues.zeroAblationHooks(c));
                    ablated = zc.values().attachTo(manager);
                }
                case MEAN -> ablated = SenderValues.meanOf(clean, false, manager);
                case MEAN_PER_POSITION -> ablated = SenderValues.meanOf(clean, true, manager);
                default -> throw new IllegalStateException("unhandled ablation " + ablation);
            }
            corruptedLogits = corr;
            NDArray bias = model.attentionBias(run, input);
            attnBias = bias == null ? null : detach(bias);
        }
        int L = c.nLayers();
        senderGroupCount = 1 + 2 * L;
        senderGroupSize = new int[senderGroupCount];
        rowOffset = new int[senderGroupCount + 1];
        List<NDArray> cleanParts = new ArrayList<>(), ablatedParts = new ArrayList<>();
        for (int sg = 0; sg < senderGroupCount; sg++) {
            NDArray cl = senderArray(clean, sg), ab = senderArray(ablated, sg);
            if (cl != null) {
                senderGroupSize[sg] = (int) cl.getShape().get(0);
                cleanParts.add(cl.reshape(senderGroupSize[sg], bpd));
                ablatedParts.add(ab.reshape(senderGroupSize[sg], bpd));
            }
            rowOffset[sg + 1] = rowOffset[sg] + senderGroupSize[sg];
        }
        NDArray ablatedAll = NDArrays.concat(new NDList(ablatedParts), 0);
        cleanDiffAll = NDArrays.concat(new NDList(cleanParts), 0).sub(ablatedAll);
        // gradient and batched passes (SP, EAP-IG) never use the buffer: at GPT-2 small on [100, 15] it is 723 MB
        passRowsManager = manager.newSubManager();
        ablatedRows = new NDArray[senderGroupCount];
        for (int sg = 0; sg < senderGroupCount; sg++) {
            if (senderGroupSize[sg] > 0) ablatedRows[sg] = ablatedAll.get(rowOffset[sg] + ":" + rowOffset[sg + 1]);
        }
        qkvDiffs = new NDArray[L][3];
        ablatedQkvByHead = new NDArray[L][3];
        for (int l = 0; l < L; l++) {
            for (int ch = 0; ch < 3; ch++) {
                NDArray abl = ablated.qkv()[l][ch];                                                      // [B, P, H, d]
                qkvDiffs[l][ch] = clean.qkv()[l][ch].sub(abl);
                ablatedQkvByHead[l][ch] = abl.transpose(2, 0, 1, 3).reshape(H, 1, (long) B * P, c.dHead());
            }
        }
        List<Node> senders = new ArrayList<>();
        for (int sg = 0; sg < senderGroupCount; sg++) senders.addAll(sendersOfGroup(sg));
        senderNodes = List.copyOf(senders);
        groups = buildGroups();
        ablSums = new NDArray[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            ReceiverGroup rg = groups.get(g);
            NDArray sum = manager.zeros(new Shape(bpd));
            for (int sg : rg.senderGroups) sum = sum.add(ablatedRows[sg].sum(new int[] {0}));
            int biasLayers = rg.kind == NodeKind.HEAD_INPUT ? rg.layer : (rg.kind == NodeKind.MLP_IN ? rg.layer + 1 : L);
            for (int l = 0; l < biasLayers; l++) {
                sum = sum.reshape(B, P, D).add(model.attentionOutputBias(l)).reshape(bpd);
            }
            ablSums[g] = sum;
        }
        manager.cap();
    }

    /** A patcher over the given clean input; corrupted inputs (and hooks on that run) are for resample ablation. */
    public static EdgePatcher create(HookedTransformer model, CircuitGraph graph, ModelInput clean, Ablation ablation,
                                     ModelInput corrupted, List<Hook> corruptedHooks) {
        return new EdgePatcher(model, graph, clean, ablation, corrupted, corruptedHooks);
    }

    private NDArray detach(NDArray a) {
        NDArray copy = a.duplicate();
        copy.attach(manager);
        return copy;
    }

    /** Sender group sg: 0 the embeddings, 1+2l the heads of layer l, 2+2l the MLP of layer l. */
    private static NDArray senderArray(SenderValues v, int sg) {
        if (sg == 0) return v.embeds();
        int l = (sg - 1) / 2;
        if ((sg - 1) % 2 == 0) return v.heads()[l];
        return v.mlps()[l] == null ? null : v.mlps()[l].expandDims(0);
    }

    /** The sender nodes of group sg, in row order (the order of {@link #indexInSenderGroup}). */
    private List<Node> sendersOfGroup(int sg) {
        if (senderGroupSize[sg] == 0) return List.of();
        if (sg == 0) {
            return c.separateEmbeddingNodes() ? List.of(Node.tokEmbed(), Node.posEmbed()) : List.of(Node.embed());
        }
        int l = (sg - 1) / 2;
        if ((sg - 1) % 2 == 1) return List.of(Node.mlpOut(l));
        List<Node> heads = new ArrayList<>();
        for (int h = 0; h < H; h++) heads.add(Node.head(l, h));
        return heads;
    }

    private int senderGroupOf(Node s) {
        return switch (s.kind()) {
            case EMBED -> 0;
            case TOK_EMBED -> 0;
            case POS_EMBED -> 0;
            case HEAD_OUTPUT -> 1 + 2 * s.layer();
            case MLP_OUT -> 2 + 2 * s.layer();
            default -> throw new IllegalStateException("not a sender: " + s);
        };
    }

    private int indexInSenderGroup(Node s) {
        return switch (s.kind()) {
            case EMBED, TOK_EMBED -> 0;
            case POS_EMBED -> 1;
            case HEAD_OUTPUT -> s.head();
            case MLP_OUT -> 0;
            default -> throw new IllegalStateException("not a sender: " + s);
        };
    }

    private List<ReceiverGroup> buildGroups() {
        List<ReceiverGroup> out = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            out.add(group(NodeKind.HEAD_INPUT, l));
            if (!c.attentionOnly()) out.add(group(NodeKind.MLP_IN, l));
        }
        out.add(group(NodeKind.OUTPUT, c.nLayers()));
        return out;
    }

    private ReceiverGroup group(NodeKind kind, int layer) {
        List<Node> receivers = new ArrayList<>();
        if (kind == NodeKind.HEAD_INPUT) {
            for (Node.Channel ch : Node.Channel.values()) for (int h = 0; h < H; h++) receivers.add(Node.headInput(layer, h, ch));
        } else if (kind == NodeKind.MLP_IN) {
            receivers.add(Node.mlpIn(layer));
        } else {
            receivers.add(Node.output());
        }
        List<Integer> sgs = new ArrayList<>();
        sgs.add(0);
        int lastLayer = kind == NodeKind.HEAD_INPUT ? layer - 1 : Math.min(layer, c.nLayers() - 1);
        for (int l = 0; l <= lastLayer; l++) {
            sgs.add(1 + 2 * l);
            boolean mlpBefore = kind == NodeKind.HEAD_INPUT || l < layer;
            if (!c.attentionOnly() && mlpBefore) sgs.add(2 + 2 * l);
        }
        int[] senderGroups = sgs.stream().mapToInt(Integer::intValue).toArray();
        // the sender groups are 0, 1, …, last: a prefix of the rows
        int senderRows = rowOffset[senderGroups[senderGroups.length - 1] + 1];
        int[][] ids = new int[receivers.size()][senderRows];
        for (int[] row : ids) Arrays.fill(row, -1);
        List<Integer> all = new ArrayList<>();
        int[][] direct = kind == NodeKind.HEAD_INPUT ? new int[3][H] : null;
        for (int r = 0; r < receivers.size(); r++) {
            for (Edge e : graph.inEdges(receivers.get(r))) {
                int sg = senderGroupOf(e.sender());
                if (indexOf(senderGroups, sg) < 0) {
                    throw new IllegalStateException("edge " + e + " comes from outside the receiver's sender groups");
                }
                ids[r][rowOffset[sg] + indexInSenderGroup(e.sender())] = e.id();
                all.add(e.id());
            }
        }
        if (direct != null) {
            for (Node.Channel ch : Node.Channel.values()) {
                for (int h = 0; h < H; h++) {
                    Node qkv = Node.headQkv(layer, h, ch);
                    List<Edge> in = graph.inEdges(qkv);
                    if (in.size() != 1 || in.get(0).kind() != EdgeKind.DIRECT) {
                        throw new IllegalStateException("expected one direct-computation edge into " + qkv + ", found " + in);
                    }
                    direct[ch.ordinal()][h] = in.get(0).id();
                    all.add(in.get(0).id());
                }
            }
        }
        return new ReceiverGroup(kind, layer, receivers.size(), senderGroups, senderRows, ids, direct,
                all.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    // ------------------------------------------------------------------ evaluation

    public CircuitGraph graph() {
        return graph;
    }

    public ModelInput input() {
        return input;
    }

    /** The model (for {@link SmallModelPatcher}, which copies its weights). */
    HookedTransformer model() {
        return model;
    }

    /** The values a removed edge carries (for {@link SmallModelPatcher}). */
    SenderValues ablatedValues() {
        return ablated;
    }

    /**
     * Bytes one variant adds to a batched pass: the largest receiver-input tensor (a layer's 3·H head inputs,
     * [3H, B·P·D] floats), which every temporary of that layer repeats, and the variant's rows of recomputed
     * senders (up to [S, B·P·D]).
     */
    public long bytesPerVariant() {
        long rows = 1;
        for (ReceiverGroup g : groups) rows = Math.max(rows, g.rows);
        return (rows + rowOffset[senderGroupCount]) * bpd * Float.BYTES;
    }

    /** The number of tested edges, the length of a mask. */
    public int maskLength() {
        return graph.edgeCount();
    }

    /** Clean logits [B, P, V], copied into the scope. */
    public NDArray cleanLogits(NDManager scope) {
        return copyInto(scope, cleanLogits);
    }

    /** Corrupted-run logits [B, P, V] under resample ablation, copied into the scope. */
    public NDArray corruptedLogits(NDManager scope) {
        if (corruptedLogits == null) throw new IllegalStateException("corrupted logits exist only under resample ablation");
        return copyInto(scope, corruptedLogits);
    }

    /** Logits [B, P, V] with the removed edges (by id) ablated and every other edge intact. */
    public NDArray logits(NDManager scope, BitSet removed) {
        float[] mask = new float[maskLength()];
        Arrays.fill(mask, 1f);
        for (int id = removed.nextSetBit(0); id >= 0; id = removed.nextSetBit(id + 1)) mask[id] = 0f;
        return logits(scope, new float[][] {mask});
    }

    /** Logits [K·B, P, V] (variant-major) for K masks, computed from the first non-intact receiver group down. */
    public NDArray logits(NDManager scope, float[][] masks) {
        return logits(scope, masks, null);
    }

    /**
     * {@link #logits(NDManager, float[][])} unembedded at the given positions only: outputRows index the flattened
     * [B·P] rows of each variant (row-major, as {@code ScoredPositions.flatIndices} gives them), null meaning all.
     * Every other entry is NaN, so whoever reads a position not asked for gets NaN rather than a plausible number.
     * For GPT-2 small at [100, 15], unembedding one position of fifteen saves 1.4 s of an 8.6 s masked pass.
     * (When no edge is removed the clean logits come back whole.)
     */
    public NDArray logits(NDManager scope, float[][] masks, long[] outputRows) {
        return evaluate(scope, new FloatMasks(masks), firstChangedGroup(masks), checkRows(outputRows));
    }

    /** The same numbers as {@link #logits(NDManager, float[][])}, recomputing every layer: the oracle. */
    public NDArray logitsNonIncremental(NDManager scope, float[][] masks) {
        return logitsNonIncremental(scope, masks, null);
    }

    /** {@link #logitsNonIncremental(NDManager, float[][])} unembedded at the given rows only (see {@link #logits(NDManager, float[][], long[])}). */
    public NDArray logitsNonIncremental(NDManager scope, float[][] masks, long[] outputRows) {
        checkMasks(masks);
        return evaluate(scope, new FloatMasks(masks), 0, checkRows(outputRows));
    }

    private long[] checkRows(long[] outputRows) {
        if (outputRows == null) return null;
        if (outputRows.length == 0) throw new IllegalArgumentException("outputRows is empty; pass null for every position");
        for (long r : outputRows) {
            if (r < 0 || r >= (long) B * P) {
                throw new IllegalArgumentException("output row " + r + " is outside the " + B + "·" + P + " rows of the batch");
            }
        }
        return outputRows.clone();
    }

    /**
     * Logits [K·B, P, V] (variant-major) for a mask NDArray [E] or [K, E] (float32, on the model's device),
     * which may require gradient: under a gradient collector, autograd differentiates the logits w.r.t. every
     * mask entry. The weights are gathered from the mask, so the numbers equal {@link #logits(NDManager, float[][])}
     * for the same values. Always non-incremental: an incremental pass would take the cached clean values of
     * the first groups and cut their masks out of the graph.
     */
    public NDArray logits(NDManager scope, NDArray masks) {
        Shape s = masks.getShape();
        if (s.dimension() < 1 || s.dimension() > 2 || s.get(s.dimension() - 1) != maskLength()) {
            throw new IllegalArgumentException("a mask NDArray must be [E] or [K, E] with E = " + maskLength()
                    + " tested edges, found " + s);
        }
        if (s.dimension() == 2 && s.get(0) == 0) throw new IllegalArgumentException("at least one mask is needed");
        return evaluate(scope, new TensorMasks(scope, masks), 0, null);
    }

    // ------------------------------------------------------------------ sender values (for attribution methods)

    /** Every sender node, in the row order of {@link #senderDeltas}: embedding(s), then per layer the heads and the MLP. */
    public List<Node> senderNodes() {
        return senderNodes;
    }

    /**
     * clean − ablated output of every sender, [S, B·P·D] in the row order of {@link #senderNodes()}, flattened
     * as [B, P, D]; a copy owned by the scope (S·B·P·D floats: free it when done).
     */
    public NDArray senderDeltas(NDManager scope) {
        return copyInto(scope, cleanDiffAll);
    }

    /** clean − ablated {@code attn.hook_q|k|v} of a layer [B, P, H, d] (the direct edges' senders), copied into the scope. */
    public NDArray qkvDelta(NDManager scope, int layer, Channel channel) {
        return copyInto(scope, qkvDiffs[layer][channel.ordinal()]);
    }

    /**
     * The ablated embedding outputs [E, B, P, D], copied into the scope: E = 2 ({@code hook_embed},
     * {@code hook_pos_embed}) when the config has separate embedding nodes, else E = 1 (their sum).
     */
    public NDArray ablatedEmbeddings(NDManager scope) {
        return copyInto(scope, ablated.embeds());
    }

    private int firstChangedGroup(float[][] masks) {
        checkMasks(masks);
        return MaskChecks.firstChangedGroup(groups, ReceiverGroup::allInEdgeIds, masks);
    }

    private void checkMasks(float[][] masks) {
        MaskChecks.check(masks, maskLength());
    }

    private NDArray evaluate(NDManager scope, MaskSource masks, int start, long[] outputRows) {
        int K = masks.variants();
        if (start == groups.size()) {
            NDArray clean = copyInto(scope, cleanLogits);
            return K == 1 ? clean : clean.tile(new long[] {K, 1, 1});
        }
        // rows [0, firstNewRow) keep their clean values in this pass; the groups from start on recompute the rest
        ReceiverGroup first = groups.get(start);
        int firstNewRow = first.kind == NodeKind.OUTPUT ? rowOffset[senderGroupCount] : rowOffset[senderGroupRecomputedBy(first)];
        PassRows rows = new PassRows(scope, K, firstNewRow);
        NDArray bias = attnBias == null ? null : copyInto(scope, attnBias);
        if (bias != null && bias.getShape().get(0) > 1 && K > 1) bias = bias.tile(new long[] {K, 1, 1, 1});
        for (int g = start; g < groups.size(); g++) {
            ReceiverGroup rg = groups.get(g);
            // Each group's temporaries live in their own manager, closed when the group is done; only what later
            // groups read moves to the caller's scope. Otherwise a GPT-2-small pass at [100, 15] would hold tens
            // of GB of receiver inputs until the scope closed. (Autograd keeps what backward needs by itself.)
            try (NDManager step = scope.newSubManager()) {
                NDArray in = rows.receiverInputs(step, g, masks);                           // [K, R, B·P·D]
                switch (rg.kind) {
                    case HEAD_INPUT -> rows.append(heads(step, rg, in, masks, bias));
                    case MLP_IN -> {
                        NDArray out = model.mlp(rg.layer, in.reshape(K * B, P, D));                   // [K·B, P, D]
                        rows.append(out.reshape(K, 1, bpd).sub(ablatedRows[2 + 2 * rg.layer]));
                    }
                    case OUTPUT -> {
                        NDArray logits = outputRows == null
                                ? model.unembed(in.reshape(K * B, P, D))                               // [K·B, P, V]
                                : unembedRows(step, in.reshape((long) K * B * P, D), K, outputRows);
                        logits.attach(scope);
                        return logits;
                    }
                    default -> throw new IllegalStateException("unhandled receiver group " + rg.kind);
                }
            }
        }
        throw new IllegalStateException("the output group is always last");
    }

    /** Logits [K·B, P, V] of the final residual rows [K·B·P, D] at the given rows of each variant, NaN elsewhere. */
    private NDArray unembedRows(NDManager step, NDArray residRows, int K, long[] outputRows) {
        int n = outputRows.length;
        long[] idx = new long[K * n];
        for (int k = 0; k < K; k++) {
            for (int i = 0; i < n; i++) idx[k * n + i] = (long) k * B * P + outputRows[i];
        }
        NDArray index = step.create(idx).toDevice(model.device(), false);
        NDArray picked = model.unembed(residRows.get(new NDIndex("{}", index)));               // [K·n, V]
        long V = picked.getShape().get(1);
        NDArray out = step.full(new Shape((long) K * B * P, V), Float.NaN).toDevice(model.device(), false);
        out.set(new NDIndex("{}", index), picked);
        return out.reshape((long) K * B, P, V);
    }

    /** The sender group whose values receiver group rg's outputs replace: its heads, or its MLP. */
    private static int senderGroupRecomputedBy(ReceiverGroup rg) {
        return switch (rg.kind) {
            case HEAD_INPUT -> 1 + 2 * rg.layer;
            case MLP_IN -> 2 + 2 * rg.layer;
            default -> throw new IllegalStateException("the output group recomputes no sender");
        };
    }

    /**
     * The cur − abl rows of a pass. A single-variant pass without autograd writes the rows it recomputes into the
     * patcher's own [S, B·P·D] buffer, whose earlier rows hold the clean values, so that each receiver group is one
     * matmul over a prefix and no pass allocates (or page-faults in) the buffer again; rows an earlier pass
     * changed are restored first. Other passes keep the clean rows apart and collect the recomputed ones
     * ([K, n, B·P·D] each) in a buffer of their own, or, under autograd, concatenate them: an in-place write
     * into a buffer that an earlier matmul saved for backward would invalidate it.
     */
    private final class PassRows {
        private final NDManager scope;
        private final int K, firstNewRow;
        private final boolean shared, inPlace;
        private NDArray buffer;                             // [K, S − firstNewRow, B·P·D]: the recomputed rows
        private final List<NDArray> parts = new ArrayList<>();
        private int rows;                                   // recomputed rows so far

        PassRows(NDManager scope, int K, int firstNewRow) {
            this.scope = scope;
            this.K = K;
            this.firstNewRow = firstNewRow;
            this.inPlace = !JniUtils.isGradMode();
            this.shared = inPlace && K == 1;
            if (shared) {
                if (passRows == null) {
                    passRows = copyInto(passRowsManager, cleanDiffAll);
                    passRowsDirtyFrom = rowOffset[senderGroupCount];
                }
                if (passRowsDirtyFrom < firstNewRow) {
                    NDIndex stale = new NDIndex(passRowsDirtyFrom + ":" + firstNewRow);
                    try (NDManager tmp = scope.newSubManager()) {
                        passRows.set(stale, cleanDiffAll.get(tmp, stale));
                    }
                }
                passRowsDirtyFrom = Math.min(passRowsDirtyFrom, firstNewRow);
            }
        }

        void append(NDArray diffs) {
            int n = (int) diffs.getShape().get(1);
            if (shared) {
                passRows.set(new NDIndex((firstNewRow + rows) + ":" + (firstNewRow + rows + n)), diffs.reshape(n, bpd));
            } else if (inPlace) {
                if (buffer == null) {
                    buffer = scope.create(new Shape(K, rowOffset[senderGroupCount] - firstNewRow, bpd), DataType.FLOAT32, model.device());
                }
                buffer.set(new NDIndex(":, " + rows + ":" + (rows + n)), diffs);
            } else {
                diffs.attach(scope);
                parts.add(diffs);
            }
            rows += n;
        }

        /** masks × (cur − abl) over the group's sender rows, plus Σ ablated + biases: [K, R, B·P·D]. */
        NDArray receiverInputs(NDManager step, int group, MaskSource masks) {
            ReceiverGroup rg = groups.get(group);
            int R = rg.rows;
            int nClean = Math.min(rg.senderRows, firstNewRow), nNew = rg.senderRows - nClean;
            if (nNew > 0 && nNew != rows) {
                throw new IllegalStateException("group " + group + " reads " + nNew + " recomputed rows, " + rows + " exist");
            }
            if (shared) {
                NDArray w = masks.senderWeights(step, rg, 0, rg.senderRows).reshape(R, rg.senderRows);
                return linear(w, passRows.get(step, new NDIndex("0:" + rg.senderRows)), ablSums[group]).reshape(1, R, bpd);
            }
            NDArray wClean = masks.senderWeights(step, rg, 0, nClean).reshape((long) K * R, nClean);
            NDArray in = linear(wClean, cleanDiffAll.get(step, new NDIndex("0:" + nClean)), ablSums[group]);   // [K·R, B·P·D]
            if (nNew == 0) return in.reshape(K, R, bpd);
            NDArray wNew = masks.senderWeights(step, rg, nClean, rg.senderRows);                    // [K, R, nNew]
            NDArray newRows = inPlace ? buffer.get(step, new NDIndex(":, 0:" + nNew))
                    : parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 1);   // [K, nNew, B·P·D]
            return in.reshape(K, R, bpd).add(wNew.matMul(newRows));
        }
    }

    /** bias + w·rows in one addmm: w [N, n], rows [n, M], bias [M] or [N, M]. */
    private static NDArray linear(NDArray w, NDArray rows, NDArray bias) {
        // linear multiplies by the transpose of its [out, in] weight: rows.T is a view
        return HookedTransformer.linear(w, rows.transpose(), bias);
    }

    /** Recomputes the heads of a layer from their inputs [K, 3H, B·P·D]; returns cur − abl [K, H, B·P·D]. */
    private NDArray heads(NDManager scope, ReceiverGroup rg, NDArray in, MaskSource masks, NDArray bias) {
        int K = masks.variants(), l = rg.layer, d = c.dHead();
        long n = (long) K * B * P;
        // rows are (channel, head): each channel's inputs are already head-major, [H, K·B·P, D] once K moves inward
        NDArray byChannel = in.reshape(K, 3, H, (long) B * P, D);
        NDArray[] qkv = new NDArray[3];
        for (Channel ch : Channel.values()) {
            NDArray x = byChannel.get(":, " + ch.ordinal());                                          // [K, H, B·P, D]
            x = K == 1 ? x.reshape(H, n, D) : x.transpose(1, 0, 2, 3).reshape(H, n, D);
            NDArray projected = model.projectHeads(l, ch, x);                                        // [H, K·B·P, d]
            NDArray m = masks.directWeights(scope, rg.directIds[ch.ordinal()]);                   // [K, H] or null
            if (m != null) {
                NDArray abl = ablatedQkvByHead[l][ch.ordinal()];                                      // [H, 1, B·P, d]
                projected = projected.reshape(H, K, (long) B * P, d).sub(abl).mul(m.transpose().reshape(H, K, 1, 1))
                        .add(abl).reshape(H, n, d);
            }
            // [H, K·B, P, d] -> [K·B, P, H, d], the layout attend takes
            qkv[ch.ordinal()] = projected.reshape(H, (long) K * B, P, d).transpose(1, 2, 0, 3);
        }
        NDArray z = model.attend(l, qkv[0], qkv[1], qkv[2], bias);                                 // [K·B, P, H, d]
        NDArray result = model.headResultsByHead(l, z);                                           // [H, K·B·P, D]
        NDArray byVariant = K == 1 ? result.reshape(1, H, bpd) : result.reshape(H, K, bpd).transpose(1, 0, 2);
        return byVariant.sub(ablatedRows[1 + 2 * l]);
    }

    /**
     * Where a masked pass reads its edge weights: Java float masks (ACDC's binary masks, no gradient) or a
     * mask NDArray that may require gradient. Both give the same numbers for the same values.
     */
    private interface MaskSource {
        int variants();

        /** The weights of receiver group rg's rows on sender rows [from, to): [K, R, to − from]. */
        NDArray senderWeights(NDManager scope, ReceiverGroup rg, int from, int to);

        /** The direct-edge weights [K, H] of one channel's heads, or null when every one is 1 (nothing to patch). */
        NDArray directWeights(NDManager scope, int[] directIds);
    }

    private final class FloatMasks implements MaskSource {
        private final float[][] masks;

        FloatMasks(float[][] masks) {
            this.masks = masks;
        }

        @Override
        public int variants() {
            return masks.length;
        }

        @Override
        public NDArray senderWeights(NDManager scope, ReceiverGroup rg, int from, int to) {
            int K = masks.length, R = rg.rows, n = to - from;
            float[] w = new float[K * R * n];
            for (int k = 0; k < K; k++) {
                for (int r = 0; r < R; r++) {
                    for (int s = 0; s < n; s++) {
                        int id = rg.rowIds[r][from + s];
                        w[(k * R + r) * n + s] = id < 0 ? 0f : masks[k][id];
                    }
                }
            }
            return scope.create(w, new Shape(K, R, n)).toDevice(model.device(), false);
        }

        @Override
        public NDArray directWeights(NDManager scope, int[] directIds) {
            int K = masks.length;
            float[] md = new float[K * H];
            boolean intact = true;
            for (int k = 0; k < K; k++) {
                for (int h = 0; h < H; h++) {
                    md[k * H + h] = masks[k][directIds[h]];
                    intact &= md[k * H + h] == 1f;
                }
            }
            return intact ? null : scope.create(md, new Shape(K, H)).toDevice(model.device(), false);
        }
    }

    /**
     * Weights gathered from a mask NDArray [K, E] with index arrays, so autograd sees them as functions of
     * the mask. The mask is padded with a leading zero column: an absent edge gathers index 0 (weight 0) and
     * edge id e gathers index e + 1. The direct weights are always applied (a value test would cut nothing
     * from the graph, but gathering keeps every direct edge differentiable).
     */
    private final class TensorMasks implements MaskSource {
        private final int K;
        private final NDArray padded;          // [K, E + 1]: column 0 is the constant 0

        TensorMasks(NDManager scope, NDArray masks) {
            NDArray m2 = masks.getShape().dimension() == 1 ? masks.expandDims(0) : masks;
            this.K = (int) m2.getShape().get(0);
            // zeros on the left so the concatenation belongs to the scope, not to whoever owns the mask
            this.padded = scope.zeros(new Shape(K, 1), DataType.FLOAT32, model.device()).concat(m2, 1);
        }

        @Override
        public int variants() {
            return K;
        }

        private NDArray gather(NDManager scope, int[] perVariant) {
            long width = maskLength() + 1L;
            long[] idx = new long[K * perVariant.length];
            for (int k = 0; k < K; k++) {
                for (int j = 0; j < perVariant.length; j++) idx[k * perVariant.length + j] = k * width + perVariant[j] + 1;
            }
            // duplicate(): a created array borrows its Java buffer, which is freed when the array is closed, but
            // autograd keeps the index for backward; a copy owned by libtorch outlives the handle safely
            return padded.take(scope, scope.create(idx).toDevice(model.device(), false).duplicate());
        }

        @Override
        public NDArray senderWeights(NDManager scope, ReceiverGroup rg, int from, int to) {
            int R = rg.rows, n = to - from;
            int[] ids = new int[R * n];
            for (int r = 0; r < R; r++) System.arraycopy(rg.rowIds[r], from, ids, r * n, n);    // −1 gathers the 0 column
            return gather(scope, ids).reshape(K, R, n);
        }

        @Override
        public NDArray directWeights(NDManager scope, int[] directIds) {
            return gather(scope, directIds).reshape(K, H);
        }
    }

    /** A copy owned by the scope (the source may live in a capped manager, so it cannot make the copy itself). */
    private static NDArray copyInto(NDManager scope, NDArray a) {
        return scope.zeros(a.getShape(), a.getDataType(), a.getDevice()).addi(a);
    }

    @Override
    public void close() {
        manager.close();
    }
}
