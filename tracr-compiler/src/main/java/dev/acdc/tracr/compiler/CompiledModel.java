package dev.acdc.tracr.compiler;

import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.tracr.rasp.SOp;

import java.util.List;

/**
 * The result of compiling a RASP program: a Tracr-style transformer (no normalization, ReLU, non-causal,
 * BOS at position 0, attention scale 1), what its residual directions mean, how to encode inputs and
 * decode outputs, and its ground-truth circuit.
 *
 * @param program        the program's name
 * @param output         the compiled SOp (for the evaluator)
 * @param residualLabels one label per residual dimension ({@code name} or {@code name:value}), sorted
 * @param plan           the layer of every SOp
 * @param warnings       what the compiler could not check statically (checked by {@link DynamicValidator})
 */
public record CompiledModel(String program, SOp output, TransformerConfig config, TransformerWeights weights,
                            List<String> residualLabels, InputEncoder encoder, OutputDecoder decoder,
                            GroundTruth groundTruth, LayerPlan plan, List<String> warnings) {
    public CompiledModel {
        residualLabels = List.copyOf(residualLabels);
        warnings = List.copyOf(warnings);
    }
}
