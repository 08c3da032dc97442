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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.acdc.patching.patch.PatchTensors.copyInto;
import static dev.acdc.patching.patch.PatchTensors.linear;

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
 * <p>Inside a receiver group, receivers whose mask rows are identical share one input: one contraction row, one
 * LayerNorm and one projection for all of them (with every mask 1, a layer's heads are the fused q/k/v projection
 * of a forward). Temporaries are per group and freed when the group is done; the base's buffers are made once.
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
    private final NDArray[] scoredAblSums;  // per receiver group that reads scored rows: [N·D]
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
        if (compact) {
            scoredIndex = manager.create(outputRows).toDevice(model.device(), false);
            scoredRows = atScored(manager, rows, layout.senderRows());
            scoredAblSums = new NDArray[layout.groups.size()];
            for (int g = 0; g < layout.groups.size(); g++) {
                ReceiverGroup rg = layout.groups.get(g);
                if (rg.layer() >= lastLayer) scoredAblSums[g] = atScored(manager, copyInto(manager, t.ablSums[g]).reshape(1, t.bpd), 1).reshape((long) N * t.D);
            }
        } else {
            scoredIndex = null;
            scoredRows = null;
            scoredAblSums = null;
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
                    case MLP_IN -> mlp(step, g, rg, mask);
                    case OUTPUT -> {
                        boolean scored = compact;
                        NDArray x = inputs(step, g, rg, new int[] {0}, mask, scored).values[0];
                        logits = model.unembed(x.reshape(N, t.D));                                   // [N, V]
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

    /** Unique receiver inputs of a group: values[u] [rowsAt, D] (flattened [rowsAt·D] rows), and which one each receiver uses. */
    private record Inputs(NDArray[] values, int[] of) {}

    /**
     * The inputs Σ_s m(s,r)·rows_s + Σ abl of the given receivers of group g, receivers with identical mask rows sharing
     * one; at the scored rows or at every row.
     */
    private Inputs inputs(NDManager step, int g, ReceiverGroup rg, int[] receivers, float[] mask, boolean scored) {
        int n = rg.senderRows();
        Map<Row, Integer> unique = new HashMap<>();
        List<float[]> weights = new ArrayList<>();
        int[] of = new int[receivers.length];
        for (int i = 0; i < receivers.length; i++) {
            int[] ids = rg.rowIds()[receivers[i]];
            float[] w = new float[n];
            for (int s = 0; s < n; s++) w[s] = ids[s] < 0 ? 0f : mask[ids[s]];
            Integer u = unique.get(new Row(w));
            if (u == null) {
                u = weights.size();
                unique.put(new Row(w), u);
                weights.add(w);
            }
            of[i] = u;
        }
        int U = weights.size();
        float[] flat = new float[U * n];
        for (int u = 0; u < U; u++) System.arraycopy(weights.get(u), 0, flat, u * n, n);
        NDArray w = step.create(flat, new Shape(U, n)).toDevice(model.device(), false);
        NDArray src = scored ? scoredRows : rows;
        NDArray ablSum = scored ? scoredAblSums[g] : t.ablSums[g];
        NDArray x = linear(w, src.get(step, new NDIndex("0:" + n)), ablSum);                       // [U, rows·D]
        long at = scored ? N : (long) t.B * t.P;
        NDArray[] values = new NDArray[U];
        for (int u = 0; u < U; u++) values[u] = x.get(u).reshape(at, t.D);
        return new Inputs(values, of);
    }

    /** A mask row as a map key. */
    private record Row(float[] w) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && Arrays.equals(w, r.w);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(w);
        }
    }

    private void mlp(NDManager step, int g, ReceiverGroup rg, float[] mask) {
        boolean scored = compact && rg.layer() == lastLayer;
        NDArray x = inputs(step, g, rg, new int[] {0}, mask, scored).values[0];                   // [rows, D]
        NDArray out = model.mlp(rg.layer(), x);
        write(step, rg.firstOwnRow(), out, scored);
    }

    /** Stores a recomputed sender value [rows, D] as cur − abl in the base, and its scored rows beside it. */
    private void write(NDManager step, int row, NDArray value, boolean scoredOnly) {
        NDArray abl = t.ablatedRow(step, row);                                                       // [B·P·D]
        if (scoredOnly) {
            NDArray diff = value.reshape(1, (long) N * t.D).subi(atScored(step, abl.reshape(1, t.bpd), 1));
            scoredRows.set(new NDIndex(row + ":" + (row + 1)), diff);
            return;
        }
        NDArray diff = value.reshape(1, t.bpd).subi(abl.reshape(1, t.bpd));
        rows.set(new NDIndex(row + ":" + (row + 1)), diff);
        if (compact) scoredRows.set(new NDIndex(row + ":" + (row + 1)), atScored(step, diff, 1));
    }

    /** Recomputes the heads of layer rg.layer that the plan marks, from their q, k and v inputs. */
    private void heads(NDManager step, int g, ReceiverGroup rg, float[] mask, PassPlan plan) {
        int l = rg.layer(), H = t.H;
        int[] hs = IntStream.range(0, H).filter(h -> plan.recompute[rg.firstOwnRow() + h]).toArray();
        boolean last = compact && l == lastLayer;
        long bp = (long) t.B * t.P;
        NDArray[] qkv = new NDArray[3];
        for (Channel ch : Channel.values()) {
            boolean scored = last && ch == Channel.Q;
            qkv[ch.ordinal()] = channel(step, g, rg, ch, hs, mask, scored);                        // [rows, h', d]
        }
        NDArray q = qkv[0];
        if (last) {
            // the queries exist at the scored rows only: attention of every row, read at those rows
            NDArray all = step.zeros(new Shape(bp, hs.length, t.d), q.getDataType(), q.getDevice());
            all.set(new NDIndex("{}", scoredIndex), q);
            q = all;
        }
        NDArray z = model.attend(l, q.reshape(t.B, t.P, hs.length, t.d), qkv[1].reshape(t.B, t.P, hs.length, t.d),
                qkv[2].reshape(t.B, t.P, hs.length, t.d), t.attnBias).reshape(bp, hs.length, t.d);   // [B·P, h', d]
        if (last) z = z.get(new NDIndex("{}", scoredIndex));                                        // [N, h', d]
        for (int j = 0; j < hs.length; j++) {
            NDArray result = model.headResult(l, hs[j], z.get(new NDIndex(":, " + j)));             // [rows, D]
            write(step, rg.firstOwnRow() + hs[j], result, last);
        }
    }

    /**
     * One channel's q (k, v) of the heads hs [rows, h', d], direct edges applied: a head whose direct edge is 0 takes
     * the ablated value without reading its input, 1 the projection, anything else abl + m·(projection − abl).
     */
    private NDArray channel(NDManager step, int g, ReceiverGroup rg, Channel ch, int[] hs, float[] mask, boolean scored) {
        int l = rg.layer(), H = t.H;
        int c = ch.ordinal();
        List<Integer> projected = new ArrayList<>();
        for (int h : hs) if (mask[rg.directIds()[c][h]] != 0f) projected.add(h);
        NDArray[] pieces = new NDArray[hs.length];                                                   // each [rows, d]
        NDArray whole = null;                                                                        // [rows, h', d] when one projection covers hs
        if (!projected.isEmpty()) {
            int[] receivers = projected.stream().mapToInt(h -> c * H + h).toArray();
            Inputs in = inputs(step, g, rg, receivers, mask, scored);
            // one projection per unique input, for every head that reads it
            NDArray[] perHead = new NDArray[H];
            for (int u = 0; u < in.values.length; u++) {
                List<HeadInput> reading = new ArrayList<>();
                for (int i = 0; i < receivers.length; i++) if (in.of[i] == u) reading.add(new HeadInput(ch, projected.get(i)));
                NDArray y = model.projectShared(l, in.values[u], reading);                           // [rows, k, d]
                if (in.values.length == 1 && reading.size() == hs.length) whole = y;
                for (int j = 0; j < reading.size(); j++) perHead[reading.get(j).head()] = y.get(new NDIndex(":, " + j));
            }
            for (int j = 0; j < hs.length; j++) pieces[j] = perHead[hs[j]];
        }
        boolean intact = true;
        for (int j = 0; j < hs.length; j++) {
            float m = mask[rg.directIds()[c][hs[j]]];
            if (m == 1f) continue;
            intact = false;
            NDArray abl = ablatedQkv(step, l, c, hs[j], scored);                                     // [rows, d]
            pieces[j] = m == 0f ? abl : pieces[j].sub(abl).muli(m).addi(abl);
        }
        if (intact && whole != null) return whole;
        return NDArrays.stack(new NDList(pieces), 1);
    }

    /** The ablated q (k, v) of one head at every row [B·P, d] or at the scored rows [N, d]. */
    private NDArray ablatedQkv(NDManager step, int layer, int channel, int head, boolean scored) {
        NDArray a = t.ablatedQkvByHead[layer][channel].get(step, new NDIndex(head)).reshape((long) t.B * t.P, t.d);
        return scored ? a.get(new NDIndex("{}", scoredIndex)) : a;
    }

    @Override
    public void close() {
        manager.close();
    }
}
