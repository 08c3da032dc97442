package dev.acdc.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Which sequence positions a metric scores: one position per row (e.g. the last token, or the token
 * before the answer), or a boolean mask [B, P] (e.g. induction's repeated tokens).
 *
 * <p>Applied to an output [B, P, …], {@link #select} gathers the scored rows into [N, …], N the number of
 * scored (row, position) pairs, in row-major order. Selection is an index operation, so gradients flow
 * back to the output.
 */
public final class ScoredPositions {

    private final int[] perRow;         // null when a mask is used; negative entries count from the end
    private final boolean[][] mask;     // null when per-row positions are used

    private ScoredPositions(int[] perRow, boolean[][] mask) {
        this.perRow = perRow;
        this.mask = mask;
    }

    /** The last position of every row. */
    public static ScoredPositions last() {
        return new ScoredPositions(null, null);
    }

    /** One scored position per row; {@code -1} means the last position, {@code -2} the one before, … */
    public static ScoredPositions perRow(int... positions) {
        if (positions.length == 0) throw new IllegalArgumentException("perRow needs one position per row, found none");
        return new ScoredPositions(positions.clone(), null);
    }

    /** The positions where {@code mask[b][p]} is true; rows must have equal length. */
    public static ScoredPositions mask(boolean[][] mask) {
        boolean[][] copy = new boolean[mask.length][];
        int any = 0;
        for (int b = 0; b < mask.length; b++) {
            if (mask[b].length != mask[0].length) {
                throw new IllegalArgumentException("mask rows must have equal length: row 0 has " + mask[0].length
                        + ", row " + b + " has " + mask[b].length);
            }
            copy[b] = mask[b].clone();
            for (boolean m : mask[b]) if (m) any++;
        }
        if (any == 0) throw new IllegalArgumentException("mask selects no position");
        return new ScoredPositions(null, copy);
    }

    /** True when exactly one position per row is scored (what logit and probability difference need). */
    public boolean onePerRow() {
        if (mask == null) return true;
        for (boolean[] row : mask) {
            int n = 0;
            for (boolean m : row) if (m) n++;
            if (n != 1) return false;
        }
        return true;
    }

    /**
     * Indices into the flattened [B·P] rows of an output with {@code batch} rows and {@code seqLen}
     * positions, row-major; checked against the shape.
     */
    public long[] flatIndices(long batch, long seqLen) {
        if (perRow == null && mask == null) {
            long[] out = new long[(int) batch];
            for (int b = 0; b < batch; b++) out[b] = b * seqLen + seqLen - 1;
            return out;
        }
        if (perRow != null) {
            if (perRow.length != batch) {
                throw new IllegalArgumentException("scored positions: " + perRow.length + " per-row positions for a batch of "
                        + batch + " rows");
            }
            long[] out = new long[(int) batch];
            for (int b = 0; b < batch; b++) {
                long p = perRow[b] < 0 ? seqLen + perRow[b] : perRow[b];
                if (p < 0 || p >= seqLen) {
                    throw new IllegalArgumentException("scored position " + perRow[b] + " of row " + b
                            + " is outside a sequence of " + seqLen + " positions");
                }
                out[b] = b * seqLen + p;
            }
            return out;
        }
        if (mask.length != batch || mask[0].length != seqLen) {
            throw new IllegalArgumentException("scored-position mask is [" + mask.length + ", " + mask[0].length
                    + "] but the output is [" + batch + ", " + seqLen + ", …]");
        }
        long[] out = new long[Arrays.stream(mask).mapToInt(r -> { int n = 0; for (boolean m : r) if (m) n++; return n; }).sum()];
        int k = 0;
        for (int b = 0; b < batch; b++) for (int p = 0; p < seqLen; p++) if (mask[b][p]) out[k++] = b * seqLen + p;
        return out;
    }

    /** Gathers the scored rows of {@code x} [B, P, …] into [N, …] (on x's manager; differentiable). */
    public NDArray select(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() < 2) {
            throw new IllegalArgumentException("scored positions need an output [B, P, …], found shape " + s);
        }
        long batch = s.get(0);
        long seqLen = s.get(1);
        long[] flat = flatIndices(batch, seqLen);
        // The index must outlive this call: autograd keeps it for the backward pass. A created array borrows its
        // Java buffer, freed once the array is closed (closing it here let backward read freed memory: garbage
        // indices, NaN gradients), so the gather gets a copy owned by libtorch and the arrays stay with x's manager.
        NDArray idx = x.getManager().create(flat).duplicate();
        NDArray merged = x.reshape(new Shape(batch * seqLen).addAll(s.slice(2)));
        return merged.get(new NDIndex("{}", idx));
    }

    @Override
    public String toString() {
        if (perRow == null && mask == null) return "last position";
        if (perRow != null) return "positions " + Arrays.toString(perRow);
        return "mask [" + mask.length + ", " + mask[0].length + "]";
    }
}
