package dev.acdc.experiments.reproduce;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The published AUCs of the ACDC paper's Tables 2 and 3 (Conmy et al. 2023), for printing beside ours. Keys are
 * {@code task|metric kind|ablation|method|level} with our task names, metric kind {@code kl} or {@code loss}
 * (the task's own metric), ablation {@code resample} (the paper's "random ablation") or {@code zero}, method
 * {@code acdc}, {@code sp} or {@code hisp}, level {@code edge} or {@code node}.
 */
final class PaperTable2 {
    private PaperTable2() {}

    /**
     * Where the numbers come from, printed with the table. Table 2 (resample, "random ablation") and Table 3
     * (zero ablation) of arXiv 2304.14997v4 (NeurIPS 2023 camera-ready), Appendix E. The paper scores tracr with
     * the L2 loss only and has no induction row (induction has no canonical circuit there).
     */
    static final String SOURCE = "Conmy et al. 2023 (arXiv 2304.14997v4), Tables 2 and 3";

    private static final Map<String, Double> AUC = Map.ofEntries(
            Map.entry("docstring|kl|resample|acdc|edge", 0.982),
            Map.entry("docstring|kl|resample|hisp|edge", 0.805),
            Map.entry("docstring|kl|resample|sp|edge", 0.937),
            Map.entry("docstring|kl|resample|acdc|node", 0.950),
            Map.entry("docstring|kl|resample|hisp|node", 0.881),
            Map.entry("docstring|kl|resample|sp|node", 0.928),
            Map.entry("greater-than|kl|resample|acdc|edge", 0.853),
            Map.entry("greater-than|kl|resample|hisp|edge", 0.693),
            Map.entry("greater-than|kl|resample|sp|edge", 0.806),
            Map.entry("greater-than|kl|resample|acdc|node", 0.890),
            Map.entry("greater-than|kl|resample|hisp|node", 0.642),
            Map.entry("greater-than|kl|resample|sp|node", 0.827),
            Map.entry("ioi|kl|resample|acdc|edge", 0.869),
            Map.entry("ioi|kl|resample|hisp|edge", 0.789),
            Map.entry("ioi|kl|resample|sp|edge", 0.823),
            Map.entry("ioi|kl|resample|acdc|node", 0.880),
            Map.entry("ioi|kl|resample|hisp|node", 0.668),
            Map.entry("ioi|kl|resample|sp|node", 0.842),
            Map.entry("docstring|loss|resample|acdc|edge", 0.972),
            Map.entry("docstring|loss|resample|hisp|edge", 0.821),
            Map.entry("docstring|loss|resample|sp|edge", 0.942),
            Map.entry("docstring|loss|resample|acdc|node", 0.938),
            Map.entry("docstring|loss|resample|hisp|node", 0.889),
            Map.entry("docstring|loss|resample|sp|node", 0.941),
            Map.entry("greater-than|loss|resample|acdc|edge", 0.461),
            Map.entry("greater-than|loss|resample|hisp|edge", 0.706),
            Map.entry("greater-than|loss|resample|sp|edge", 0.812),
            Map.entry("greater-than|loss|resample|acdc|node", 0.766),
            Map.entry("greater-than|loss|resample|hisp|node", 0.631),
            Map.entry("greater-than|loss|resample|sp|node", 0.811),
            Map.entry("ioi|loss|resample|acdc|edge", 0.589),
            Map.entry("ioi|loss|resample|hisp|edge", 0.836),
            Map.entry("ioi|loss|resample|sp|edge", 0.707),
            Map.entry("ioi|loss|resample|acdc|node", 0.777),
            Map.entry("ioi|loss|resample|hisp|node", 0.728),
            Map.entry("ioi|loss|resample|sp|node", 0.797),
            Map.entry("tracr-proportion|loss|resample|acdc|edge", 0.679),
            Map.entry("tracr-proportion|loss|resample|hisp|edge", 0.679),
            Map.entry("tracr-proportion|loss|resample|sp|edge", 0.525),
            Map.entry("tracr-proportion|loss|resample|acdc|node", 0.750),
            Map.entry("tracr-proportion|loss|resample|hisp|node", 0.909),
            Map.entry("tracr-proportion|loss|resample|sp|node", 0.818),
            Map.entry("tracr-reverse|loss|resample|acdc|edge", 0.200),
            Map.entry("tracr-reverse|loss|resample|hisp|edge", 0.577),
            Map.entry("tracr-reverse|loss|resample|sp|edge", 0.193),
            Map.entry("tracr-reverse|loss|resample|acdc|node", 0.312),
            Map.entry("tracr-reverse|loss|resample|hisp|node", 0.750),
            Map.entry("tracr-reverse|loss|resample|sp|node", 0.375),
            Map.entry("docstring|kl|zero|acdc|edge", 0.906),
            Map.entry("docstring|kl|zero|hisp|edge", 0.805),
            Map.entry("docstring|kl|zero|sp|edge", 0.428),
            Map.entry("docstring|kl|zero|acdc|node", 0.837),
            Map.entry("docstring|kl|zero|hisp|node", 0.881),
            Map.entry("docstring|kl|zero|sp|node", 0.420),
            Map.entry("greater-than|kl|zero|acdc|edge", 0.701),
            Map.entry("greater-than|kl|zero|hisp|edge", 0.693),
            Map.entry("greater-than|kl|zero|sp|edge", 0.163),
            Map.entry("greater-than|kl|zero|acdc|node", 0.887),
            Map.entry("greater-than|kl|zero|hisp|node", 0.642),
            Map.entry("greater-than|kl|zero|sp|node", 0.134),
            Map.entry("ioi|kl|zero|acdc|edge", 0.539),
            Map.entry("ioi|kl|zero|hisp|edge", 0.792),
            Map.entry("ioi|kl|zero|sp|edge", 0.486),
            Map.entry("ioi|kl|zero|acdc|node", 0.458),
            Map.entry("ioi|kl|zero|hisp|node", 0.671),
            Map.entry("ioi|kl|zero|sp|node", 0.605),
            Map.entry("docstring|loss|zero|acdc|edge", 0.929),
            Map.entry("docstring|loss|zero|hisp|edge", 0.821),
            Map.entry("docstring|loss|zero|sp|edge", 0.482),
            Map.entry("docstring|loss|zero|acdc|node", 0.825),
            Map.entry("docstring|loss|zero|hisp|node", 0.889),
            Map.entry("docstring|loss|zero|sp|node", 0.398),
            Map.entry("greater-than|loss|zero|acdc|edge", 0.491),
            Map.entry("greater-than|loss|zero|hisp|edge", 0.706),
            Map.entry("greater-than|loss|zero|sp|edge", 0.639),
            Map.entry("greater-than|loss|zero|acdc|node", 0.783),
            Map.entry("greater-than|loss|zero|hisp|node", 0.631),
            Map.entry("greater-than|loss|zero|sp|node", 0.522),
            Map.entry("ioi|loss|zero|acdc|edge", 0.447),
            Map.entry("ioi|loss|zero|hisp|edge", 0.836),
            Map.entry("ioi|loss|zero|sp|edge", 0.393),
            Map.entry("ioi|loss|zero|acdc|node", 0.424),
            Map.entry("ioi|loss|zero|hisp|node", 0.728),
            Map.entry("ioi|loss|zero|sp|node", 0.479),
            Map.entry("tracr-proportion|loss|zero|acdc|edge", 1.000),
            Map.entry("tracr-proportion|loss|zero|hisp|edge", 0.679),
            Map.entry("tracr-proportion|loss|zero|sp|edge", 0.829),
            Map.entry("tracr-proportion|loss|zero|acdc|node", 1.000),
            Map.entry("tracr-proportion|loss|zero|hisp|node", 0.909),
            Map.entry("tracr-proportion|loss|zero|sp|node", 1.000),
            Map.entry("tracr-reverse|loss|zero|acdc|edge", 1.000),
            Map.entry("tracr-reverse|loss|zero|hisp|edge", 0.577),
            Map.entry("tracr-reverse|loss|zero|sp|edge", 0.801),
            Map.entry("tracr-reverse|loss|zero|acdc|node", 1.000),
            Map.entry("tracr-reverse|loss|zero|hisp|node", 0.750),
            Map.entry("tracr-reverse|loss|zero|sp|node", 1.000));

    /**
     * The published AUC of a cell, or empty. {@code level} is {@code edge} or {@code node} (the paper counted nodes
     * with the ACDC code's {@code filter_nodes}); our other node counting has no published counterpart. A data variant
     * ({@code tracr-proportion:acdc-code}) gets its task's number.
     */
    static OptionalDouble get(String task, String metric, String ablation, String method, String level) {
        String kind = metric.equals("kl") ? "kl" : "loss";
        int colon = task.indexOf(':');
        String baseTask = colon < 0 ? task : task.substring(0, colon);
        Double v = AUC.get(baseTask + "|" + kind + "|" + ablation + "|" + method + "|" + level);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
