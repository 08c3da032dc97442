package dev.acdc.datasets.induction;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.acdc.patching.model.OwnedScalar;
import dev.acdc.patching.model.TransformerWeights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains the induction model: {@link TrainingConfig#steps()} Adam steps of next-token cross-entropy on fresh batches
 * of {@link RepeatedSequences}, on the CPU.
 *
 * <p>Reproducible bit for bit, in one process or two: one {@link Random} seeded with the config's seed draws the
 * initial weights, then every batch, and nothing else is random; training runs on one libtorch thread, and Java-side
 * scalars use {@link StrictMath}. Every scalar that autograd saves for the backward pass (the attention scale, the
 * loss's divisor) is a libtorch-owned tensor ({@link OwnedScalar}): DJL backs the number of {@code x.mul(0.5f)} with
 * a Java buffer that a garbage collection between forward and backward freed while autograd still read it, which
 * made the gradients of the attention's queries and keys garbage (NaN, 1e-14, …) whenever a collection fell there:
 * runs in different processes diverged, and some produced NaN weights.
 *
 * <p>The loss is averaged over every position that has a next token, first occurrences included: those targets are
 * unpredictable, which teaches the model to spread its probability over unseen tokens there, and the repeats teach
 * it induction.
 */
public final class InductionTrainer {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.98;
    private static final double EPSILON = 1e-8;

    /** Told after every step; training prints nothing itself. */
    @FunctionalInterface
    public interface Progress {
        void step(int step, int steps, double loss);

        Progress NONE = (step, steps, loss) -> {};
    }

    /**
     * @param weights    the trained weights
     * @param losses     the training loss of every step (the first before any update)
     */
    public record Result(TransformerWeights weights, double[] losses) {
        public Result {
            losses = losses.clone();
        }

        @Override
        public double[] losses() {
            return losses.clone();
        }

        /** Mean loss over the last tenth of training (at least one step): the training loss at the end. */
        public double finalLoss() {
            int n = Math.max(1, losses.length / 10);
            double s = 0;
            for (int i = losses.length - n; i < losses.length; i++) s += losses[i];
            return s / n;
        }

        /** Mean loss over the first tenth of training. */
        public double initialLoss() {
            int n = Math.max(1, losses.length / 10);
            double s = 0;
            for (int i = 0; i < n; i++) s += losses[i];
            return s / n;
        }
    }

    private InductionTrainer() {}

    /**
     * Trains on one libtorch thread: the model is too small to gain from intra-op parallelism, and on a busy
     * machine libtorch's spinning worker threads made each step about 30 times slower (measured on 2 shared cores);
     * one thread also keeps the floating-point sums, and so the weights, independent of the core count. The
     * previous thread count is restored afterwards.
     */
    public static Result train(TrainingConfig config, String modelName, Progress progress) {
        Engine.getEngine("PyTorch");   // loads libtorch before its thread count is read
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            return trainOnCurrentThreads(config, modelName, progress);
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private static Result trainOnCurrentThreads(TrainingConfig config, String modelName, Progress progress) {
        Random random = new Random(config.seed());
        RepeatedSequences data = config.data();
        double[] losses = new double[config.steps()];
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
             TrainableTransformer model = new TrainableTransformer(config.modelConfig(modelName), random, config.initStd(), manager)) {
            List<AdamState> adam = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) adam.add(new AdamState(e.getValue(), manager));
            for (int step = 0; step < config.steps(); step++) {
                int[][] batch = RepeatedSequences.tokens(data.draw(random, config.batch()));
                try (NDScope ignored = new NDScope()) {
                    NDArray loss;
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        loss = nextTokenLoss(model.logits(manager, batch), batch, manager);
                        collector.backward(loss);
                    }
                    losses[step] = loss.toType(DataType.FLOAT64, false).getDouble();
                    if (!Double.isFinite(losses[step])) {
                        throw new IllegalStateException("training diverged: the loss is " + losses[step] + " at step " + (step + 1)
                                + " of seed " + config.seed() + "; try another seed");
                    }
                    double lr = learningRate(config, step);
                    for (AdamState s : adam) s.update(lr, step + 1);
                }
                progress.step(step + 1, config.steps(), losses[step]);
            }
            return new Result(model.weights(), losses);
        }
    }

    /** Linear warm-up to the peak, then cosine decay to a tenth of it at the last step. */
    static double learningRate(TrainingConfig c, int step) {
        if (step < c.warmupSteps()) return c.learningRate() * (step + 1) / c.warmupSteps();
        int decaySteps = Math.max(1, c.steps() - c.warmupSteps());
        double progress = Math.min(1.0, (double) (step - c.warmupSteps()) / decaySteps);
        return c.learningRate() * (0.1 + 0.9 * 0.5 * (1 + StrictMath.cos(Math.PI * progress)));
    }

    /** Mean cross-entropy of predicting token p+1 from positions ≤ p, over every p < P−1. */
    static NDArray nextTokenLoss(NDArray logits, int[][] tokens, NDManager manager) {
        int B = tokens.length, P = tokens[0].length;
        int vocab = (int) logits.getShape().get(2);
        int[] targets = new int[B * (P - 1)];
        for (int b = 0; b < B; b++) System.arraycopy(tokens[b], 1, targets, b * (P - 1), P - 1);
        NDArray logProbs = logits.get(":, 0:" + (P - 1) + ", :").reshape((long) B * (P - 1), vocab).logSoftmax(-1);
        NDArray picked = logProbs.mul(manager.create(targets).oneHot(vocab).toType(DataType.FLOAT32, false));
        NDArray sum = picked.sum();
        return sum.div(OwnedScalar.of(sum, -targets.length));   // libtorch-owned: autograd reads the divisor (OwnedScalar)
    }

    /** Adam's moment estimates of one parameter, updated in place outside the gradient recording. */
    private static final class AdamState {
        final NDArray parameter;
        final NDArray firstMoment;
        final NDArray secondMoment;

        AdamState(NDArray parameter, NDManager manager) {
            this.parameter = parameter;
            this.firstMoment = manager.zeros(parameter.getShape());
            this.secondMoment = manager.zeros(parameter.getShape());
        }

        void update(double lr, int t) {
            NDArray grad = parameter.getGradient();
            firstMoment.muli((float) BETA1).addi(grad.mul((float) (1 - BETA1)));
            secondMoment.muli((float) BETA2).addi(grad.square().mul((float) (1 - BETA2)));
            double correctedLr = lr * StrictMath.sqrt(1 - StrictMath.pow(BETA2, t)) / (1 - StrictMath.pow(BETA1, t));
            parameter.subi(firstMoment.div(secondMoment.sqrt().add((float) EPSILON)).mul((float) correctedLr));
            grad.subi(grad);   // PyTorch accumulates gradients; the next step must start from zero
        }
    }
}
