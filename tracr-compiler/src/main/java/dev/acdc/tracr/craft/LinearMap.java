package dev.acdc.tracr.craft;

import java.util.Map;
import java.util.function.Function;

/** A linear map between labelled spaces, as a matrix [input dim][output dim] (row vectors times matrix). */
public final class LinearMap {
    private final VectorSpace input;
    private final VectorSpace output;
    private final double[][] matrix;

    public LinearMap(VectorSpace input, VectorSpace output, double[][] matrix) {
        if (matrix.length != input.dim()) {
            throw new IllegalArgumentException("matrix has " + matrix.length + " rows, input space has dim " + input.dim());
        }
        for (double[] row : matrix) {
            if (row.length != output.dim()) {
                throw new IllegalArgumentException("matrix row has " + row.length + " columns, output space has dim " + output.dim());
            }
        }
        this.input = input;
        this.output = output;
        this.matrix = matrix;
    }

    /**
     * The map defined by its action on each input basis direction: {@code action(d)} is the image of
     * {@code d} as (output direction → coefficient); missing directions are 0.
     */
    public static LinearMap fromAction(VectorSpace input, VectorSpace output,
                                       Function<BasisDirection, Map<BasisDirection, Double>> action) {
        double[][] m = new double[input.dim()][output.dim()];
        for (int i = 0; i < input.dim(); i++) {
            Map<BasisDirection, Double> image = action.apply(input.basis().get(i));
            if (image == null) continue;
            for (var e : image.entrySet()) m[i][output.indexOf(e.getKey())] += e.getValue();
        }
        return new LinearMap(input, output, m);
    }

    public VectorSpace input() { return input; }

    public VectorSpace output() { return output; }

    /** The coefficient from an input direction to an output direction. */
    public double get(BasisDirection in, BasisDirection out) {
        return matrix[input.indexOf(in)][output.indexOf(out)];
    }

    public double get(int in, int out) {
        return matrix[in][out];
    }
}
