package dev.acdc.discovery.method;

import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * ACDC as a {@link DiscoveryMethod}: one run per threshold τ, with the problem's metric and ablation (the
 * ablation is the patcher's). The circuits carry ACDC's effect sizes as scores.
 */
public final class AcdcMethod implements SweepMethod {
    public static final String NAME = "acdc";

    private final double[] thresholds;
    private final AcdcOptions template;
    private final Consumer<String> progress;

    /**
     * @param thresholds the τ values, in sweep order
     * @param template   the options every run uses, its threshold replaced by each τ
     * @param progress   one line per finished threshold (may be a no-op)
     */
    public AcdcMethod(double[] thresholds, AcdcOptions template, Consumer<String> progress) {
        if (thresholds.length == 0) throw new IllegalArgumentException("ACDC needs at least one threshold");
        this.thresholds = thresholds.clone();
        this.template = Objects.requireNonNull(template, "template");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** The same sweep reporting each finished threshold to {@code progress}. */
    @Override
    public AcdcMethod withProgress(Consumer<String> progress) {
        return new AcdcMethod(thresholds, template, progress);
    }

    public AcdcMethod(double[] thresholds) {
        this(thresholds, AcdcOptions.fast(0), s -> {});
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int runs(String taskName, String metricName) {
        return thresholds.length;
    }

    /** ACDC at the {@code i}-th threshold. */
    @Override
    public MethodResult run(DiscoveryProblem problem, int i) {
        long start = System.nanoTime();
        AcdcResult r = new Acdc(problem.patcher(), problem.metric(), template.withThreshold(thresholds[i])).run();
        progress.accept(String.format(java.util.Locale.ROOT, "acdc τ=%.3g (%d/%d): %d edges", thresholds[i], i + 1,
                thresholds.length, r.circuit().edgeCount()));
        return new MethodResult(NAME, List.of(new SweepPoint("threshold", thresholds[i], r.circuit())), null, null,
                (System.nanoTime() - start) / 1e9);
    }
}
