package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * <p>The contraction for a receiver group with R rows and a sender group of n senders is one matmul:
 * masks [K·R, n] × (cur − abl) [n, B·P·D]. Dimension letters: K variants, B batch, P positions,
 * D d_model, H heads, d d_head.
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
    private final NDArray[] cleanDiffs;         // per sender group: clean − ablated [n, B·P·D]
    private final NDArray[] ablatedFlat;        // per sender group: ablated [n, B·P·D]
    private final NDArray[] ablSums;            // per receiver group: Σ ablated senders + biases [B·P·D]
    private final NDArray[][] qkvDiffs;         // [layer][channel]: clean − ablated hook_q/k/v [B, P, H, d]
    private final List<Node> senderNodes;       // every sender, rows of senderDeltas: group by group, in group order

    /** A set of receivers whose inputs are computed together. */
    private record ReceiverGroup(NodeKind kind, int layer, int rows, int[] senderGroups, int[][][] edgeIds,
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
                case ZERO -> ablated = SenderValues.zerosLike(clean, manager);
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
        cleanDiffs = new NDArray[senderGroupCount];
        ablatedFlat = new NDArray[senderGroupCount];
        for (int sg = 0; sg < senderGroupCount; sg++) {
            NDArray cl = senderArray(clean, sg), ab = senderArray(ablated, sg);
            if (cl == null) continue;
            senderGroupSize[sg] = (int) cl.getShape().get(0);
            ablatedFlat[sg] = ab.reshape(senderGroupSize[sg], bpd);
            cleanDiffs[sg] = cl.sub(ab).reshape(senderGroupSize[sg], bpd);
        }
        qkvDiffs = new NDArray[L][3];
        for (int l = 0; l < L; l++) {
            for (int ch = 0; ch < 3; ch++) qkvDiffs[l][ch] = clean.qkv()[l][ch].sub(ablated.qkv()[l][ch]);
        }
        List<Node> senders = new ArrayList<>();
        for (int sg = 0; sg < senderGroupCount; sg++) senders.addAll(sendersOfGroup(sg));
        senderNodes = List.copyOf(senders);
        groups = buildGroups();
        ablSums = new NDArray[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            ReceiverGroup rg = groups.get(g);
            NDArray sum = manager.zeros(new Shape(bpd));
            for (int sg : rg.senderGroups) sum = sum.add(ablatedFlat[sg].sum(new int[] {0}));
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
        int[][][] ids = new int[senderGroups.length][receivers.size()][];
        for (int i = 0; i < senderGroups.length; i++) {
            for (int r = 0; r < receivers.size(); r++) {
                ids[i][r] = new int[senderGroupSize[senderGroups[i]]];
                Arrays.fill(ids[i][r], -1);
            }
        }
        List<Integer> all = new ArrayList<>();
        int[][] direct = kind == NodeKind.HEAD_INPUT ? new int[3][H] : null;
        for (int r = 0; r < receivers.size(); r++) {
            for (Edge e : graph.inEdges(receivers.get(r))) {
                int sg = senderGroupOf(e.sender());
                int i = indexOf(senderGroups, sg);
                if (i < 0) throw new IllegalStateException("edge " + e + " comes from outside the receiver's sender groups");
                ids[i][r][indexInSenderGroup(e.sender())] = e.id();
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
        return new ReceiverGroup(kind, layer, receivers.size(), senderGroups, ids, direct,
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

    /** The number of tested edges, the length of a mask. */
    /**
     * Bytes of the largest receiver-input tensor one variant adds to a batched pass (a layer's 3·H head inputs,
     * [3H, B·P·D] floats): what a batch of K variants costs K times over in every temporary of that layer.
     */
    public long bytesPerVariant() {
        long rows = 1;
        for (ReceiverGroup g : groups) rows = Math.max(rows, g.rows);
        return rows * bpd * Float.BYTES;
    }

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
        return evaluate(scope, masks, firstChangedGroup(masks));
    }

    /** The same numbers as {@link #logits(NDManager, float[][])}, recomputing every layer: the oracle. */
    public NDArray logitsNonIncremental(NDManager scope, float[][] masks) {
        checkMasks(masks);
        return evaluate(scope, masks, 0);
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
        return evaluate(scope, new TensorMasks(scope, masks), 0);
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
        NDArray out = scope.zeros(new Shape(senderNodes.size(), bpd), DataType.FLOAT32, model.device());
        int row = 0;
        for (int sg = 0; sg < senderGroupCount; sg++) {
            if (cleanDiffs[sg] == null) continue;
            int n = senderGroupSize[sg];
            out.set(new NDIndex(row + ":" + (row + n)), cleanDiffs[sg]);
            row += n;
        }
        return out;
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
        for (int g = 0; g < groups.size(); g++) {
            for (int id : groups.get(g).allInEdgeIds) {
                for (float[] m : masks) if (m[id] != 1f) return g;
            }
        }
        return groups.size();
    }

    private void checkMasks(float[][] masks) {
        if (masks.length == 0) throw new IllegalArgumentException("at least one mask is needed");
        for (int k = 0; k < masks.length; k++) {
            if (masks[k].length != maskLength()) {
                throw new IllegalArgumentException("mask " + k + " has " + masks[k].length + " entries, the graph has "
                        + maskLength() + " tested edges");
            }
        }
    }

    private NDArray evaluate(NDManager scope, float[][] masks, int start) {
        return evaluate(scope, new FloatMasks(masks), start);
    }

    private NDArray evaluate(NDManager scope, MaskSource masks, int start) {
        int K = masks.variants();
        if (start == groups.size()) {
            NDArray clean = copyInto(scope, cleanLogits);
            return K == 1 ? clean : clean.tile(new long[] {K, 1, 1});
        }
        NDArray[] variantDiffs = new NDArray[senderGroupCount];   // [K, n, B·P·D] for recomputed senders
        NDArray bias = attnBias == null ? null : copyInto(scope, attnBias);
        if (bias != null && bias.getShape().get(0) > 1 && K > 1) bias = bias.tile(new long[] {K, 1, 1, 1});
        for (int g = start; g < groups.size(); g++) {
            ReceiverGroup rg = groups.get(g);
            // Each group's temporaries live in their own manager, closed when the group is done; only what later
            // groups read moves to the caller's scope. Otherwise a GPT-2-small pass at [100, 15] would hold tens
            // of GB of receiver inputs until the scope closed. (Autograd keeps what backward needs by itself.)
            try (NDManager step = scope.newSubManager()) {
                NDArray in = receiverInputs(step, g, masks, variantDiffs);       // [K, R, B·P·D]
                NDArray kept;
                switch (rg.kind) {
                    case HEAD_INPUT -> kept = variantDiffs[1 + 2 * rg.layer] = heads(step, rg, in, masks, bias);
                    case MLP_IN -> {
                        NDArray out = model.mlp(rg.layer, in.reshape(K * B, P, D));                   // [K·B, P, D]
                        kept = variantDiffs[2 + 2 * rg.layer] = out.reshape(K, 1, bpd).sub(ablatedFlat[2 + 2 * rg.layer]);
                    }
                    case OUTPUT -> {
                        NDArray logits = model.unembed(in.reshape(K * B, P, D));                       // [K·B, P, V]
                        logits.attach(scope);
                        return logits;
                    }
                    default -> throw new IllegalStateException("unhandled receiver group " + rg.kind);
                }
                kept.attach(scope);
            }
        }
        throw new IllegalStateException("the output group is always last");
    }

    /** Σ over sender groups of masks × (cur − abl), plus Σ ablated + biases: [K, R, B·P·D]. */
    private NDArray receiverInputs(NDManager scope, int group, MaskSource masks, NDArray[] variantDiffs) {
        ReceiverGroup rg = groups.get(group);
        int K = masks.variants(), R = rg.rows;
        NDArray in = null;
        for (int i = 0; i < rg.senderGroups.length; i++) {
            int sg = rg.senderGroups[i], n = senderGroupSize[sg];
            // one [K, R, B·P·D] contribution alive at a time: accumulated in place, its temporaries freed at once
            try (NDManager tmp = scope.newSubManager()) {
                NDArray w = masks.senderWeights(tmp, rg, i, n);                                      // [K, R, n]
                NDArray contrib;
                if (variantDiffs[sg] == null) {
                    contrib = w.reshape((long) K * R, n).matMul(cleanDiffs[sg]).reshape(K, R, bpd);
                } else {
                    contrib = w.matMul(variantDiffs[sg]);
                }
                if (in == null) {
                    contrib.attach(scope);
                    in = contrib;
                } else {
                    in.addi(contrib);
                }
            }
        }
        return in.addi(ablSums[group]);
    }

    /** Recomputes the heads of a layer from their inputs [K, 3H, B·P·D]; returns cur − abl [K, H, B·P·D]. */
    private NDArray heads(NDManager scope, ReceiverGroup rg, NDArray in, MaskSource masks, NDArray bias) {
        int K = masks.variants(), l = rg.layer;
        NDArray byChannel = in.reshape(K, 3, H, B, P, D);
        NDArray[] qkv = new NDArray[3];
        for (Channel ch : Channel.values()) {
            NDArray x = byChannel.get(":, " + ch.ordinal()).transpose(0, 2, 3, 1, 4).reshape((long) K * B, P, H, D);
            NDArray projected = model.project(l, ch, x);                                            // [K·B, P, H, d]
            NDArray m = masks.directWeights(scope, rg.directIds[ch.ordinal()]);                   // [K, H] or null
            if (m != null) {
                NDArray abl = ablated.qkv()[l][ch.ordinal()];                                        // [B, P, H, d]
                NDArray p5 = projected.reshape(K, B, P, H, c.dHead());
                projected = p5.sub(abl).mul(m.reshape(K, 1, 1, H, 1)).add(abl).reshape((long) K * B, P, H, c.dHead());
            }
            qkv[ch.ordinal()] = projected;
        }
        NDArray z = model.attend(l, qkv[0], qkv[1], qkv[2], bias);
        NDArray result = model.headResults(l, z);                                                    // [K·B, P, H, D]
        return result.reshape(K, B, P, H, D).transpose(0, 3, 1, 2, 4).reshape(K, H, bpd)
                .sub(ablatedFlat[1 + 2 * l]);
    }

    /**
     * Where a masked pass reads its edge weights: Java float masks (ACDC's binary masks, no gradient) or a
     * mask NDArray that may require gradient. Both give the same numbers for the same values.
     */
    private interface MaskSource {
        int variants();

        /** The weights of receiver group rg's rows on the senders of its i-th sender group (n of them): [K, R, n]. */
        NDArray senderWeights(NDManager scope, ReceiverGroup rg, int i, int n);

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
        public NDArray senderWeights(NDManager scope, ReceiverGroup rg, int i, int n) {
            int K = masks.length, R = rg.rows;
            float[] w = new float[K * R * n];
            int[][] ids = rg.edgeIds[i];
            for (int k = 0; k < K; k++) {
                for (int r = 0; r < R; r++) {
                    for (int s = 0; s < n; s++) {
                        int id = ids[r][s];
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
        public NDArray senderWeights(NDManager scope, ReceiverGroup rg, int i, int n) {
            int R = rg.rows;
            int[] ids = new int[R * n];
            for (int r = 0; r < R; r++) System.arraycopy(rg.edgeIds[i][r], 0, ids, r * n, n);   // −1 gathers the 0 column
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
