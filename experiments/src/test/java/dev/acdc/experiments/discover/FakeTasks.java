package dev.acdc.experiments.discover;

import ai.djl.ndarray.NDArray;
import dev.acdc.datasets.Task;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** A fake task on a tiny random GPT-2-style model, installed as the commands' task source in tests. */
public final class FakeTasks {
    private FakeTasks() {}

    public static final String NAME = "fake-tiny";
    static final TransformerConfig CONFIG = TransformerConfig.gpt2Style("tiny-gpt2", 2, 8, 2, 16, 11, 6, 1e-5);

    public static TaskSource source() {
        return new TaskSource() {
            @Override
            public Task get(String name, dev.acdc.datasets.TaskOptions options) {
                if (!name.equals(NAME)) throw new IllegalArgumentException(name);
                return new FakeTask();
            }

            @Override
            public List<String> names() {
                return List.of(NAME);
            }
        };
    }

    static TransformerWeights weights(long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : TransformerWeights.expectedShapes(CONFIG).entrySet()) {
            Tensor t = Tensor.zeros(e.getValue());
            float[] d = t.data();
            boolean gain = e.getKey().endsWith(".w") && e.getValue().length == 1;
            for (int i = 0; i < d.length; i++) d[i] = gain ? (float) (1 + 0.1 * r.nextGaussian()) : (float) (0.5 * r.nextGaussian());
            m.put(e.getKey(), t);
        }
        return TransformerWeights.of(CONFIG, m);
    }

    static ModelInput tokens(long seed) {
        Random r = new Random(seed);
        int[][] t = new int[6][5];
        for (int[] row : t) for (int i = 0; i < row.length; i++) row[i] = r.nextInt(CONFIG.dVocab());
        return ModelInput.of(t);
    }

    static class FakeTask implements Task {
        @Override public String name() { return NAME; }

        @Override public String description() { return "a tiny random GPT-2 with a made-up ground truth"; }

        @Override public TransformerWeights weights() { return FakeTasks.weights(3); }

        @Override public ModelInput clean() { return tokens(1); }

        @Override public ModelInput corrupted() { return tokens(2); }

        @Override public List<String> metricNames() { return List.of("kl_div", "l2"); }

        @Override
        public Metric metric(String name, NDArray cleanOutput) {
            return switch (name) {
                case "kl_div" -> Metrics.klDivergence(cleanOutput, ScoredPositions.last());
                case "l2" -> Metrics.l2(cleanOutput, ScoredPositions.last());
                default -> throw new IllegalArgumentException(name);
            };
        }

        @Override
        public Map<String, List<String>> groundTruths() {
            List<Edge> all = CircuitGraph.of(CONFIG).edges();
            Map<String, List<String>> m = new LinkedHashMap<>();
            // components embed, a0.0, a1.1, output: half the 8 components, so node FPR and TPR are defined
            Set<String> parts = Set.of("embed", "a0.0", "a1.1", "output");
            m.put("canonical", all.stream().filter(e -> parts.contains(e.sender().componentName())
                    && parts.contains(e.receiver().componentName())).map(Edge::name).toList());
            m.put("into-output", all.stream().filter(e -> e.receiver().name().equals("output")
                    && Set.of("a1.0", "m1").contains(e.sender().name())).map(Edge::name).toList());
            return m;
        }

        @Override public boolean smokeRun() { return true; }

        @Override public double[] defaultThresholds() { return new double[] {0.001, 0.01, 0.1}; }
    }
}
