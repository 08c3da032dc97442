package dev.acdc.discovery.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.acdc.datasets.Task;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: times EAP on a GPT-2-small-shaped random model against 2 forwards + 1 backward.
 * Run: java -cp ... dev.acdc.discovery.method.EapBench [batch] [positions] [repeats]
 */
public final class EapBench {
    public static void main(String[] args) {
        int B = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int P = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        TransformerConfig c = Presets.gpt2Small();
        long t0 = System.nanoTime();
        TransformerWeights w = Presets.randomWeights(c, 0);
        System.out.printf("weights %.1f s%n", (System.nanoTime() - t0) / 1e9);
        ModelInput clean = tokens(c, B, P, 1), corrupted = tokens(c, B, P, 2);
        int[] correct = new int[B], wrong = new int[B];
        Random r = new Random(3);
        for (int b = 0; b < B; b++) { correct[b] = r.nextInt(c.dVocab()); wrong[b] = r.nextInt(c.dVocab()); }
        Metric metric = Metrics.negativeLogitDifference(ScoredPositions.last(), correct, wrong);
        Task task = new Task() {
            @Override public String name() { return "bench"; }
            @Override public String description() { return "random GPT-2-small-shaped model"; }
            @Override public TransformerWeights weights() { return w; }
            @Override public ModelInput clean() { return clean; }
            @Override public ModelInput corrupted() { return corrupted; }
            @Override public List<String> metricNames() { return List.of("logit_diff"); }
            @Override public Metric metric(String name, NDArray cleanOutput) { return metric; }
            @Override public Map<String, List<String>> groundTruths() { return Map.of("none", List.of()); }
        };
        try (HookedTransformer model = new HookedTransformer(w); NDManager scope = NDManager.newBaseManager()) {
            CircuitGraph graph = CircuitGraph.of(c);
            long e = System.nanoTime();
            try (EdgePatcher patcher = EdgePatcher.create(model, graph, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                System.out.printf("patcher setup %.2f s; %s%n", (System.nanoTime() - e) / 1e9, memory());
                NDArray cl = patcher.cleanLogits(scope);
                DiscoveryProblem problem = new DiscoveryProblem(task, model, graph, patcher, Ablation.RESAMPLE,
                        "logit_diff", metric, cl, 0);
                // reference and EAP interleaved, so that each pair sees about the same load on a shared machine
                for (int rep = 0; rep < reps; rep++) {
                    double cpu0 = cpuSeconds();
                    double ref = reference(model, scope, clean, corrupted, metric, B, P, c.dModel());
                    double cpu1 = cpuSeconds();
                    long f = System.nanoTime();
                    MethodResult res = new Eap().discover(problem);
                    double eap = (System.nanoTime() - f) / 1e9;
                    double cpu2 = cpuSeconds();
                    System.out.printf("rep %d: 2 forwards + 1 backward %.2f s (cpu %.2f s), EAP (discover) %.2f s (cpu %.2f s) = %.2f x wall, %.2f x cpu; %d edges, %d points; %s%n",
                            rep, ref, cpu1 - cpu0, eap, cpu2 - cpu1, eap / ref, (cpu2 - cpu1) / (cpu1 - cpu0),
                            res.edgeScores().length, res.points().size(), memory());
                }
            }
        }
    }

    /** A forward without gradient (the corrupted run) and a forward and backward (the clean run): seconds. */
    static double reference(HookedTransformer model, NDManager scope, ModelInput clean, ModelInput corrupted, Metric metric,
                            int B, int P, int D) {
        long a = System.nanoTime();
        try (NDManager s = scope.newSubManager()) {
            model.forward(s, corrupted).getFloat(0, 0, 0);
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector(); NDManager s = scope.newSubManager()) {
            NDArray leaf = s.zeros(new ai.djl.ndarray.types.Shape(B, P, D));
            leaf.setRequiresGradient(true);
            NDArray logits = model.runWithHooks(s, clean, List.of(new Hook(HookNames.EMBED, x -> x.add(leaf))));
            gc.backward(metric.apply(logits));
            leaf.getGradient().getFloat(0, 0, 0);
        }
        return (System.nanoTime() - a) / 1e9;
    }

    /** CPU time of the whole process (all threads, native ones included), from /proc/self/stat, in seconds. */
    static double cpuSeconds() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;   // utime, stime in clock ticks (USER_HZ 100)
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
    }

    /** Resident and peak resident memory of this process (Linux), in MB. */
    static String memory() {
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) sb.append(line.replaceAll("\\s+", " ")).append("; ");
            }
            return sb.toString();
        } catch (java.io.IOException e) {
            return "memory unknown";
        }
    }

    static ModelInput tokens(TransformerConfig c, int B, int P, long seed) {
        Random r = new Random(seed);
        int[][] t = new int[B][P];
        for (int[] row : t) for (int i = 0; i < P; i++) row[i] = r.nextInt(c.dVocab());
        return ModelInput.of(t);
    }
}
