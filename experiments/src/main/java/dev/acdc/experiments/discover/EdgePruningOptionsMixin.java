package dev.acdc.experiments.discover;

import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.StrictParsing;
import picocli.CommandLine.Option;

import java.util.List;

/** Edge Pruning's target sparsities ({@code --ep-targets}), shared by {@code roc} and {@code faithfulness}. */
public final class EdgePruningOptionsMixin {

    /** The most targets {@code --ep-targets} accepts (each is a whole training run). */
    static final int MAX_TARGETS = 100;

    @Option(names = "--ep-targets", split = ",", paramLabel = "SPARSITY",
            description = "edge-pruning's target sparsities (fraction of maskable edges removed), each in (0, 1), no repeats, at "
                    + "most " + MAX_TARGETS + "; one training run each (default 0.2,0.35,0.5,0.65,0.8,0.9,0.95,0.98,0.99,0.995,0.998,0.999)")
    List<String> targets;

    /** The targets given, checked (bad input: exit 2); null when the flag is absent (the method's default sweep). */
    public double[] targets() {
        if (targets == null) return null;
        List<String> items = StrictParsing.distinct("--ep-targets", targets, MAX_TARGETS, x -> StrictParsing.finiteNumber("--ep-targets", x));
        double[] out = new double[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = StrictParsing.finiteNumber("--ep-targets", items.get(i));
            if (!(out[i] > 0 && out[i] < 1)) {
                throw new BadInputException("--ep-targets " + items.get(i) + ": expected a target sparsity in (0, 1)");
            }
        }
        return out;
    }
}
