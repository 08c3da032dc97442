package dev.acdc.patching.patch;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.patch.PatchLayout.ReceiverGroup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.acdc.patching.patch.PatchTensors.linear;

/**
 * The inputs of receivers in a {@link BaseState} pass, {@code Σ_s m(s,r)·rows_s + Σ abl + biases} over the group's
 * sender rows [0, n) of one matrix of rows ([S, M]: every row of the batch, or the scored rows only).
 *
 * <p>Receivers whose mask rows are identical share one input (with every mask 1, a layer's 3H head inputs are one).
 * Each distinct mask row w is contracted over the fewest rows it needs: the rows where w ≠ 0 (a receiver that keeps
 * few edges), or, with prefix sums, the rows where w ≠ 1, as {@code Σ_s rows_s + Σ_s (w_s − 1)·rows_s} (a receiver
 * that removed few): at GPT-2 small on [100, 15] every row is 4.6 MB, and a layer-11 input reads 144 of them. The
 * prefix sum of a group, {@code Σ_{s<n} rows_s} as stored (stale rows included, so the identity holds whatever they
 * hold), is kept between passes and recomputed from the nearest earlier one when rows below n were rewritten.
 */
final class ReceiverInputs {
    private final NDArray rows;             // [S, M], not owned
    private final NDArray[] ablSums;        // per receiver group [M], or null for groups that never read these rows
    private final List<ReceiverGroup> groups;
    private final boolean prefixSums;
    private final NDManager manager;        // owns the prefix sums
    private final NDArray[] prefix;         // per group: Σ_{s < senderRows} rows_s, or null when not computed or stale
    private final Device device;

    ReceiverInputs(NDManager parent, NDArray rows, NDArray[] ablSums, List<ReceiverGroup> groups, boolean prefixSums) {
        this.rows = rows;
        this.ablSums = ablSums;
        this.groups = groups;
        this.prefixSums = prefixSums;
        this.manager = parent.newSubManager();
        this.prefix = new NDArray[groups.size()];
        this.device = rows.getDevice();
    }

    /** Unique inputs values[u] [M] (in the step's scope), and the one each asked receiver uses. */
    record Inputs(NDArray[] values, int[] of) {}

    /** The inputs of the given receivers (rows of rg.rowIds) of group g under the mask. */
    Inputs of(NDManager step, int g, int[] receivers, float[] mask) {
        ReceiverGroup rg = groups.get(g);
        int n = rg.senderRows();
        Map<Row, Integer> unique = new HashMap<>();
        List<float[]> weights = new ArrayList<>();
        int[] of = new int[receivers.length];
        for (int i = 0; i < receivers.length; i++) {
            int[] ids = rg.rowIds()[receivers[i]];
            float[] w = new float[n];
            for (int s = 0; s < n; s++) w[s] = ids[s] < 0 ? 0f : mask[ids[s]];
            Row key = new Row(w);
            Integer u = unique.get(key);
            if (u == null) {
                u = weights.size();
                unique.put(key, u);
                weights.add(w);
            }
            of[i] = u;
        }
        NDArray[] values = new NDArray[weights.size()];
        List<Integer> direct = new ArrayList<>(), complement = new ArrayList<>();
        for (int u = 0; u < weights.size(); u++) {
            int ones = 0, zeros = 0;
            for (float x : weights.get(u)) {
                if (x == 1f) ones++;
                else if (x == 0f) zeros++;
            }
            // rows read: n − zeros directly, n − ones from the prefix sum
            (prefixSums && n - ones < n - zeros ? complement : direct).add(u);
        }
        contract(step, rg, weights, direct, false, ablSums[g], values);
        if (!complement.isEmpty()) {
            NDArray bias = prefix(step, g).add(ablSums[g]);
            contract(step, rg, weights, complement, true, bias, values);
        }
        return new Inputs(values, of);
    }

    /**
     * values[u] for the unique rows us: bias + Σ_s c_s·rows_s with c = w (direct) or w − 1 (from the prefix sum). A
     * row whose coefficients are all ±1 and few next to the span of rows they touch adds and subtracts those rows in
     * place (ACDC's binary masks: no temporary, each row read once); the others share one addmm over the span of rows
     * they touch (a view; rows in between weighted 0).
     */
    private void contract(NDManager step, ReceiverGroup rg, List<float[]> weights, List<Integer> us, boolean minusOne,
                          NDArray bias, NDArray[] values) {
        int n = rg.senderRows();
        List<Integer> spanned = new ArrayList<>();
        int first = n, last = -1;
        for (int u : us) {
            float[] w = weights.get(u);
            int k = 0, lo = n, hi = -1;
            boolean unit = true;
            for (int s = 0; s < n; s++) {
                float c = minusOne ? w[s] - 1f : w[s];
                if (c == 0f) continue;
                k++;
                lo = Math.min(lo, s);
                hi = s;
                unit &= c == 1f || c == -1f;
            }
            if (k == 0) {
                values[u] = bias.get(step, new NDIndex(":"));
            } else if (unit && 3 * k <= hi - lo + 1) {
                NDArray x = null;
                for (int s = lo; s <= hi; s++) {
                    float c = minusOne ? w[s] - 1f : w[s];
                    if (c == 0f) continue;
                    NDArray row = rows.get(step, new NDIndex(s));
                    if (x == null) x = c > 0 ? row.add(bias) : row.neg().addi(bias);
                    else if (c > 0) x.addi(row);
                    else x.subi(row);
                }
                values[u] = x;
            } else {
                spanned.add(u);
                first = Math.min(first, lo);
                last = Math.max(last, hi);
            }
        }
        if (spanned.isEmpty()) return;
        int k = last - first + 1;
        float[] c = new float[spanned.size() * k];
        for (int i = 0; i < spanned.size(); i++) {
            float[] w = weights.get(spanned.get(i));
            for (int j = 0; j < k; j++) c[i * k + j] = minusOne ? w[first + j] - 1f : w[first + j];
        }
        NDArray cw = step.create(c, new Shape(spanned.size(), k)).toDevice(device, false);
        NDArray x = linear(cw, rows.get(step, new NDIndex(first + ":" + (last + 1))), bias);          // [U', M]
        for (int i = 0; i < spanned.size(); i++) values[spanned.get(i)] = x.get(i);
    }

    /** Σ_{s < senderRows(g)} rows_s as stored now, from the nearest earlier prefix sum still current. */
    private NDArray prefix(NDManager step, int g) {
        if (prefix[g] != null) return prefix[g];
        int n = groups.get(g).senderRows();
        int from = 0;
        NDArray sum = null;
        for (int e = g - 1; e >= 0; e--) {
            if (prefix[e] != null && groups.get(e).senderRows() <= n) {
                from = groups.get(e).senderRows();
                sum = prefix[e];
                break;
            }
        }
        NDArray rest = from == n ? null : rows.get(step, new NDIndex(from + ":" + n)).sum(new int[] {0});
        NDArray p = sum == null ? rest : rest == null ? sum.duplicate() : rest.addi(sum);
        p.attach(manager);
        prefix[g] = p;
        return p;
    }

    /** Rows [from, to) were rewritten: every prefix sum that includes one of them is stale. */
    void rowsWritten(int from, int to) {
        if (!prefixSums) return;
        for (int g = 0; g < groups.size(); g++) {
            if (prefix[g] != null && groups.get(g).senderRows() > from) {
                prefix[g].close();
                prefix[g] = null;
            }
        }
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
}
