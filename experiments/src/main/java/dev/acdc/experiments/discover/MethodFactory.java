package dev.acdc.experiments.discover;

import dev.acdc.datasets.Task;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.method.AcdcMethod;
import dev.acdc.discovery.method.AttributionPrefilter;
import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.Eap;
import dev.acdc.discovery.method.EapIg;
import dev.acdc.discovery.method.EdgePruning;
import dev.acdc.discovery.method.GradientAt;
import dev.acdc.discovery.method.HeadImportance;
import dev.acdc.discovery.method.PrefilteredAcdc;
import dev.acdc.discovery.method.SubnetworkProbing;
import dev.acdc.experiments.BadInputException;

import java.util.List;
import java.util.function.Consumer;

/**
 * Builds discovery methods by CLI name with the settings of a sweep: the threshold list for ACDC, the λ list of SP
 * for the task and metric ({@link SubnetworkProbing#defaultLambdas}), where EAP and EAP-IG take their gradient,
 * and the reduced settings of {@code --quick} (every third ACDC threshold; SP with fewer, larger steps on every
 * other λ; EAP-IG with {@value #QUICK_EAP_IG_STEPS} steps; Edge Pruning with {@value #QUICK_EP_STEPS} steps on every third
 * target). HISP, EAP and EAP-IG have no sweep parameter: they rank once. {@code acdc-eap-ig[:K]} (EAP-guided ACDC) sweeps ACDC's thresholds over the edges EAP-IG's top K leaves.
 */
public final class MethodFactory {

    /** Every method the CLI knows, in report order. */
    public static final List<String> NAMES = List.of("acdc", "sp", "hisp", "eap", "eap-ig", EdgePruning.NAME, PrefilteredAcdc.NAME);

    /**
     * What {@code reproduce} runs without {@code --methods}: every method but Edge Pruning, which trains one model per
     * target sparsity (minutes per tracr cell even under --quick) and is asked for by name.
     */
    public static final List<String> REPRODUCE_DEFAULT = NAMES.stream().filter(n -> !n.equals(EdgePruning.NAME)).toList();

    /**
     * SP under --quick: 300 Adam steps at learning rate 0.01 (a logit moves at most ~0.01 per step, so the keep
     * threshold, ln 5 ≈ 1.6 away at initialisation, is within reach) on every other λ of the task's list.
     */
    static final int QUICK_SP_EPOCHS = 300;
    static final double QUICK_SP_LEARNING_RATE = 1e-2;

    /** EAP-IG under --quick: 5 steps, the number hannamw/EAP-IG's README uses ({@code ig_steps=5}), instead of its default 30. */
    static final int QUICK_EAP_IG_STEPS = 5;

    /**
     * Edge Pruning under --quick: 300 steps (target reached at 200, lr warm-up 40) on every third target of its sweep and
     * the last: enough for log α to fall from 10 past the read-out and the target to be held for 100 steps.
     */
    static final int QUICK_EP_STEPS = 300, QUICK_EP_SPARSITY_WARMUP = 200, QUICK_EP_LR_WARMUP = 40;

    private MethodFactory() {}

    /**
     * Settings of one sweep.
     *
     * @param thresholds ACDC's thresholds; null for the task's default range (every third value and the last one with quick)
     * @param quick       fewer thresholds, epochs and steps: a fast smoke of the whole pipeline
     * @param eapGradient where EAP and EAP-IG take their gradient; null for each method's default
     *                    (EAP: {@link GradientAt#CLEAN}, EAP-IG: {@link GradientAt#CORRUPTED})
     * @param progress    one line per finished step of a method
     * @param edgePruningTargets Edge Pruning's target sparsities, each in (0, 1); null for its default sweep
     */
    public record Settings(double[] thresholds, boolean quick, GradientAt eapGradient, Consumer<String> progress,
                           double[] edgePruningTargets) {
        public Settings(double[] thresholds, boolean quick, GradientAt eapGradient, Consumer<String> progress) {
            this(thresholds, quick, eapGradient, progress, null);
        }

        public Settings(double[] thresholds, boolean quick, Consumer<String> progress) {
            this(thresholds, quick, null, progress);
        }

        public static Settings defaults() {
            return new Settings(null, false, s -> {});
        }
    }

    /**
     * The method of that CLI name for a task scored with {@code metricName} (SP's λ list depends on both).
     */
    public static DiscoveryMethod create(String name, Task task, String metricName, Settings settings) {
        GradientAt at = settings.eapGradient();
        AttributionPrefilter prefilter = prefilter(name);
        if (prefilter != null) {
            // EAP-guided ACDC: EAP-IG with the sweep's settings ranks, ACDC decides the top K at each τ of ACDC's sweep
            int steps = settings.quick() ? QUICK_EAP_IG_STEPS : EapIg.DEFAULT_STEPS;
            return new PrefilteredAcdc(name, prefilter, at, steps, acdcThresholds(task, settings), AcdcOptions.fast(0), settings.progress());
        }
        // every method reports its steps (ACDC's thresholds, SP's λ and epochs, HISP's passes, EAP's gradient passes)
        return method(name, task, metricName, settings, at).withProgress(settings.progress());
    }

    private static DiscoveryMethod method(String name, Task task, String metricName, Settings settings, GradientAt at) {
        return switch (name) {
            case AcdcMethod.NAME -> new AcdcMethod(acdcThresholds(task, settings), AcdcOptions.fast(0), s -> {});
            case "sp" -> {
                if (!settings.quick()) yield new SubnetworkProbing();
                double[] all = SubnetworkProbing.defaultLambdas(task.name(), metricName);
                double[] every2nd = java.util.stream.IntStream.range(0, all.length).filter(i -> i % 2 == 0 || i == all.length - 1)
                        .mapToDouble(i -> all[i]).toArray();
                yield new SubnetworkProbing(new SubnetworkProbing.Options(every2nd, QUICK_SP_EPOCHS, QUICK_SP_LEARNING_RATE));
            }
            case "hisp" -> new HeadImportance();
            case "eap" -> at == null ? new Eap() : new Eap(at);
            case "eap-ig" -> {
                int steps = settings.quick() ? QUICK_EAP_IG_STEPS : EapIg.DEFAULT_STEPS;
                yield at == null ? new EapIg(steps) : new EapIg(steps, at);
            }
            case EdgePruning.NAME -> edgePruning(settings);
            default -> throw new BadInputException("unknown method '" + name + "'; expected one of " + String.join(", ", NAMES));
        };
    }

    /**
     * The prefilter of {@code acdc-eap-ig} (K = {@link PrefilteredAcdc#DEFAULT_K}) or {@code acdc-eap-ig:K}; null for
     * another method; a malformed K is bad input.
     */
    public static AttributionPrefilter prefilter(String name) {
        try {
            return PrefilteredAcdc.ofName(name);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("method " + name + ": " + e.getMessage());
        }
    }

    /** Edge Pruning with the given targets (else its default sweep; under --quick every third target and the last, fewer steps). */
    static EdgePruning edgePruning(Settings settings) {
        EdgePruning.Options d = EdgePruning.Options.defaults();
        double[] targets = settings.edgePruningTargets();
        if (!settings.quick()) return new EdgePruning(new EdgePruning.Options(targets, d.steps(), d.sparsityWarmupSteps(),
                d.lrWarmupSteps(), d.maskLearningRate(), d.lambdaLearningRate()));
        if (targets == null) targets = everyThird(EdgePruning.DEFAULT_TARGETS);
        return new EdgePruning(new EdgePruning.Options(targets, QUICK_EP_STEPS, QUICK_EP_SPARSITY_WARMUP, QUICK_EP_LR_WARMUP,
                d.maskLearningRate(), d.lambdaLearningRate()));
    }

    /** The ACDC sweep: the given thresholds, else the task's default range (under --quick every third value and the last). */
    public static double[] acdcThresholds(Task task, Settings settings) {
        if (settings.thresholds() != null) return settings.thresholds().clone();
        double[] all = task.defaultThresholds();
        if (!settings.quick()) return all;
        return everyThird(all);
    }

    /** --quick's thinning of a sweep: every third value, and always both ends of the range. */
    private static double[] everyThird(double[] all) {
        return java.util.stream.IntStream.range(0, all.length).filter(i -> i % 3 == 0 || i == all.length - 1)
                .mapToDouble(i -> all[i]).toArray();
    }
}
