package dev.acdc.tracr.craft;

import dev.acdc.tracr.rasp.Values;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * MLPs for Map, SequenceMap, LinearSequenceMap and the decoding half of SelectorWidth.
 *
 * <p>Outputs are given as images {@code value → (output direction → coefficient)}: a categorical output
 * maps a value to its one-hot, a numerical output to its number on one direction; so one construction
 * serves both output encodings. Every hidden direction is named after the block ({@code _name_hidden:i}).
 *
 * <p>BOS gating: a neuron with a bias (a weight on {@link BasisDirection#ONE}) would fire at BOS, where
 * every SOp is 0. It gets a weight {@code −(1 + |bias| + |input weight|·bound)} on {@link BasisDirection#BOS},
 * which keeps it off there, so MLP outputs are 0 at BOS and heads that use a later SOp as key never
 * mistake BOS for a match.
 */
public final class MlpConstructions {
    private MlpConstructions() {}

    /**
     * A categorical input: one hidden neuron per input value with a non-zero image (a lookup table).
     * Neuron {@code x} is {@code ReLU(onehot_x)}; it needs no bias, so it is 0 at BOS.
     */
    public static MlpBlock categoricalInput(String name, VectorSpace input, VectorSpace output,
                                            Function<Object, Map<BasisDirection, Double>> image) {
        Neurons n = new Neurons(name);
        for (BasisDirection x : input.basis()) {
            Map<BasisDirection, Double> out = image.apply(x.value());
            if (isZero(out)) continue;
            n.add(Map.of(x, 1.0), out, 0);
        }
        return n.build(output);
    }

    /**
     * A numerical input with a known finite value set, by discretisation: the output is the image of the
     * smallest value plus, for each pair of adjacent values whose images differ, a step (two ReLUs forming a
     * ramp between them) times the difference of the images.
     *
     * @param bosBound the largest value the input direction can hold at BOS (0 for SOps; 1 for a selector
     *                 width's private direction)
     */
    public static MlpBlock numericalInput(String name, BasisDirection input, List<Object> sortedValues,
                                          VectorSpace output, Function<Object, Map<BasisDirection, Double>> image,
                                          Discretisation discretisation, double bosBound) {
        Neurons n = new Neurons(name);
        if (sortedValues.isEmpty()) return n.build(output);
        Map<BasisDirection, Double> base = image.apply(sortedValues.get(0));
        if (!isZero(base)) n.add(Map.of(BasisDirection.ONE, 1.0), base, bosBound);
        Map<BasisDirection, Double> previous = base;
        for (int i = 1; i < sortedValues.size(); i++) {
            Map<BasisDirection, Double> current = image.apply(sortedValues.get(i));
            Map<BasisDirection, Double> delta = difference(current, previous);
            previous = current;
            if (isZero(delta)) continue;
            double a = Values.toDouble(sortedValues.get(i - 1)), b = Values.toDouble(sortedValues.get(i));
            double slope = discretisation.slope(b - a), mid = (a + b) / 2;
            // step(x) = ReLU(slope(x−mid) + 1/2) − ReLU(slope(x−mid) − 1/2): 0 below the ramp, 1 above it
            n.add(Map.of(input, slope, BasisDirection.ONE, -slope * mid + 0.5), delta, bosBound);
            n.add(Map.of(input, slope, BasisDirection.ONE, -slope * mid - 0.5), scale(delta, -1), bosBound);
        }
        return n.build(output);
    }

    /**
     * Two categorical inputs: one hidden neuron per pair of values, {@code ReLU(onehot_x + onehot_y − 1)},
     * which is 1 exactly when the input is (x, y). Works when both inputs are the same SOp (then only the
     * diagonal pairs fire).
     */
    public static MlpBlock sequenceMap(String name, VectorSpace left, VectorSpace right, VectorSpace output,
                                       BiFunction<Object, Object, Map<BasisDirection, Double>> image) {
        Neurons n = new Neurons(name);
        for (BasisDirection x : left.basis()) {
            for (BasisDirection y : right.basis()) {
                Map<BasisDirection, Double> out = image.apply(x.value(), y.value());
                if (isZero(out)) continue;
                Map<BasisDirection, Double> in = new HashMap<>();
                in.merge(x, 1.0, Double::sum);
                in.merge(y, 1.0, Double::sum);
                in.put(BasisDirection.ONE, -1.0);
                n.add(in, out, 0);
            }
        }
        return n.build(output);
    }

    /** {@code a·x + b·y} on numerical directions, through ReLU(x), ReLU(−x), ReLU(y), ReLU(−y); no bias. */
    public static MlpBlock linearSequenceMap(String name, BasisDirection x, BasisDirection y, double a, double b,
                                             BasisDirection output) {
        Neurons n = new Neurons(name);
        VectorSpace out = VectorSpace.of(output);
        if (a != 0) {
            n.add(Map.of(x, 1.0), Map.of(output, a), 0);
            n.add(Map.of(x, -1.0), Map.of(output, -a), 0);
        }
        if (b != 0) {
            n.add(Map.of(y, 1.0), Map.of(output, b), 0);
            n.add(Map.of(y, -1.0), Map.of(output, -b), 0);
        }
        return n.build(out);
    }

    private static boolean isZero(Map<BasisDirection, Double> m) {
        if (m == null) return true;
        for (double v : m.values()) if (v != 0) return false;
        return true;
    }

    private static Map<BasisDirection, Double> difference(Map<BasisDirection, Double> a, Map<BasisDirection, Double> b) {
        Map<BasisDirection, Double> d = new HashMap<>();
        if (a != null) a.forEach((k, v) -> d.merge(k, v, Double::sum));
        if (b != null) b.forEach((k, v) -> d.merge(k, -v, Double::sum));
        d.values().removeIf(v -> Math.abs(v) < 1e-12);
        return d;
    }

    private static Map<BasisDirection, Double> scale(Map<BasisDirection, Double> m, double s) {
        Map<BasisDirection, Double> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, v * s));
        return out;
    }

    /** Collects neurons (input weights, output image), adds the BOS gate and builds the block. */
    private static final class Neurons {
        private final String name;
        private final List<Map<BasisDirection, Double>> ins = new ArrayList<>();
        private final List<Map<BasisDirection, Double>> outs = new ArrayList<>();

        Neurons(String name) {
            this.name = name;
        }

        void add(Map<BasisDirection, Double> in, Map<BasisDirection, Double> out, double bosBound) {
            Map<BasisDirection, Double> w = new LinkedHashMap<>(in);
            double bias = Math.abs(w.getOrDefault(BasisDirection.ONE, 0.0));
            double inputAtBos = 0;
            for (var e : w.entrySet()) {
                if (!e.getKey().equals(BasisDirection.ONE)) inputAtBos += Math.abs(e.getValue()) * bosBound;
            }
            if (bias != 0 || inputAtBos != 0) w.put(BasisDirection.BOS, -(1 + bias + inputAtBos));
            ins.add(w);
            outs.add(out);
        }

        MlpBlock build(VectorSpace output) {
            List<BasisDirection> hiddenDirs = new ArrayList<>();
            List<BasisDirection> inputDirs = new ArrayList<>();
            for (int i = 0; i < ins.size(); i++) {
                hiddenDirs.add(new BasisDirection("_" + name + "_hidden", i));
                inputDirs.addAll(ins.get(i).keySet());
            }
            VectorSpace hidden = new VectorSpace(hiddenDirs);
            VectorSpace input = new VectorSpace(inputDirs);
            double[][] first = new double[input.dim()][hidden.dim()];
            double[][] second = new double[hidden.dim()][output.dim()];
            for (int i = 0; i < ins.size(); i++) {
                int h = hidden.indexOf(hiddenDirs.get(i));
                for (var e : ins.get(i).entrySet()) first[input.indexOf(e.getKey())][h] += e.getValue();
                for (var e : outs.get(i).entrySet()) second[h][output.indexOf(e.getKey())] += e.getValue();
            }
            return new MlpBlock(name, new LinearMap(input, hidden, first), new LinearMap(hidden, output, second));
        }
    }
}
