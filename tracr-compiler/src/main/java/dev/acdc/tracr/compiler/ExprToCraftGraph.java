package dev.acdc.tracr.compiler;

import dev.acdc.tracr.craft.AttentionConstructions;
import dev.acdc.tracr.craft.AttentionHead;
import dev.acdc.tracr.craft.BasisDirection;
import dev.acdc.tracr.craft.MlpBlock;
import dev.acdc.tracr.craft.MlpConstructions;
import dev.acdc.tracr.craft.VectorSpace;
import dev.acdc.tracr.rasp.Aggregate;
import dev.acdc.tracr.rasp.Full;
import dev.acdc.tracr.rasp.Indices;
import dev.acdc.tracr.rasp.LinearSequenceMap;
import dev.acdc.tracr.rasp.RaspExpr;
import dev.acdc.tracr.rasp.RaspMap;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.SelectorWidth;
import dev.acdc.tracr.rasp.SequenceMap;
import dev.acdc.tracr.rasp.Tokens;
import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Pass 4: craft blocks for every SOp. Categorical SOps get one direction per value
 * ({@code label:value}), numerical SOps one direction ({@code label}).
 */
public final class ExprToCraftGraph {
    private ExprToCraftGraph() {}

    public static CraftGraph build(RaspGraph graph, ValueSets values, CompilerOptions options) {
        Map<String, VectorSpace> spaces = new LinkedHashMap<>();
        for (String label : graph.topologicalOrder()) {
            if (graph.expr(label) instanceof SOp s) spaces.put(label, space(label, s, values.of(label)));
        }
        Map<String, CraftGraph.NodeBlocks> blocks = new LinkedHashMap<>();
        Map<BasisDirection, Double> constants = new LinkedHashMap<>();
        for (String label : graph.topologicalOrder()) {
            RaspExpr e = graph.expr(label);
            if (!(e instanceof SOp s) || s instanceof Tokens || s instanceof Indices) continue;
            if (s instanceof Full f) {
                if (f.value() != null) constants.putAll(image(label, s, spaces.get(label)).apply(f.value()));
                continue;
            }
            blocks.put(label, blocksFor(label, s, graph, values, spaces, options));
        }
        return new CraftGraph(Collections.unmodifiableMap(spaces), Collections.unmodifiableMap(blocks),
                Collections.unmodifiableMap(constants));
    }

    static VectorSpace space(String label, SOp s, List<Object> values) {
        if (s.isNumerical()) return VectorSpace.of(new BasisDirection(label));
        List<BasisDirection> dirs = new ArrayList<>();
        for (Object v : values) dirs.add(new BasisDirection(label, v));
        return new VectorSpace(dirs);
    }

    /** value → its representation in the SOp's space: a one-hot, or a number on the single direction. */
    private static Function<Object, Map<BasisDirection, Double>> image(String label, SOp s, VectorSpace space) {
        if (s.isNumerical()) {
            return v -> v == null ? Map.of() : Map.of(new BasisDirection(label), Values.toDouble(v));
        }
        return v -> {
            if (v == null) return Map.of();
            BasisDirection d = new BasisDirection(label, v);
            if (!space.contains(d)) throw new IllegalStateException("value " + v + " of " + label + " missing from its value set");
            return Map.of(d, 1.0);
        };
    }

    private static CraftGraph.NodeBlocks blocksFor(String label, SOp s, RaspGraph graph, ValueSets values,
                                                   Map<String, VectorSpace> spaces, CompilerOptions options) {
        VectorSpace out = spaces.get(label);
        Function<Object, Map<BasisDirection, Double>> image = image(label, s, out);
        if (s instanceof RaspMap m) {
            String in = graph.labelOf(m.inner());
            Function<Object, Map<BasisDirection, Double>> f = x -> image.apply(Values.normalize(m.f().apply(x)));
            MlpBlock mlp = m.inner().isNumerical()
                    ? MlpConstructions.numericalInput(label, new BasisDirection(in), values.of(in), out, f,
                            options.discretisation(), 0)
                    : MlpConstructions.categoricalInput(label, spaces.get(in), out, f);
            return new CraftGraph.NodeBlocks(null, mlp);
        }
        if (s instanceof SequenceMap m) {
            return new CraftGraph.NodeBlocks(null, MlpConstructions.sequenceMap(label,
                    spaces.get(graph.labelOf(m.left())), spaces.get(graph.labelOf(m.right())), out,
                    (x, y) -> image.apply(Values.normalize(m.f().apply(x, y)))));
        }
        if (s instanceof LinearSequenceMap m) {
            String l = graph.labelOf(m.left()), r = graph.labelOf(m.right());
            if (m.left().isNumerical()) {
                return new CraftGraph.NodeBlocks(null, MlpConstructions.linearSequenceMap(label, new BasisDirection(l),
                        new BasisDirection(r), m.leftCoefficient(), m.rightCoefficient(), new BasisDirection(label)));
            }
            return new CraftGraph.NodeBlocks(null, MlpConstructions.sequenceMap(label, spaces.get(l), spaces.get(r), out,
                    (x, y) -> image.apply(Values.normalize(m.leftCoefficient() * Values.toDouble(x)
                            + m.rightCoefficient() * Values.toDouble(y)))));
        }
        if (s instanceof Aggregate a) {
            SelectorLogic.Flat f = SelectorLogic.flatten(a.selector());
            String in = graph.labelOf(a.sop());
            Function<BasisDirection, BasisDirection> copy = a.isNumerical()
                    ? d -> new BasisDirection(label)
                    : d -> new BasisDirection(label, d.value());
            AttentionHead head = AttentionConstructions.aggregate(label, spaces.get(graph.labelOf(f.queries())),
                    spaces.get(graph.labelOf(f.keys())), f.predicate(), spaces.get(in), out, copy,
                    options.softmaxColdness());
            return new CraftGraph.NodeBlocks(head, null);
        }
        if (s instanceof SelectorWidth w) {
            SelectorLogic.Flat f = SelectorLogic.flatten(w.selector());
            BasisDirection width = new BasisDirection("_" + label + "_selector_width_attn_output");
            AttentionHead head = AttentionConstructions.selectorWidth(label, spaces.get(graph.labelOf(f.queries())),
                    spaces.get(graph.labelOf(f.keys())), f.predicate(), width, options.softmaxColdness());
            // the head writes 1/(w+1); decode it back to w (values sorted ascending: w = n, ..., 0)
            List<Object> fractions = new ArrayList<>();
            for (int n = values.maxSeqLen(); n >= 0; n--) fractions.add(Values.normalize(1.0 / (n + 1)));
            MlpBlock mlp = MlpConstructions.numericalInput(label, width, fractions, out,
                    x -> image.apply(Values.normalize(Math.round(1.0 / Values.toDouble(x)) - 1)),
                    options.discretisation(), 1.0);
            return new CraftGraph.NodeBlocks(head, mlp);
        }
        throw new IllegalStateException("no craft construction for SOp kind " + s.kind());
    }
}
