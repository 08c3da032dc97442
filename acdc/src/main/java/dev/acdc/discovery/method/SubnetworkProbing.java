package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Subnetwork probing (Cao et al., 2021) as the ACDC paper adapts it (appendix D.1): learn a hard-concrete
 * mask over model components that keeps the task metric low while using as few components as possible.
 *
 * <p><b>Masks.</b> One mask per {@link Component}: every head's q, k and v (the activations at
 * {@code attn.hook_q/k/v}, one mask per head) and every MLP's output ({@code hook_mlp_out}). On a model with
 * grouped key/value heads (Llama, Qwen2, Gemma) q is still per query head but k and v are per key/value group
 * ({@code hook_k/v} hold [B, P, G, d]), so a group's k or v mask acts on every query head of the group (our
 * definition: the ACDC code had no grouped attention); see {@link ComponentCircuits} for the edge circuit. A
 * parallel residual (Pythia) changes nothing here. A masked
 * activation is {@code m·x + (1 − m)·a}, with a the ablated value (see {@link ComponentPatching}: under resample
 * ablation a plain forward pass on the corrupted inputs, as the ACDC code's {@code do_random_resample_caching}
 * caches it, so the tracr tasks' position scramble, which the ACDC code applies only in its ACDC runs, is not
 * applied; zero; or the clean mean). Masks are hard-concrete ({@link HardConcrete#SP}: β = 2/3, γ = −0.1, ζ = 1.1)
 * with logits θ initialised to logit((0.9 − γ)/(ζ − γ)) = ln 5. Each training step draws one u ~ U(0, 1) per
 * component mask (shared by the whole batch, as the ACDC code's {@code MaskedHookPoint.sample_mask} does) from a
 * {@link Random} seeded with the problem's seed.
 *
 * <p><b>Loss.</b> {@code F(masked model) + λ·R(θ)} with F the problem's metric (lower is better) and
 * R the expected L0 norm of the masks, σ(θ − β·log(−γ/ζ)), averaged as the ACDC code's {@code regularizer}
 * does: the mean over its masked hook points of the mean over that hook point's masks. Its masked model has four
 * masked hook points per layer, {@code attn.hook_q}, {@code attn.hook_k}, {@code attn.hook_v} ([H] masks each)
 * and {@code hook_mlp_out} (one mask), and it has the {@code hook_mlp_out} mask even on attention-only models
 * ({@code TransformerBlock} makes it whether or not the block has an MLP), where no forward pass reads it. So
 * R always averages over 4·L hook points: a q, k or v mask weighs 1/(4·L·H), an MLP mask 1/(4·L). On an
 * attention-only model the L unread MLP masks are trained too, by the regulariser alone (they are in the loss, not
 * in the circuit): without them the heads' masks would weigh 1/(3·L·H), i.e. λ would act 4/3 times as strongly.
 * For GPT-2 an MLP mask weighs as much as all heads' q masks of its layer together. Gradients of F come from DJL
 * autograd through the hooked forward pass; R's gradient is analytic.
 *
 * <p><b>Optimiser.</b> Adam (PyTorch defaults) with learning rate 1e-3 for a fixed number of epochs (full-batch
 * steps). The ACDC paper trains 10,000 epochs; {@link Options#DEFAULT_EPOCHS} is 3,000, the default of the ACDC
 * code's {@code subnetwork_probing/train.py}. The epoch count matters beyond convergence: Adam moves a logit by
 * at most about lr per step, and a mask starts ln 5 ≈ 1.61 above the keep threshold θ = 0, so with lr 1e-3 no
 * component can be dropped before about 1,600 steps. 3,000 leaves room for that and runs the 11-value tracr
 * sweep in minutes on a CPU. Tests use a larger learning rate and a few dozen epochs.
 *
 * <p><b>Final circuit.</b> A component is kept when its deterministic mask, clamp(σ(θ)·(ζ − γ) + γ, 0, 1), is at
 * least 0.5, i.e. θ ≥ 0. (The ACDC code thresholded one noisy sample at 0.5; the deterministic mask makes the
 * result a function of θ alone.) Kept components become an edge circuit by {@link ComponentCircuits}.
 *
 * <p><b>Sweep.</b> One training run per λ, each from the initial logits and with the same seed (common random
 * numbers, so neighbouring λ see the same noise). The λ lists are the ACDC code's, per task and metric
 * ({@code subnetwork_probing/launch_grid_fill.py}, trained networks): {@link #TRACR_LAMBDAS} for the tracr tasks
 * (any metric), {@link #DIFFERENCE_METRIC_LAMBDAS} for the metrics it describes as ranging over −1 … 0 (IOI's
 * logit difference, greater-than's probability difference, docstring's logit difference: our {@code logit-diff},
 * {@code prob-diff}), and {@link #TRAINED_MODEL_LAMBDAS} for KL and NLL (and any other metric): see
 * {@link #defaultLambdas}. That launcher printed λ with three decimals on the command line
 * ({@code --lambda-reg=0.001}, …, 0.063, …, and 0.000 for 10^−4 … 10^−3.4); we use the unrounded values.
 *
 * <p>Output: one {@code SweepPoint("lambda", λ, circuit)} per λ in list order, and as node scores the final
 * mask logits θ of the last λ, keyed by component name ({@code aL.H.q}, {@code mL}).
 */
public final class SubnetworkProbing implements SweepMethod {

    /**
     * SP's settings.
     *
     * @param lambdas      regularisation strengths λ, one training run each; null picks the task's default list
     * @param epochs       full-batch Adam steps per λ
     * @param learningRate Adam's learning rate
     */
    public record Options(double[] lambdas, int epochs, double learningRate) {
        /** The default of the ACDC code's {@code train.py} (its launcher used the paper's 10,000). */
        public static final int DEFAULT_EPOCHS = 3000;
        public static final double DEFAULT_LEARNING_RATE = 1e-3;

        public Options {
            if (epochs < 0) throw new IllegalArgumentException("epochs must be ≥ 0, found " + epochs);
            if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, found " + learningRate);
            if (lambdas != null) {
                lambdas = lambdas.clone();
                for (double l : lambdas) {
                    if (!(l >= 0) || Double.isInfinite(l)) throw new IllegalArgumentException("λ must be finite and ≥ 0, found " + l);
                }
            }
        }

        /** The task's default λ list, 3,000 epochs, lr 1e-3. */
        public static Options defaults() {
            return new Options(null, DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE);
        }

        @Override
        public double[] lambdas() {
            return lambdas == null ? null : lambdas.clone();
        }
    }

    /** 10^linspace(−3, 0, 11): the ACDC launcher's λ for tracr tasks ("typical metric value range 0.0–0.1"). */
    public static final double[] TRACR_LAMBDAS = logspace(-3, 0, 11);

    /**
     * 10^linspace(−4, 2, 21): the ACDC launcher's λ for IOI's logit difference, greater-than's metric and docstring's
     * metric ("typical metric value range: −1.0 – 0.0").
     */
    public static final double[] DIFFERENCE_METRIC_LAMBDAS = logspace(-4, 2, 21);

    /**
     * The ACDC launcher's "expensive" λ list (32 values), for KL on every trained model and for induction's NLL:
     * 10^linspace(−2, 0, 11) (0.01 … 1), then 2, 3, …, 10, then 30, 50, …, 250.
     */
    public static final double[] TRAINED_MODEL_LAMBDAS = trainedModelLambdas();

    private final Options options;
    private final java.util.function.Consumer<String> progress;

    public SubnetworkProbing(Options options) {
        this(options, s -> {});
    }

    private SubnetworkProbing(Options options, java.util.function.Consumer<String> progress) {
        this.options = Objects.requireNonNull(options, "options");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Reports each λ as it starts and, within it, the epochs ({@code sp λ=0.0158 (3/11) epoch 1200/3000}) about
     * {@value #PROGRESS_REPORTS} times per λ.
     */
    @Override
    public SubnetworkProbing withProgress(java.util.function.Consumer<String> progress) {
        return new SubnetworkProbing(options, progress);
    }

    /** How many epoch reports one λ's training makes. */
    static final int PROGRESS_REPORTS = 20;

    public SubnetworkProbing() {
        this(Options.defaults());
    }

    @Override
    public String name() {
        return "sp";
    }

    /** The λ list used for a task and metric: the options' list, else {@link #defaultLambdas}. */
    public double[] lambdasFor(String taskName, String metricName) {
        double[] l = options.lambdas();
        return l != null ? l : defaultLambdas(taskName, metricName);
    }

    /**
     * The ACDC launcher's λ list for a task and metric ({@code launch_grid_fill.py}, {@code reset_networks=False}):
     * <table>
     *   <caption>λ per task and metric</caption>
     *   <tr><th>task</th><th>metric (ours / the ACDC code's)</th><th>λ</th></tr>
     *   <tr><td>{@code tracr-*}</td><td>any</td><td>{@link #TRACR_LAMBDAS}</td></tr>
     *   <tr><td>ioi, docstring</td><td>{@code logit-diff} / {@code logit_diff}, {@code docstring_metric}</td><td>{@link #DIFFERENCE_METRIC_LAMBDAS}</td></tr>
     *   <tr><td>greater-than</td><td>{@code prob-diff} / {@code greaterthan}</td><td>{@link #DIFFERENCE_METRIC_LAMBDAS}</td></tr>
     *   <tr><td>ioi, docstring, greater-than, induction</td><td>{@code kl} / {@code kl_div}</td><td>{@link #TRAINED_MODEL_LAMBDAS}</td></tr>
     *   <tr><td>induction</td><td>{@code nll}</td><td>{@link #TRAINED_MODEL_LAMBDAS}</td></tr>
     * </table>
     * A metric the launcher does not know gets {@link #TRAINED_MODEL_LAMBDAS}, the list it gives every metric
     * that is not a difference.
     */
    public static double[] defaultLambdas(String taskName, String metricName) {
        if (taskName.startsWith("tracr")) return TRACR_LAMBDAS.clone();
        if (metricName != null && (metricName.equals("logit-diff") || metricName.equals("prob-diff"))) {
            return DIFFERENCE_METRIC_LAMBDAS.clone();
        }
        return TRAINED_MODEL_LAMBDAS.clone();
    }

    @Override
    public int runs(String taskName, String metricName) {
        return lambdasFor(taskName, metricName).length;
    }

    /** One training at the {@code i}-th λ; its point and its final mask logits as component scores. */
    @Override
    public MethodResult run(DiscoveryProblem problem, int i) {
        long start = System.nanoTime();
        HookedTransformer model = problem.model();
        List<Component> components = ComponentCircuits.components(model.config());
        double[] lambdas = lambdasFor(problem.task().name(), problem.metricName());
        double lambda = lambdas[i];
        String cell = String.format(java.util.Locale.ROOT, "sp λ=%.3g (%d/%d)", lambda, i + 1, lambdas.length);
        progress.accept(cell);
        Training t;
        try (ComponentPatching patching = ComponentPatching.of(problem, components)) {
            t = train(model, patching, problem.clean(), problem.metric(), lambda, problem.seed(), cell);
        }
        double[] logits = t.logits();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (int c = 0; c < components.size(); c++) scores.put(components.get(c).name(), logits[c]);
        return new MethodResult(name(), List.of(new SweepPoint("lambda", lambda, ComponentCircuits.circuit(problem.graph(), t.kept()))),
                null, scores, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The outcome of one training run.
     *
     * @param logits      final mask logits θ, one per component
     * @param kept        whether each component is kept (deterministic mask ≥ 0.5)
     * @param finalMetric the metric of the last training step (noisy masks)
     * @param finalLoss   metric + λ·R of the last step
     */
    public record Training(double[] logits, boolean[] kept, double finalMetric, double finalLoss) {
        public Training {
            logits = logits.clone();
            kept = kept.clone();
        }

        @Override
        public double[] logits() {
            return logits.clone();
        }

        @Override
        public boolean[] kept() {
            return kept.clone();
        }
    }

    /** Trains the masks for one λ on the problem's data. */
    public Training train(DiscoveryProblem problem, double lambda) {
        List<Component> components = ComponentCircuits.components(problem.model().config());
        try (ComponentPatching patching = ComponentPatching.of(problem, components)) {
            return train(problem.model(), patching, problem.clean(), problem.metric(), lambda, problem.seed(), null);
        }
    }

    Training train(HookedTransformer model, ComponentPatching patching, ModelInput clean, Metric metric, double lambda,
                   long seed) {
        return train(model, patching, clean, metric, lambda, seed, null);
    }

    /** @param cell how progress names this λ; null to report no epochs */
    private Training train(HookedTransformer model, ComponentPatching patching, ModelInput clean, Metric metric, double lambda,
                           long seed, String cell) {
        int reportEvery = Math.max(1, options.epochs() / PROGRESS_REPORTS);
        HardConcrete hc = HardConcrete.SP;
        int n = patching.components().size();
        double[] weights = regularizerWeights(model.config());
        int masks = weights.length;   // the components, then the MLP masks no forward pass reads (attention-only models)
        if (masks < n) throw new IllegalStateException("fewer regulariser weights (" + masks + ") than components (" + n + ")");
        double[] theta = new double[masks];
        java.util.Arrays.fill(theta, hc.initialLogit(0.9));
        Adam adam = new Adam(options.learningRate(), masks);
        Random rng = new Random(seed);
        double metricValue = Double.NaN, loss = Double.NaN;
        float[] noise = new float[n];
        double[] grad = new double[masks];
        try (NDManager base = NDManager.newBaseManager(model.device())) {
            for (int epoch = 0; epoch < options.epochs(); epoch++) {
                if (cell != null && epoch > 0 && epoch % reportEvery == 0) progress.accept(cell + " epoch " + epoch + "/" + options.epochs());
                for (int i = 0; i < n; i++) noise[i] = (float) HardConcrete.logisticNoise(rng.nextDouble());
                double[] componentTheta = java.util.Arrays.copyOf(theta, n);
                Step st = step(base, model, patching, clean, metric, componentTheta, noise);
                if (!st.finite()) {
                    // Twice in development (tracr-reverse, zero ablation) a step gave a NaN gradient with a finite
                    // metric, and repeating the same run did not reproduce it; the cause was not found. Recompute
                    // the step once, and stop with a clear error if it is still not finite, rather than wreck the masks.
                    st = step(base, model, patching, clean, metric, componentTheta, noise);
                }
                float[] metricGrad = st.grad();
                metricValue = st.metric();
                for (int i = 0; i < n; i++) {
                    if (!Float.isFinite(metricGrad[i]) || !Double.isFinite(metricValue)) {
                        // never let a non-finite step silently wreck the masks
                        throw new IllegalStateException("SP: metric " + metricValue + " or its gradient for mask "
                                + patching.components().get(i).name() + " is not finite at epoch " + epoch + ", λ=" + lambda);
                    }
                }
                double reg = 0;
                for (int i = 0; i < masks; i++) {
                    reg += weights[i] * hc.expectedL0(theta[i]);
                    grad[i] = (i < n ? metricGrad[i] : 0) + lambda * weights[i] * hc.expectedL0Derivative(theta[i]);
                }
                loss = metricValue + lambda * reg;
                adam.step(theta, grad);
            }
        }
        boolean[] kept = new boolean[n];
        for (int i = 0; i < n; i++) kept[i] = hc.kept(theta[i]);
        return new Training(java.util.Arrays.copyOf(theta, n), kept, metricValue, loss);
    }

    private record Step(float[] grad, double metric) {
        boolean finite() {
            if (!Double.isFinite(metric)) return false;
            for (float g : grad) if (!Float.isFinite(g)) return false;
            return true;
        }
    }

    private static Step step(NDManager base, HookedTransformer model, ComponentPatching patching, ModelInput clean,
                             Metric metric, double[] theta, float[] noise) {
        HardConcrete hc = HardConcrete.SP;
        try (NDManager step = base.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray th = step.create(toFloats(theta));
            th.setRequiresGradient(true);
            NDArray mask = hc.sample(th, step.create(noise));
            NDArray logits = model.runWithHooks(step, clean, patching.maskedHooks(mask));
            NDArray f = metric.apply(logits);
            collector.backward(f);
            return new Step(th.getGradient().toType(DataType.FLOAT32, false).toFloatArray(),
                    f.toType(DataType.FLOAT64, false).getDouble());
        }
    }

    /**
     * The number of masks SP trains on a model: one per component ({@link ComponentCircuits#components}), plus, on
     * an attention-only model, the ACDC code's L {@code hook_mlp_out} masks that no forward pass reads.
     */
    public static int maskCount(TransformerConfig config) {
        return ComponentCircuits.components(config).size() + (config.attentionOnly() ? config.nLayers() : 0);
    }

    /**
     * The weight of each mask in R, in mask order (the components as {@link ComponentCircuits#components} lists
     * them, then on an attention-only model one unread MLP mask per layer): 1 / (4·L · masks at its hook point), so
     * that R = Σ_i w_i·σ(θ_i − β·log(−γ/ζ)) is the mean over the ACDC code's 4·L masked hook points (q, k, v,
     * mlp_out per layer) of the per-hook-point mean: 1/(4·L·H) for a q, k or v mask, 1/(4·L) for an MLP mask. With
     * G &lt; H grouped key/value heads a k or v mask weighs 1/(4·L·G) (G masks at {@code hook_k}, {@code hook_v}).
     */
    public static double[] regularizerWeights(TransformerConfig config) {
        List<Component> components = ComponentCircuits.components(config);
        Map<String, Integer> perHook = new java.util.HashMap<>();
        for (Component c : components) perHook.merge(c.hookName(), 1, Integer::sum);
        double hookPoints = 4.0 * config.nLayers();
        double[] w = new double[maskCount(config)];
        for (int i = 0; i < w.length; i++) {
            boolean unread = i >= components.size();   // an attention-only model's MLP masks: one per hook point
            w[i] = 1 / (hookPoints * (unread ? 1 : perHook.get(components.get(i).hookName())));
        }
        return w;
    }

    /**
     * R(θ) = Σ_i w_i·σ(θ_i − β·log(−γ/ζ)) with {@link #regularizerWeights}: the expected-L0 penalty, for one logit
     * per mask ({@link #maskCount}).
     */
    public static double penalty(TransformerConfig config, double[] logits) {
        double[] w = regularizerWeights(config);
        if (logits.length != w.length) {
            throw new IllegalArgumentException("expected one logit per mask of '" + config.name() + "' (" + w.length
                    + "), found " + logits.length);
        }
        double r = 0;
        for (int i = 0; i < w.length; i++) r += w[i] * HardConcrete.SP.expectedL0(logits[i]);
        return r;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** 10^linspace(lo, hi, n), the exponents computed as NumPy's {@code linspace} does: i·((hi − lo)/(n − 1)) + lo, the last one hi. */
    static double[] logspace(double lo, double hi, int n) {
        double[] out = new double[n];
        double step = (hi - lo) / (n - 1);
        for (int i = 0; i < n; i++) out[i] = Math.pow(10, i == n - 1 ? hi : i * step + lo);
        return out;
    }

    private static double[] trainedModelLambdas() {
        double[] out = new double[32];
        double[] a = logspace(-2, 0, 11);
        System.arraycopy(a, 0, out, 0, 11);
        for (int i = 0; i < 9; i++) out[11 + i] = 2 + i;            // linspace(1, 10, 10)[1:]
        for (int i = 0; i < 12; i++) out[20 + i] = 30 + 20 * i;     // linspace(10, 250, 13)[1:]
        return out;
    }
}
