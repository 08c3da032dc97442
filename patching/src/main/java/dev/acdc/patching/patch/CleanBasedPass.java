package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.HookedTransformer.Channel;
import dev.acdc.patching.patch.PatchLayout.ReceiverGroup;

import java.util.ArrayList;
import java.util.List;

import static dev.acdc.patching.patch.PatchTensors.copyInto;
import static dev.acdc.patching.patch.PatchTensors.linear;

/**
 * A masked pass of K variants that starts from the clean values: every receiver group before {@code start} sees
 * them, and the groups from {@code start} on are recomputed for every variant. It serves ACDC's speculative batches
 * (K &gt; 1), passes under autograd (mask NDArrays, SP and EAP) and the non-incremental oracle ({@code start} 0).
 * Single-variant passes without autograd go through {@link BaseState} instead, which recomputes less.
 *
 * <p>Each receiver group's input is masks [K·R, n] × (cur − abl) [n, B·P·D] with the ablated sum fused in as the
 * bias, over the clean rows; the rows this pass recomputes ([K, n', B·P·D]) are collected in a buffer of the pass,
 * or, under autograd, concatenated: an in-place write into a buffer that an earlier matmul saved for backward would
 * invalidate it.
 */
final class CleanBasedPass {
    private final PatchTensors t;
    private final PatchLayout layout;
    private final HookedTransformer model;
    private final int B, P, D, H;
    private final long bpd;

    CleanBasedPass(PatchTensors t) {
        this.t = t;
        this.layout = t.layout;
        this.model = t.model;
        this.B = t.B;
        this.P = t.P;
        this.D = t.D;
        this.H = t.H;
        this.bpd = t.bpd;
    }

    /**
     * Logits [K·B, P, V] (variant-major), or with outputRows (indices into each variant's [B·P] rows) the compact
     * rows [K·N, V] at those rows only.
     */
    NDArray run(NDManager scope, MaskSource masks, int start, long[] outputRows) {
        int K = masks.variants();
        List<ReceiverGroup> groups = layout.groups;
        if (start == groups.size()) {
            NDArray clean = copyInto(scope, t.cleanLogits);
            if (outputRows != null) clean = clean.reshape((long) B * P, -1).get(new NDIndex("{}", index(scope, 1, outputRows)));
            return K == 1 ? clean : clean.tile(outputRows == null ? new long[] {K, 1, 1} : new long[] {K, 1});
        }
        // rows [0, firstNewRow) keep their clean values in this pass; the groups from start on recompute the rest
        ReceiverGroup first = groups.get(start);
        PassRows rows = new PassRows(scope, K, first.firstOwnRow());
        NDArray bias = t.attnBias == null ? null : copyInto(scope, t.attnBias);
        if (bias != null && bias.getShape().get(0) > 1 && K > 1) bias = bias.tile(new long[] {K, 1, 1, 1});
        for (int g = start; g < groups.size(); g++) {
            ReceiverGroup rg = groups.get(g);
            // Each group's temporaries live in their own manager, closed when the group is done; only what later
            // groups read moves to the caller's scope. Otherwise a GPT-2-small pass at [100, 15] would hold tens
            // of GB of receiver inputs until the scope closed. (Autograd keeps what backward needs by itself.)
            try (NDManager step = scope.newSubManager()) {
                NDArray in = rows.receiverInputs(step, g, masks);                           // [K, R, B·P·D]
                switch (rg.kind()) {
                    case HEAD_INPUT -> rows.append(heads(step, rg, in, masks, bias));
                    case MLP_IN -> {
                        NDArray x = in.reshape(K, (long) B * P, D);
                        NDArray out = t.mlpShare(rg.layer(), x, t.mlpRms == null ? null : t.mlpRms[rg.layer()]);   // [K, B·P, D]
                        rows.append(out.reshape(K, 1, bpd).sub(t.ablatedRows[2 + 2 * rg.layer()]));
                    }
                    case OUTPUT -> {
                        NDArray logits;
                        if (outputRows == null) {
                            logits = model.unembed(in.reshape(K * B, P, D));                           // [K·B, P, V]
                        } else {
                            NDArray picked = in.reshape((long) K * B * P, D).get(new NDIndex("{}", index(step, K, outputRows)));
                            logits = model.unembed(picked);                                            // [K·N, V]
                        }
                        logits.attach(scope);
                        return logits;
                    }
                    default -> throw new IllegalStateException("unhandled receiver group " + rg.kind());
                }
            }
        }
        throw new IllegalStateException("the output group is always last");
    }

    /** Indices of the given rows in each of K variants' [B·P] rows, variant-major. */
    private NDArray index(NDManager scope, int K, long[] outputRows) {
        int n = outputRows.length;
        long[] idx = new long[K * n];
        for (int k = 0; k < K; k++) {
            for (int i = 0; i < n; i++) idx[k * n + i] = (long) k * B * P + outputRows[i];
        }
        return scope.create(idx).toDevice(model.device(), false);
    }

    /**
     * The cur − abl rows of one pass: the clean rows before firstNewRow, and the rows this pass recomputes
     * ([K, n, B·P·D] each) in a buffer of the pass or, under autograd, as a list of parts.
     */
    private final class PassRows {
        private final NDManager scope;
        private final int K, firstNewRow;
        private final boolean inPlace;
        private NDArray buffer;                             // [K, S − firstNewRow, B·P·D]: the recomputed rows
        private final List<NDArray> parts = new ArrayList<>();
        private int rows;                                   // recomputed rows so far

        PassRows(NDManager scope, int K, int firstNewRow) {
            this.scope = scope;
            this.K = K;
            this.firstNewRow = firstNewRow;
            this.inPlace = !JniUtils.isGradMode();
        }

        void append(NDArray diffs) {
            int n = (int) diffs.getShape().get(1);
            if (inPlace) {
                if (buffer == null) {
                    buffer = scope.create(new Shape(K, layout.senderRows() - firstNewRow, bpd), DataType.FLOAT32, model.device());
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
            ReceiverGroup rg = layout.groups.get(group);
            int R = rg.rows();
            int nClean = Math.min(rg.senderRows(), firstNewRow), nNew = rg.senderRows() - nClean;
            // a group reads every recomputed row, or (an MLP of a parallel residual) all but its own layer's heads
            if (nNew > rows) {
                throw new IllegalStateException("group " + group + " reads " + nNew + " recomputed rows, " + rows + " exist");
            }
            NDArray wClean = masks.senderWeights(step, rg, 0, nClean).reshape((long) K * R, nClean);
            NDArray in = linear(wClean, t.cleanDiff.get(step, new NDIndex("0:" + nClean)), t.ablSums[group]);   // [K·R, B·P·D]
            if (nNew == 0) return in.reshape(K, R, bpd);
            NDArray wNew = masks.senderWeights(step, rg, nClean, rg.senderRows());                    // [K, R, nNew]
            NDArray newRows = inPlace ? buffer.get(step, new NDIndex(":, 0:" + nNew))
                    : parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 1);   // [K, rows, B·P·D]
            if (!inPlace && nNew < rows) newRows = newRows.get(new NDIndex(":, 0:" + nNew));        // [K, nNew, B·P·D]
            return in.reshape(K, R, bpd).add(wNew.matMul(newRows));
        }
    }

    /**
     * Recomputes the heads of a layer from their inputs [K, H + 2G, B·P·D] (q inputs per head, k and v inputs per
     * key/value head); returns cur − abl [K, H, B·P·D].
     */
    private NDArray heads(NDManager scope, ReceiverGroup rg, NDArray in, MaskSource masks, NDArray bias) {
        int K = masks.variants(), l = rg.layer(), d = t.d;
        long n = (long) K * B * P;
        NDArray[] qkv = new NDArray[3];
        for (Channel ch : Channel.values()) {
            // rows are (channel, head): each channel's inputs are already head-major, [nh, K·B·P, D] once K moves inward
            int nh = layout.channelHeads(ch.ordinal()), first = layout.receiverRow(ch.ordinal(), 0);
            NDArray x = in.get(":, " + first + ":" + (first + nh)).reshape(K, nh, (long) B * P, D);   // [K, nh, B·P, D]
            x = K == 1 ? x.reshape(nh, n, D) : x.transpose(1, 0, 2, 3).reshape(nh, n, D);
            NDArray projected = model.projectHeads(l, ch, x);                                        // [nh, K·B·P, d]
            NDArray m = masks.directWeights(scope, rg.directIds()[ch.ordinal()]);                   // [K, nh] or null
            if (m != null) {
                NDArray abl = t.ablatedQkvByHead[l][ch.ordinal()];                                    // [nh, 1, B·P, d]
                projected = projected.reshape(nh, K, (long) B * P, d).sub(abl).mul(m.transpose().reshape(nh, K, 1, 1))
                        .add(abl).reshape(nh, n, d);
            }
            // [nh, K·B, P, d] -> [K·B, P, nh, d], the layout attend takes (k and v with G heads)
            qkv[ch.ordinal()] = projected.reshape(nh, (long) K * B, P, d).transpose(1, 2, 0, 3);
        }
        NDArray z = model.attend(l, qkv[0], qkv[1], qkv[2], bias);                                 // [K·B, P, H, d]
        NDArray result = model.headResultsByHead(l, z);                                           // [H, K·B·P, D]
        if (t.attnRms != null) {
            // post-norms: each head's share with the clean scale of its (row, position), the same in every variant
            result = t.headShares(l, result.reshape(H, K, (long) B * P, D), t.attnRms[l]).reshape(H, (long) K * B * P, D);
        }
        NDArray byVariant = K == 1 ? result.reshape(1, H, bpd) : result.reshape(H, K, bpd).transpose(1, 0, 2);
        return byVariant.sub(t.ablatedRows[1 + 2 * l]);
    }
}
