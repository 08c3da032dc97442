package dev.acdc.experiments.reproduce;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * The published AUCs of the ACDC paper's Table 2 (Conmy et al. 2023), for printing beside ours. Keys are
 * {@code task|metric kind|ablation|method|level} with our task names, metric kind {@code kl} or {@code loss}
 * (the task's own metric), ablation {@code resample} (the paper's "random ablation") or {@code zero}, method
 * {@code acdc}, {@code sp} or {@code hisp}, level {@code edge} or {@code node}.
 */
final class PaperTable2 {
    private PaperTable2() {}

    /** Where the numbers come from, printed under the table. */
    static final String SOURCE = "Conmy et al. 2023, Table 2";

    private static final Map<String, Double> AUC = Map.of();

    static OptionalDouble get(String task, String metric, String ablation, String method, String level) {
        String kind = metric.equals("kl") ? "kl" : "loss";
        Double v = AUC.get(task + "|" + kind + "|" + ablation + "|" + method + "|" + level);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
