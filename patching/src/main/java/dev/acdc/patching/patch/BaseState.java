package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.HookedTransformer.Channel;
import dev.acdc.patching.model.HookedTransformer.HeadInput;
import dev.acdc.patching.patch.PatchLayout.ReceiverGroup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static dev.acdc.patching.patch.PatchTensors.copyInto;

/**
 * Single-variant passes, each from the state the previous one left: the <em>base</em>, the cur − abl rows of every
 * sender under the last pass's mask. ACDC's consecutive masks differ only in the in-edges of one receiver, so a
 * pass recomputes only what {@link PassPlan} finds changed: at the receiver's own layer, the heads (or the MLP)
 * whose inputs differ, and downstream whatever reads a changed sender, among the senders the output still depends
 * on. Every other row comes from the base. The result becomes the new base.
 *
 * <p>With scored rows (the positions a metric reads), the last layer and the output are computed at those rows
 * only: keys and values of the last layer at every position (attention reads them), its queries, attention output,
 * head results and MLP at the scored rows. The base keeps the last layer's senders at the scored rows only
 * ({@code scoredRows}, [S, N·D]; every consumer of those rows is position-wise), and the scored rows of the earlier
 * senders beside the full ones.
 *
 * <p>Receivers with identical mask rows share one input ({@link ReceiverInputs}), one LayerNorm and one projection:
 * with every mask 1, a layer's heads are the fused q/k/v projection of a forward. Temporaries are per receiver
 * group and freed when the group is done; the base's buffers are made once.
 */
final class BaseState implements AutoCloseable {
    private final PatchTensors t;
    private final PatchLayout layout;
    private final HookedTransformer model;
    private final NDManager manager;
    private final long[] outputRows;        // null: every row
    private final int N;                    // rows the output is computed at
    private final boolean compact;          // the last layer and the output at the N scored rows only
    private final int lastLayer;
    private final NDArray rows;             // [S, B·P·D]
    private final NDArray scoredRows;       // [S, N·D] when compact, else null
    private final NDArray scoredIndex;      // [N] when compact
    private final ReceiverInputs fullInputs, scoredInputs;
    private float[] baseMask;
    private boolean[] valid;
    private boolean broken;                 // a pass failed half-way: the rows no longer match baseMask

    BaseState(PatchTensors t, NDManager parent, int maskLength, long[] outputRows) {
        this.t = t;
        this.layout = t.layout;
        this.model = t.model;
        this.manager = parent.newSubManager();
        this.outputRows = outputRows == null ? null : outputRows.clone();
        long bp = (long) t.B * t.P;
        this.compact = outputRows != null && outputRows.length < bp;
        this.N = outputRows == null ? (int) bp : outputRows.length;
        this.lastLayer = layout.config.nLayers() - 1;
        rows = copyInto(manager, t.cleanDiff);
        fullInputs = new ReceiverInputs(manager, rows, t.ablSums, layout.groups, true);
        if (compact) {
            scoredIndex = manager.create(outputRows).toDevice(model.device(), false);
            scoredRows = atScored(manager, rows, layout.senderRows());
            NDArray[] scoredAblSums = new NDArray[layout.groups.size()];
            for (int g = 0; g < layout.groups.size(); g++) {
                if (layout.groups.get(g).layer() >= lastLayer) {
                    scoredAblSums[g] = atScored(manager, copyInto(manager, t.ablSums[g]).reshape(1, t.bpd), 1).reshape((long) N * t.D);
                }
            }
            scoredInputs = new ReceiverInputs(manager, scoredRows, scoredAblSums, layout.groups, false);
        } else {
            scoredIndex = null;
            scoredRows = null;
            scoredInputs = null;
        }
        baseMask = new float[maskLength];
        Arrays.fill(baseMask, 1f);
        valid = new boolean[layout.senderRows()];
        Arrays.fill(valid, true);
    }

    /** Whether this base serves passes that compute the output at these rows. */
    boolean servesRows(long[] rowsAsked) {
        return Arrays.equals(outputRows, rowsAsked);
    }

    /** [n, B·P·D] rows → their scored rows [n, N·D], in the scope. */
    private NDArray atScored(NDManager scope, NDArray fullRows, long n) {
        return fullRows.reshape(n, (long) t.B * t.P, t.D).get(scope, new NDIndex(":, {}", scoredIndex)).reshape(n, (long) N * t.D);
    }

    /**
     * The logits [N, V] at the output rows (every row, [B·P, V], without them) under one mask, in the scope; the
     * mask and its rows become the base.
     */
    NDArray pass(NDManager scope, float[] mask) {
        if (broken) throw new IllegalStateException("a failed pass left the base inconsistent; make a new one");
        PassPlan plan = PassPlan.of(layout, mask, baseMask, valid);
        broken = true;
        NDArray logits = null;
        for (int g = 0; g < layout.groups.size(); g++) {
            ReceiverGroup rg = layout.groups.get(g);
            if (rg.kind() != NodeKind.OUTPUT && !plan.recomputesAny(rg.firstOwnRow(), rg.ownRows())) continue;
            try (NDManager step = scope.newSubManager()) {
                switch (rg.kind()) {
                    case HEAD_INPUT -> heads(step, g, rg, mask, plan);
                    case MLP_IN -> {
                        boolean scored = compact && rg.layer() == lastLayer;
                        NDArray x = input(step, g, rg.layer() == lastLayer, mask);                       // [rows, D]
                        NDArray rms = t.mlpRms == null ? null : rmsRows(step, t.mlpRms[rg.layer()], scored);
                        write(step, rg.firstOwnRow(), 1, t.mlpShare(rg.layer(), x, rms).expandDims(0), scored);
                    }
                    case OUTPUT -> {
                        logits = model.unembed(input(step, g, true, mask));                                  // [N, V]
                        logits.attach(scope);
                    }
                    default -> throw new IllegalStateException("unhandled receiver group " + rg.kind());
                }
            }
        }
        valid = plan.validAfter(valid);
        baseMask = mask.clone();
        broken = false;
        return logits;
    }

    /** The one receiver of an MLP or output group, at the scored rows when lastPart and compact: [rows, D]. */
    private NDArray input(NDManager step, int g, boolean lastPart, float[] mask) {
        boolean scored = compact && lastPart;
        NDArray x = (scored ? scoredInputs : fullInputs).of(step, g, new int[] {0}, mask).values()[0];
        return x.reshape(scored ? N : (long) t.B * t.P, t.D);
    }

    /**
     * Stores recomputed sender values [n, rows, D] as cur − abl in sender rows [row, row + n) of the base, and
     * their scored rows beside them; with scoredOnly (the last layer, compact) in the scored rows alone.
     */
    private void write(NDManager step, int row, int n, NDArray values, boolean scoredOnly) {
        NDIndex at = new NDIndex(row + ":" + (row + n));
        NDArray abl = t.ablatedRows[sgOf(row)].get(step, new NDIndex((row - layout.rowOffset[sgOf(row)]) + ":"
                + (row - layout.rowOffset[sgOf(row)] + n)));                                                // [n, B·P·D]
        if (scoredOnly) {
            scoredRows.set(at, values.reshape(n, (long) N * t.D).subi(atScored(step, abl, n)));
            return;
        }
        NDArray diff = values.reshape(n, t.bpd).subi(abl);
        rows.set(at, diff);
        fullInputs.rowsWritten(row, row + n);
        if (compact) scoredRows.set(at, atScored(step, diff, n));
    }

    private int sgOf(int row) {
        int sg = 0;
        while (layout.rowOffset[sg + 1] <= row) sg++;
        return sg;
    }

    /** Recomputes the heads of layer rg.layer that the plan marks, from their q, k and v inputs. */
    private void heads(NDManager step, int g, ReceiverGroup rg, float[] mask, PassPlan plan) {
        int l = rg.layer();
        int[] hs = IntStream.range(0, t.H).filter(h -> plan.recompute[rg.firstOwnRow() + h]).toArray();
        boolean last = compact && l == lastLayer;
        long bp = (long) t.B * t.P;
        Projections p = new Projections(hs.length);
        if (last) {
            project(step, g, rg, hs, mask, List.of(Channel.K, Channel.V), false, p);   // keys and values at every row
            project(step, g, rg, hs, mask, List.of(Channel.Q), true, p);               // queries at the scored rows
        } else {
            project(step, g, rg, hs, mask, List.of(Channel.values()), false, p);
        }
        NDArray[] qkv = new NDArray[3];
        for (Channel ch : Channel.values()) qkv[ch.ordinal()] = assemble(step, rg, ch, hs, mask, last && ch == Channel.Q, p);
        NDArray q = qkv[0];                                                                            // [rows, h', d]
        if (last) {
            // the queries exist at the scored rows only: attention of every row, read at those rows
            NDArray all = step.zeros(new Shape(bp, hs.length, t.d), q.getDataType(), q.getDevice());
            all.set(new NDIndex("{}", scoredIndex), q);
            q = all;
        }
        NDArray z = model.attend(l, q.reshape(t.B, t.P, hs.length, t.d), qkv[1].reshape(t.B, t.P, hs.length, t.d),
                qkv[2].reshape(t.B, t.P, hs.length, t.d), t.attnBias).reshape(bp, hs.length, t.d);   // [B·P, h', d]
        if (last) z = z.get(new NDIndex("{}", scoredIndex));                                        // [N, h', d]
        NDArray rms = t.attnRms == null ? null : rmsRows(step, t.attnRms[l], last);
        for (int j = 0; j < hs.length; j++) {
            NDArray result = t.headShares(l, model.headResult(l, hs[j], z.get(new NDIndex(":, " + j))), rms);   // [rows, D]
            write(step, rg.firstOwnRow() + hs[j], 1, result.expandDims(0), last);
        }
    }

    /** A post-norm's clean rms [B·P, 1] at every row, or at the scored rows [N, 1]. */
    private NDArray rmsRows(NDManager step, NDArray rms, boolean scored) {
        return scored ? rms.get(step, new NDIndex("{}", scoredIndex)) : rms;
    }

    /** Projected q, k, v of the heads being recomputed: one [rows, d] per channel and head, or a whole [rows, h', d]. */
    private static final class Projections {
        final NDArray[][] perHead = new NDArray[3][];
        final NDArray[] whole = new NDArray[3];

        Projections(int heads) {
            for (int c = 0; c < 3; c++) perHead[c] = new NDArray[heads];
        }
    }

    /**
     * Projects the inputs of the given channels for the heads hs whose direct edge is not 0: one contraction for all
     * of them, then one projection per distinct input, for every (channel, head) that reads it.
     */
    private void project(NDManager step, int g, ReceiverGroup rg, int[] hs, float[] mask, List<Channel> channels,
                         boolean scored, Projections p) {
        List<HeadInput> pairs = new ArrayList<>();
        List<int[]> slot = new ArrayList<>();          // per pair: the positions j in hs of the heads that read it
        for (Channel ch : channels) {
            int c = ch.ordinal();
            if (c == 0 || !layout.grouped) {
                for (int j = 0; j < hs.length; j++) {
                    if (mask[rg.directIds()[c][hs[j]]] == 0f) continue;
                    pairs.add(new HeadInput(ch, hs[j]));
                    slot.add(new int[] {j});
                }
            } else {
                // grouped-query attention: one k (v) per key/value group, for every head of hs in the group
                for (int i = 0; i < layout.kvHeads; i++) {
                    if (mask[rg.directIds()[c][i]] == 0f) continue;
                    final int group = i;
                    int[] js = IntStream.range(0, hs.length).filter(j -> layout.groupOf(hs[j]) == group).toArray();
                    if (js.length == 0) continue;
                    pairs.add(new HeadInput(ch, i));
                    slot.add(js);
                }
            }
        }
        if (pairs.isEmpty()) return;
        int[] receivers = pairs.stream().mapToInt(x -> layout.receiverRow(x.channel().ordinal(), x.head())).toArray();
        ReceiverInputs.Inputs in = (scored ? scoredInputs : fullInputs).of(step, g, receivers, mask);
        long at = scored ? N : (long) t.B * t.P;
        for (int u = 0; u < in.values().length; u++) {
            List<HeadInput> reading = new ArrayList<>();
            List<int[]> slots = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                if (in.of()[i] == u) {
                    reading.add(pairs.get(i));
                    slots.add(slot.get(i));
                }
            }
            NDArray y = model.projectShared(rg.layer(), in.values()[u].reshape(at, t.D), reading);   // [rows, k, d]
            for (int i = 0; i < reading.size(); i++) {
                int c = reading.get(i).channel().ordinal();
                NDArray yi = y.get(new NDIndex(":, " + i));
                for (int j : slots.get(i)) p.perHead[c][j] = yi;
                // a channel whose heads hs all read this input, in order: its [rows, h', d] is a slice of y
                if (slots.get(i).length == 1 && slots.get(i)[0] == 0 && i + hs.length <= reading.size()) {
                    boolean run = true;
                    for (int j = 0; j < hs.length && run; j++) {
                        run = reading.get(i + j).channel().ordinal() == c && slots.get(i + j).length == 1 && slots.get(i + j)[0] == j;
                    }
                    if (run) p.whole[c] = y.get(new NDIndex(":, " + i + ":" + (i + hs.length)));
                }
            }
        }
    }

    /**
     * One channel's q (k, v) of the heads hs [rows, h', d], direct edges applied: a head whose direct edge is 0 takes
     * the ablated value without reading its input, 1 the projection, anything else abl + m·(projection − abl).
     */
    private NDArray assemble(NDManager step, ReceiverGroup rg, Channel ch, int[] hs, float[] mask, boolean scored, Projections p) {
        int c = ch.ordinal();
        NDArray[] pieces = p.perHead[c].clone();
        boolean intact = true;
        for (int j = 0; j < hs.length; j++) {
            int i = c == 0 || !layout.grouped ? hs[j] : layout.groupOf(hs[j]);     // k, v: the head's key/value group
            float m = mask[rg.directIds()[c][i]];
            if (m == 1f) continue;
            intact = false;
            NDArray abl = ablatedQkv(step, rg.layer(), c, i, scored);                                // [rows, d]
            pieces[j] = m == 0f ? abl : pieces[j].sub(abl).muli(m).addi(abl);
        }
        if (intact && p.whole[c] != null) return p.whole[c];
        return NDArrays.stack(new NDList(pieces), 1);
    }

    /** The ablated q (k, v) of one head (k, v: one key/value head) at every row [B·P, d] or at the scored rows [N, d]. */
    private NDArray ablatedQkv(NDManager step, int layer, int channel, int head, boolean scored) {
        NDArray a = t.ablatedQkvByHead[layer][channel].get(step, new NDIndex(head)).reshape((long) t.B * t.P, t.d);
        return scored ? a.get(new NDIndex("{}", scoredIndex)) : a;
    }

    @Override
    public void close() {
        manager.close();
    }
}
