package dev.acdc.patching.model;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order: plain Java data, so code that builds or inspects
 * weights (the compiler, loaders, tests) needs no native library.
 *
 * <p>Records compare arrays by reference; {@link #equals} is overridden to compare contents.
 */
public record Tensor(int[] shape, float[] data) {

    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements, found " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return new Tensor(shape, new float[Math.toIntExact(n)]);
    }

    /** Copies a [rows][cols] double matrix into a float tensor. */
    public static Tensor of(double[][] m) {
        int rows = m.length, cols = rows == 0 ? 0 : m[0].length;
        float[] d = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            if (m[i].length != cols) throw new IllegalArgumentException("ragged matrix: row " + i + " has " + m[i].length + " columns, expected " + cols);
            for (int j = 0; j < cols; j++) d[i * cols + j] = (float) m[i][j];
        }
        return new Tensor(new int[] {rows, cols}, d);
    }

    public static Tensor of(double[] v) {
        float[] d = new float[v.length];
        for (int i = 0; i < v.length; i++) d[i] = (float) v[i];
        return new Tensor(new int[] {v.length}, d);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** Element at a multi-index. */
    public float get(int... index) {
        return data[offset(index)];
    }

    public int offset(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + index.length + " for tensor of shape " + shapeString());
        }
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape " + shapeString());
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
