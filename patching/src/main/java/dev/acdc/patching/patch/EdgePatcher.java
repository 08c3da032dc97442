package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.HookedTransformer.Channel;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.patch.PatchLayout.ReceiverGroup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

import static dev.acdc.patching.patch.PatchTensors.copyInto;

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
 * <p>How a pass is evaluated ({@link PatchLayout} says where senders and receivers sit):
 * <ul>
 *   <li>One mask, no autograd (ACDC's edge tests): from the previous such pass, the base ({@link BaseState}),
 *       recomputing only the senders whose inputs changed and that the output still depends on; with output rows,
 *       the last layer and the output at those rows only.</li>
 *   <li>Several masks, or a mask NDArray: from the clean values, every receiver group from the first one whose
 *       in-edges differ from intact ({@link CleanBasedPass}).</li>
 *   <li>{@link #logitsNonIncremental}: every receiver group recomputed from the clean values, the oracle for both.</li>
 * </ul>
 * Every sender's cur − abl is a row of one [S, B·P·D] matrix, senders in topological order, so a receiver group's
 * input is one addmm over a prefix of the rows, masks × (cur − abl) with the ablated sum fused in as the bias. The
 * base makes a patcher unsafe for concurrent passes. Dimension letters: K variants, B batch, P positions, D
 * d_model, H heads, d d_head, S senders, N output rows, V output vocabulary.
 */
public final class EdgePatcher implements AutoCloseable {
    private final HookedTransformer model;
    private final CircuitGraph graph;
    private final TransformerConfig c;
    private final ModelInput input;
    private final NDManager manager;
    private final PatchLayout layout;
    private final PatchTensors tensors;
    private final CleanBasedPass cleanBased;
    private final SenderValues ablated;         // views of the ablated rows, and the ablated q/k/v
    private final NDArray corruptedLogits;      // [B, P, V] for resample, else null
    private final NDArray[][] qkvDiffs;         // [layer][channel]: clean − ablated hook_q/k/v [B, P, H, d]
    private final int B, P;
    private final PostNormScales postNormScales;   // the clean run's post-norm scales, or null without post-norms
    private final NDManager baseManager;        // uncapped: the base is made on the first single-variant pass
    private BaseState base;

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
        int D = c.dModel(), H = c.nHeads(), L = c.nLayers();
        long bpd = (long) B * P * D;
        this.manager = NDManager.newBaseManager(model.device());
        this.layout = new PatchLayout(graph);
        NDArray cleanLogits, corr = null, attnBias;
        SenderValues abl;
        PostNormScales scales = null;   // post-norm models: the clean run's, which every sender's share uses
        // the clean values are needed only until the rows are built; each run has its own scope, closed before the
        // next, so that only one run's activations are alive at a time
        try (NDManager cleanValues = manager.newSubManager(); NDManager ablatedValues = manager.newSubManager()) {
            SenderValues clean;
            try (NDManager run = manager.newSubManager()) {
                var captured = SenderValues.capture(model, run, input, List.of());
                clean = captured.values().attachTo(cleanValues);
                cleanLogits = detach(captured.logits());
                if (clean.postNorms() != null) scales = clean.postNorms().attachTo(manager);
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
                        abl = cc.values().attachTo(ablatedValues);
                        corr = detach(cc.logits());
                    }
                    case ZERO -> {
                        // the zero-ablated run itself, as ACDC caches it: zero senders, and the q/k/v the biases give
                        var zc = SenderValues.capture(model, run, input, SenderValues.zeroAblationHooks(c));
                        abl = zc.values().attachTo(ablatedValues);
                    }
                    case MEAN -> abl = SenderValues.meanOf(clean, false, ablatedValues);
                    case MEAN_PER_POSITION -> abl = SenderValues.meanOf(clean, true, ablatedValues);
                    default -> throw new IllegalStateException("unhandled ablation " + ablation);
                }
                NDArray bias = model.attentionBias(run, input);
                attnBias = bias == null ? null : detach(bias);
            }
            // post-norms: every sender's value becomes its share with the clean scale (clean and ablated alike)
            clean = clean.asShares(model, scales);
            abl = abl.asShares(model, scales);
            corruptedLogits = corr;
            List<NDArray> cleanParts = new ArrayList<>(), ablatedParts = new ArrayList<>();
            for (int sg = 0; sg < layout.senderGroupCount; sg++) {
                NDArray cl = senderArray(clean, sg), ab = senderArray(abl, sg);
                int n = layout.senderGroupSize[sg];
                if (n > 0) {
                    cleanParts.add(cl.reshape(n, bpd));
                    ablatedParts.add(ab.reshape(n, bpd));
                }
            }
            NDArray ablatedAll = NDArrays.concat(new NDList(ablatedParts), 0);
            ablatedAll.attach(manager);
            NDArray cleanDiff = NDArrays.concat(new NDList(cleanParts), 0).sub(ablatedAll);
            cleanDiff.attach(manager);
            NDArray[] ablatedRows = new NDArray[layout.senderGroupCount];
            for (int sg = 0; sg < layout.senderGroupCount; sg++) {
                if (layout.senderGroupSize[sg] > 0) ablatedRows[sg] = ablatedAll.get(layout.rowOffset[sg] + ":" + layout.rowOffset[sg + 1]);
            }
            qkvDiffs = new NDArray[L][3];
            NDArray[][] ablatedQkv = new NDArray[L][3];
            NDArray[][] ablatedQkvByHead = new NDArray[L][3];
            for (int l = 0; l < L; l++) {
                for (int ch = 0; ch < 3; ch++) {
                    NDArray a = abl.qkv()[l][ch];                                                        // [B, P, H, d]
                    qkvDiffs[l][ch] = clean.qkv()[l][ch].sub(a);
                    qkvDiffs[l][ch].attach(manager);
                    ablatedQkv[l][ch] = detach(a);
                    long heads = a.getShape().get(2);                                                     // H, or G for k and v
                    ablatedQkvByHead[l][ch] = a.transpose(2, 0, 1, 3).reshape(heads, 1, (long) B * P, c.dHead());
                    ablatedQkvByHead[l][ch].attach(manager);
                }
            }
            ablated = ablatedViews(ablatedAll, ablatedQkv);
            NDArray[] ablSums = new NDArray[layout.groups.size()];
            for (int g = 0; g < layout.groups.size(); g++) {
                ReceiverGroup rg = layout.groups.get(g);
                NDArray sum = ablatedAll.get("0:" + rg.senderRows()).sum(new int[] {0});
                int biasLayers = switch (rg.kind()) {
                    case HEAD_INPUT -> rg.layer();
                    case MLP_IN -> layout.parallel ? rg.layer() : rg.layer() + 1;   // parallel: the block input's biases
                    default -> L;
                };
                for (int l = 0; l < biasLayers; l++) {
                    NDArray b = model.attentionOutputBias(l);
                    // post-norms: the bias's share of the layer's output, g ⊙ b_O / rms_clean, per (row, position)
                    if (scales != null) b = model.postNormWithScale(l, true, sum.reshape(B, P, D).zerosLike().add(b), scales.attention()[l]);
                    sum = sum.reshape(B, P, D).add(b).reshape(bpd);
                }
                ablSums[g] = sum;
            }
            tensors = new PatchTensors(model, layout, B, P, cleanDiff, ablatedRows, ablSums, ablatedQkvByHead, attnBias, cleanLogits,
                    scales);
            postNormScales = scales;
        }
        cleanBased = new CleanBasedPass(tensors);
        baseManager = manager.newSubManager();
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

    /** The ablated values as {@link SenderValues}, their sender outputs views of the ablated rows [S, B·P·D]. */
    private SenderValues ablatedViews(NDArray ablatedAll, NDArray[][] qkv) {
        int D = c.dModel(), L = c.nLayers();
        int E = layout.senderGroupSize[0];
        NDArray embeds = ablatedAll.get("0:" + E).reshape(E, B, P, D);
        NDArray[] heads = new NDArray[L], mlps = new NDArray[L];
        for (int l = 0; l < L; l++) {
            heads[l] = ablatedAll.get(layout.headRow(l, 0) + ":" + (layout.headRow(l, 0) + c.nHeads())).reshape(c.nHeads(), B, P, D);
            mlps[l] = c.attentionOnly() ? null : ablatedAll.get(layout.mlpRow(l)).reshape(B, P, D);
        }
        return new SenderValues(embeds, heads, mlps, qkv);
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
        for (ReceiverGroup g : layout.groups) rows = Math.max(rows, g.rows());
        return (rows + layout.senderRows()) * tensors.bpd * Float.BYTES;
    }

    /** The number of tested edges, the length of a mask. */
    public int maskLength() {
        return graph.edgeCount();
    }

    /** Clean logits [B, P, V], copied into the scope. */
    public NDArray cleanLogits(NDManager scope) {
        return copyInto(scope, tensors.cleanLogits);
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

    /** Logits [K·B, P, V] (variant-major) for K masks. */
    public NDArray logits(NDManager scope, float[][] masks) {
        NDArray rows = evaluate(scope, masks, null);
        return rows.reshape((long) masks.length * B, P, rows.getShape().get(rows.getShape().dimension() - 1));
    }

    /**
     * The logits of K masks at the given rows only, [K·N, V] (variant-major): outputRows index the flattened [B·P]
     * rows of each variant (row-major, as {@code ScoredPositions.flatIndices} gives them). Only those rows are
     * unembedded, and a single-variant pass computes the last layer at those rows only. For GPT-2 small at [100, 15],
     * unembedding one position of fifteen saves 1.4 s of an 8.6 s masked pass.
     */
    public NDArray logitsAt(NDManager scope, float[][] masks, long[] outputRows) {
        return evaluate(scope, masks, checkRows(Objects.requireNonNull(outputRows, "outputRows")));
    }

    private NDArray evaluate(NDManager scope, float[][] masks, long[] outputRows) {
        checkMasks(masks);
        if (masks.length == 1 && !JniUtils.isGradMode()) {
            if (allOnes(masks[0])) return cleanBased.run(scope, MaskSource.of(masks, model.device()), layout.groups.size(), outputRows);
            if (base == null || !base.servesRows(outputRows)) {
                if (base != null) base.close();
                base = null;
                base = new BaseState(tensors, baseManager, maskLength(), outputRows);
            }
            try {
                return base.pass(scope, masks[0]);
            } catch (RuntimeException e) {
                base.close();
                base = null;
                throw e;
            }
        }
        int start = MaskChecks.firstChangedGroup(layout.groups, ReceiverGroup::allInEdgeIds, masks);
        return cleanBased.run(scope, MaskSource.of(masks, model.device()), start, outputRows);
    }

    private static boolean allOnes(float[] mask) {
        for (float m : mask) if (m != 1f) return false;
        return true;
    }

    /** The same numbers as {@link #logits(NDManager, float[][])}, recomputing everything from the clean values: the oracle. */
    public NDArray logitsNonIncremental(NDManager scope, float[][] masks) {
        checkMasks(masks);
        return cleanBased.run(scope, MaskSource.of(masks, model.device()), 0, null);
    }

    /** {@link #logitsNonIncremental(NDManager, float[][])} at the given rows only, [K·N, V] (see {@link #logitsAt}). */
    public NDArray logitsNonIncrementalAt(NDManager scope, float[][] masks, long[] outputRows) {
        checkMasks(masks);
        return cleanBased.run(scope, MaskSource.of(masks, model.device()), 0, checkRows(Objects.requireNonNull(outputRows, "outputRows")));
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
     * for the same values. Always non-incremental: an incremental pass would take the cached values of
     * the first groups and cut their masks out of the graph.
     */
    public NDArray logits(NDManager scope, NDArray masks) {
        Shape s = masks.getShape();
        if (s.dimension() < 1 || s.dimension() > 2 || s.get(s.dimension() - 1) != maskLength()) {
            throw new IllegalArgumentException("a mask NDArray must be [E] or [K, E] with E = " + maskLength()
                    + " tested edges, found " + s);
        }
        if (s.dimension() == 2 && s.get(0) == 0) throw new IllegalArgumentException("at least one mask is needed");
        return cleanBased.run(scope, MaskSource.of(scope, masks, maskLength(), model.device()), 0, null);
    }

    private void checkMasks(float[][] masks) {
        MaskChecks.check(masks, maskLength());
    }

    // ------------------------------------------------------------------ sender values (for attribution methods)

    /** Every sender node, in the row order of {@link #senderDeltas}: embedding(s), then per layer the heads and the MLP. */
    public List<Node> senderNodes() {
        return layout.senderNodes;
    }

    /**
     * clean − ablated output of every sender, [S, B·P·D] in the row order of {@link #senderNodes()}, flattened
     * as [B, P, D]; a copy owned by the scope (S·B·P·D floats: free it when done).
     */
    public NDArray senderDeltas(NDManager scope) {
        return copyInto(scope, tensors.cleanDiff);
    }

    /**
     * clean − ablated {@code attn.hook_q|k|v} of a layer [B, P, H, d] (the direct edges' senders; k and v [B, P, G, d]
     * under grouped-query attention), copied into the scope.
     */
    public NDArray qkvDelta(NDManager scope, int layer, Channel channel) {
        return copyInto(scope, qkvDiffs[layer][channel.ordinal()]);
    }

    /**
     * Hooks that fix every post-norm's scale to the clean run's (see {@link PostNormScales}): a forward of the model
     * with them computes what this patcher computes at the all-ones mask, and its gradients are the linearised
     * model's (EAP, EAP-IG). Empty without post-norms.
     */
    public List<Hook> postNormHooks() {
        return postNormScales == null ? List.of() : postNormScales.fixingHooks();
    }

    /**
     * The ablated embedding outputs [E, B, P, D], copied into the scope: E = 2 ({@code hook_embed},
     * {@code hook_pos_embed}) when the config has separate embedding nodes, else E = 1 (their sum).
     */
    public NDArray ablatedEmbeddings(NDManager scope) {
        return copyInto(scope, ablated.embeds());
    }

    @Override
    public void close() {
        manager.close();
    }
}
