package dev.acdc.tracr.craft;

import java.util.function.BiFunction;

/**
 * A bilinear form {@code x_query · W · x_key} between a query space (left) and a key space (right):
 * an attention head's W_QK.
 */
public final class BilinearForm {
    private final VectorSpace left;
    private final VectorSpace right;
    private final double[][] matrix;

    private BilinearForm(VectorSpace left, VectorSpace right, double[][] matrix) {
        this.left = left;
        this.right = right;
        this.matrix = matrix;
    }

    /** The form defined by its value on each pair of basis directions (query direction, key direction). */
    public static BilinearForm fromAction(VectorSpace left, VectorSpace right,
                                          BiFunction<BasisDirection, BasisDirection, Double> action) {
        double[][] m = new double[left.dim()][right.dim()];
        for (int i = 0; i < left.dim(); i++) {
            for (int j = 0; j < right.dim(); j++) {
                Double v = action.apply(left.basis().get(i), right.basis().get(j));
                m[i][j] = v == null ? 0 : v;
            }
        }
        return new BilinearForm(left, right, m);
    }

    public VectorSpace left() { return left; }

    public VectorSpace right() { return right; }

    public double get(int i, int j) {
        return matrix[i][j];
    }
}
