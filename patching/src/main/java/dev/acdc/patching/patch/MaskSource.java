package dev.acdc.patching.patch;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.acdc.patching.patch.PatchLayout.ReceiverGroup;

/**
 * Where a masked pass of several variants reads its edge weights: Java float masks (ACDC's binary masks, no
 * gradient) or a mask NDArray that may require gradient. Both give the same numbers for the same values.
 */
interface MaskSource {
    int variants();

    /** The weights of receiver group rg's rows on sender rows [from, to): [K, R, to − from]. */
    NDArray senderWeights(NDManager scope, ReceiverGroup rg, int from, int to);

    /** The direct-edge weights [K, H] of one channel's heads, or null when every one is 1 (nothing to patch). */
    NDArray directWeights(NDManager scope, int[] directIds);

    /** Java float masks [K][E]. */
    static MaskSource of(float[][] masks, Device device) {
        return new FloatMasks(masks, device);
    }

    /** A mask NDArray [E] or [K, E] of E = maskLength entries; gradients flow back to it. */
    static MaskSource of(NDManager scope, NDArray masks, int maskLength, Device device) {
        return new TensorMasks(scope, masks, maskLength, device);
    }

    final class FloatMasks implements MaskSource {
        private final float[][] masks;
        private final Device device;

        FloatMasks(float[][] masks, Device device) {
            this.masks = masks;
            this.device = device;
        }

        @Override
        public int variants() {
            return masks.length;
        }

        @Override
        public NDArray senderWeights(NDManager scope, ReceiverGroup rg, int from, int to) {
            int K = masks.length, R = rg.rows(), n = to - from;
            float[] w = new float[K * R * n];
            for (int k = 0; k < K; k++) {
                for (int r = 0; r < R; r++) {
                    for (int s = 0; s < n; s++) {
                        int id = rg.rowIds()[r][from + s];
                        w[(k * R + r) * n + s] = id < 0 ? 0f : masks[k][id];
                    }
                }
            }
            return scope.create(w, new Shape(K, R, n)).toDevice(device, false);
        }

        @Override
        public NDArray directWeights(NDManager scope, int[] directIds) {
            int K = masks.length, H = directIds.length;
            float[] md = new float[K * H];
            boolean intact = true;
            for (int k = 0; k < K; k++) {
                for (int h = 0; h < H; h++) {
                    md[k * H + h] = masks[k][directIds[h]];
                    intact &= md[k * H + h] == 1f;
                }
            }
            return intact ? null : scope.create(md, new Shape(K, H)).toDevice(device, false);
        }
    }

    /**
     * Weights gathered from a mask NDArray [K, E] with index arrays, so autograd sees them as functions of
     * the mask. The mask is padded with a leading zero column: an absent edge gathers index 0 (weight 0) and
     * edge id e gathers index e + 1. The direct weights are always applied (a value test would cut nothing
     * from the graph, but gathering keeps every direct edge differentiable).
     */
    final class TensorMasks implements MaskSource {
        private final int K, maskLength;
        private final Device device;
        private final NDArray padded;          // [K, E + 1]: column 0 is the constant 0

        TensorMasks(NDManager scope, NDArray masks, int maskLength, Device device) {
            NDArray m2 = masks.getShape().dimension() == 1 ? masks.expandDims(0) : masks;
            this.K = (int) m2.getShape().get(0);
            this.maskLength = maskLength;
            this.device = device;
            // zeros on the left so the concatenation belongs to the scope, not to whoever owns the mask
            this.padded = scope.zeros(new Shape(K, 1), DataType.FLOAT32, device).concat(m2, 1);
        }

        @Override
        public int variants() {
            return K;
        }

        private NDArray gather(NDManager scope, int[] perVariant) {
            long width = maskLength + 1L;
            long[] idx = new long[K * perVariant.length];
            for (int k = 0; k < K; k++) {
                for (int j = 0; j < perVariant.length; j++) idx[k * perVariant.length + j] = k * width + perVariant[j] + 1;
            }
            // duplicate(): a created array borrows its Java buffer, which is freed when the array is closed, but
            // autograd keeps the index for backward; a copy owned by libtorch outlives the handle safely
            return padded.take(scope, scope.create(idx).toDevice(device, false).duplicate());
        }

        @Override
        public NDArray senderWeights(NDManager scope, ReceiverGroup rg, int from, int to) {
            int R = rg.rows(), n = to - from;
            int[] ids = new int[R * n];
            for (int r = 0; r < R; r++) System.arraycopy(rg.rowIds()[r], from, ids, r * n, n);    // −1 gathers the 0 column
            return gather(scope, ids).reshape(K, R, n);
        }

        @Override
        public NDArray directWeights(NDManager scope, int[] directIds) {
            return gather(scope, directIds).reshape(K, directIds.length);
        }
    }
}
