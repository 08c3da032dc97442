package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.SOp;

import java.util.Collection;
import java.util.List;

/**
 * Compiles a RASP program into a transformer whose circuit is known exactly. Reads like a table of
 * contents: one call per pass.
 */
public final class RaspCompiler {
    private RaspCompiler() {}

    public static CompiledModel compile(String name, SOp program, Collection<?> vocab, int maxSeqLen) {
        return compile(name, program, vocab, maxSeqLen, CompilerOptions.DEFAULT);
    }

    /**
     * @throws CompileException naming every unsupported expression and why
     */
    public static CompiledModel compile(String name, SOp program, Collection<?> vocab, int maxSeqLen,
                                        CompilerOptions options) {
        RaspGraph graph = RaspToGraph.extract(program);
        Validator.validate(graph);
        ValueSets values = BasisInference.infer(graph, vocab, maxSeqLen);
        List<String> warnings = Validator.checkSelections(graph, values);
        CraftGraph craft = ExprToCraftGraph.build(graph, values, options);
        LayerPlan plan = LayerAllocation.allocate(graph, craft);
        return CraftModelToTransformer.assemble(name, graph, values, craft, plan, warnings);
    }
}
