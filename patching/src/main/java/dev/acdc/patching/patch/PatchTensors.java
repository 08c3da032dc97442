package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.acdc.patching.model.HookedTransformer;

/**
 * What every masked pass reads and no pass changes: the model, the layout, the clean − ablated rows of every sender,
 * the ablated values, each receiver group's ablated sum, the attention mask and the clean logits. Built by
 * {@link EdgePatcher}, which owns the arrays. Dimension letters as in {@link EdgePatcher}.
 */
final class PatchTensors {
    final HookedTransformer model;
    final PatchLayout layout;
    final int B, P, D, H, d;
    final long bpd;
    final NDArray cleanDiff;             // clean − ablated of every sender [S, B·P·D]
    final NDArray[] ablatedRows;         // per sender group: ablated [n, B·P·D], or null when the group is empty
    final NDArray[] ablSums;             // per receiver group: Σ ablated senders it reads + the b_O of earlier layers [B·P·D]
    final NDArray[][] ablatedQkvByHead;  // [layer][channel]: ablated hook_q/k/v as [H, 1, B·P, d] (k, v: [G, 1, B·P, d])
    final NDArray attnBias;              // [B or 1, 1, P, P] or null
    final NDArray cleanLogits;           // [B, P, V]
    final NDArray[] attnRms, mlpRms;     // post-norm models: per layer the clean run's ln1_post / ln2_post rms [B·P, 1]; else null

    PatchTensors(HookedTransformer model, PatchLayout layout, int batch, int positions, NDArray cleanDiff,
                 NDArray[] ablatedRows, NDArray[] ablSums, NDArray[][] ablatedQkvByHead, NDArray attnBias, NDArray cleanLogits,
                 PostNormScales scales) {
        this.model = model;
        this.layout = layout;
        this.B = batch;
        this.P = positions;
        this.D = layout.config.dModel();
        this.H = layout.config.nHeads();
        this.d = layout.config.dHead();
        this.bpd = (long) B * P * D;
        this.cleanDiff = cleanDiff;
        this.ablatedRows = ablatedRows;
        this.ablSums = ablSums;
        this.ablatedQkvByHead = ablatedQkvByHead;
        this.attnBias = attnBias;
        this.cleanLogits = cleanLogits;
        if (scales == null) {
            attnRms = mlpRms = null;
        } else {
            int L = layout.config.nLayers();
            attnRms = new NDArray[L];
            mlpRms = new NDArray[L];
            for (int l = 0; l < L; l++) {
                attnRms[l] = scales.attention()[l].reshape((long) B * P, 1);
                mlpRms[l] = scales.mlp()[l] == null ? null : scales.mlp()[l].reshape((long) B * P, 1);
            }
        }
    }

    /** Recomputed head results [H', n, D] (n a multiple of B·P, or rows at the given rms rows) as shares: post-norms only scale them. */
    NDArray headShares(int layer, NDArray results, NDArray rmsRows) {
        return attnRms == null ? results : model.postNormWithScale(layer, true, results, rmsRows);
    }

    /** The MLP's share for its input x [.., D], with the rms of x's rows [.., 1] (post-norms), else the MLP's output. */
    NDArray mlpShare(int layer, NDArray x, NDArray rmsRows) {
        return mlpRms == null ? model.mlp(layer, x) : model.postNormWithScale(layer, false, model.mlpBeforePostNorm(layer, x), rmsRows);
    }

    /** The ablated output of sender row s: [B·P·D], a view in the scope. */
    NDArray ablatedRow(NDManager scope, int s) {
        int sg = 0;
        while (layout.rowOffset[sg + 1] <= s) sg++;
        return ablatedRows[sg].get(scope, new NDIndex(s - layout.rowOffset[sg]));
    }

    /** A copy owned by the scope (the source may live in a capped manager, so it cannot make the copy itself). */
    static NDArray copyInto(NDManager scope, NDArray a) {
        return scope.zeros(a.getShape(), a.getDataType(), a.getDevice()).addi(a);
    }

    /** bias + w·rows in one addmm: w [N, n], rows [n, M], bias [M] or [N, M]. */
    static NDArray linear(NDArray w, NDArray rows, NDArray bias) {
        // linear multiplies by the transpose of its [out, in] weight: rows.T is a view
        return HookedTransformer.linear(w, rows.transpose(), bias);
    }
}
