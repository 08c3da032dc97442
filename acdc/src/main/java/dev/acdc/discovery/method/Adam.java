package dev.acdc.discovery.method;

/**
 * Adam (Kingma and Ba, 2015) on a plain parameter vector, with PyTorch's defaults (β1 = 0.9, β2 = 0.999,
 * ε = 1e-8, no weight decay) and its bias correction:
 * <pre>
 *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 * </pre>
 * SP's parameters are a few hundred mask logits, so a double array is simpler and exactly reproducible,
 * and avoids keeping optimiser state in NDArrays across thousands of steps.
 */
final class Adam {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final double lr;
    private final double[] m, v;
    private int t;

    Adam(double learningRate, int size) {
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, found " + learningRate);
        this.lr = learningRate;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** One update of {@code params} in place from the gradient {@code grad}. */
    void step(double[] params, double[] grad) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
        for (int i = 0; i < params.length; i++) {
            m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
            v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
            params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
        }
    }
}
