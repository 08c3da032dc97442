package dev.acdc.discovery.method;

/**
 * Adam (Kingma and Ba, 2015) on a plain parameter vector, with PyTorch's defaults (β1 = 0.9, β2 = 0.999,
 * ε = 1e-8, no weight decay) and its bias correction:
 * <pre>
 *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
 * </pre>
 * With a weight decay w it is PyTorch's {@code AdamW} (decoupled decay, applied first: θ ← θ·(1 − lr·w)), and
 * {@link #step(double[], double[], double)} takes the step's learning rate from a schedule (Edge Pruning).
 * SP's parameters are a few hundred mask logits, so a double array is simpler and exactly reproducible,
 * and avoids keeping optimiser state in NDArrays across thousands of steps.
 */
final class Adam {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final double lr;
    private final double weightDecay;
    private final double[] m, v;
    private int t;

    Adam(double learningRate, int size) {
        this(learningRate, size, 0);
    }

    /** AdamW: Adam with decoupled weight decay {@code weightDecay} (PyTorch's {@code AdamW} default is 0.01). */
    Adam(double learningRate, int size, double weightDecay) {
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, found " + learningRate);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be ≥ 0, found " + weightDecay);
        this.lr = learningRate;
        this.weightDecay = weightDecay;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** One update of {@code params} in place from the gradient {@code grad}. */
    void step(double[] params, double[] grad) {
        step(params, grad, lr);
    }

    /** One update with this step's learning rate {@code stepLr} (a schedule's value; 0 leaves the parameters as they are). */
    void step(double[] params, double[] grad, double stepLr) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
        for (int i = 0; i < params.length; i++) {
            m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
            v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
            params[i] *= 1 - stepLr * weightDecay;
            params[i] -= stepLr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS);
        }
    }
}
