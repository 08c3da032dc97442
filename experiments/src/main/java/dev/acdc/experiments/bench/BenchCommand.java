package dev.acdc.experiments.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.BadInputException;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.compiler.ModelCheck;
import dev.acdc.tracr.compiler.RaspCompiler;
import dev.acdc.tracr.lib.Library;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code acdc bench [SUITE…] [--json]}: GEMM ceiling, forward pass, the patching engine, fast vs reference ACDC,
 * tracr compilation, {@code reproduce --quick}, and memory over many evaluations. Every suite records its peak
 * RSS and heap. Timings live here, never in unit tests.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure the engine: gemm, forward, patching, acdc, compile, reproduce-quick, memory (default: all).")
public final class BenchCommand implements Callable<Integer> {

    public static final List<String> SUITES = List.of("gemm", "forward", "patching", "acdc", "compile", "reproduce-quick", "memory");

    @Parameters(paramLabel = "SUITE", arity = "0..*", description = "suites to run (default: all): ${COMPLETION-CANDIDATES}")
    List<String> suites;

    @Option(names = "--json", description = "print one flat JSON object with every figure")
    boolean json;

    @Option(names = "--shape", defaultValue = "gpt2-small", paramLabel = "SHAPE",
            description = "model shape of the forward and patching suites: gpt2-small (default) or tiny (a quick check of the harness)")
    String shape;

    @Option(names = "--batch", defaultValue = "100", paramLabel = "B", description = "batch of the forward and patching suites (default 100)")
    int batch;

    @Option(names = "--positions", defaultValue = "15", paramLabel = "P", description = "sequence length of the forward and patching suites (default 15)")
    int positions;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", description = "timed repeats per figure (default 5; the median is reported)")
    int repeats;

    @Option(names = "--acdc-batch", defaultValue = "10", paramLabel = "B",
            description = "prompts of the budgeted ACDC run on the GPT-2-small shape (default 10)")
    int acdcBatch;

    @Option(names = "--acdc-receivers", defaultValue = "2", paramLabel = "N",
            description = "receivers decided in the budgeted ACDC run on the GPT-2-small shape (default 2: the output and the last MLP)")
    int acdcReceivers;

    @Option(names = "--evaluations", defaultValue = "10000", paramLabel = "N", description = "masked evaluations of the memory suite (default 10000)")
    int evaluations;

    @Spec
    CommandSpec spec;

    private final Map<String, Object> figures = new LinkedHashMap<>();
    private PrintWriter out;
    private double gemmGflops = Double.NaN;

    @Override
    public Integer call() {
        List<String> run = suites == null || suites.isEmpty() ? SUITES : suites;
        for (String s : run) {
            if (!SUITES.contains(s)) throw new BadInputException("unknown suite '" + s + "'; expected one of " + String.join(", ", SUITES));
        }
        if (!shape.equals("gpt2-small") && !shape.equals("tiny")) {
            throw new BadInputException("unknown --shape '" + shape + "'; expected gpt2-small or tiny");
        }
        for (var e : Map.of("--batch", batch, "--positions", positions, "--repeats", repeats, "--acdc-batch", acdcBatch,
                "--acdc-receivers", acdcReceivers, "--evaluations", evaluations).entrySet()) {
            if (e.getValue() < 1) throw new BadInputException(e.getKey() + " " + e.getValue() + ": expected a number ≥ 1");
        }
        out = spec.commandLine().getOut();
        figures.put("shape", shape);
        figures.put("batch", batch);
        figures.put("positions", positions);
        figures.put("threads", Runtime.getRuntime().availableProcessors());
        double peak = 0;
        for (String s : run) {
            MemoryProbe.reset();
            long t0 = System.nanoTime();
            switch (s) {
                case "gemm" -> gemm();
                case "forward" -> forward();
                case "patching" -> patching();
                case "acdc" -> acdc();
                case "compile" -> compile();
                case "reproduce-quick" -> reproduceQuick();
                case "memory" -> memory();
                default -> throw new IllegalStateException(s);
            }
            String key = s.replace('-', '_');
            double rss = MemoryProbe.peakRssMb();
            figures.put("peak_rss_mb_" + key, rss);
            figures.put("peak_heap_mb_" + key, MemoryProbe.peakHeapMb());
            figures.put("suite_seconds_" + key, (System.nanoTime() - t0) / 1e9);
            if (!Double.isNaN(rss)) peak = Math.max(peak, rss);
            say("%s: peak RSS %.0f MiB, peak heap %.0f MiB", s, rss, MemoryProbe.peakHeapMb());
        }
        figures.put("peak_rss_mb", peak);
        if (json) out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(figures));
        out.flush();
        return 0;
    }

    private void say(String format, Object... args) {
        if (!json) {
            out.println(String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    // ------------------------------------------------------------------ suites

    private void gemm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(768, 768));
            NDArray b = m.randomNormal(new Shape(768, 3072));
            Timing t = Timing.measure(5, Math.max(repeats, 20), () -> a.matMul(b).close());
            gemmGflops = 2.0 * 768 * 768 * 3072 / t.median() / 1e9;
            figures.put("gemm_gflops", gemmGflops);
            figures.put("gemm_seconds", t.median());
            say("gemm 768x768 by 768x3072: %.1f GFLOP/s (%s)", gemmGflops, t);
        }
    }

    private TransformerConfig benchConfig() {
        return shape.equals("tiny") ? TransformerConfig.gpt2Style("bench-tiny", 2, 64, 4, 256, 500, 64, 1e-5) : Presets.gpt2Small();
    }

    private int[][] tokens(TransformerConfig c, int b, int p, long seed) {
        Random r = new Random(seed);
        int[][] t = new int[b][p];
        for (int[] row : t) for (int i = 0; i < p; i++) row[i] = r.nextInt(c.dVocab());
        return t;
    }

    /** Multiply-adds ×2 of one forward: projections, MLP, attention scores and mixing, unembedding. */
    static double forwardFlops(TransformerConfig c, int b, int p) {
        double perToken = c.nLayers() * (2.0 * 4 * c.dModel() * (double) c.nHeads() * c.dHead()
                + (c.attentionOnly() ? 0 : 2.0 * 2 * c.dModel() * (double) c.dMlp())
                + 2.0 * 2 * p * (double) c.nHeads() * c.dHead())
                + 2.0 * c.dModel() * (double) c.dVocabOut();
        return perToken * b * p;
    }

    private void forward() {
        if (Double.isNaN(gemmGflops)) gemm();
        TransformerConfig c = benchConfig();
        int[][] t = tokens(c, batch, positions, 1);
        try (HookedTransformer model = new HookedTransformer(Presets.randomWeights(c, 1))) {
            // PyTorch runs eagerly: when forward returns, the logits exist. Copying 300 MB of them into Java is not
            // part of a forward pass, so one element is read back instead.
            Timing tm = Timing.measure(2, repeats, () -> {
                try (NDManager s = NDManager.newBaseManager()) {
                    model.forward(s, t).getFloat(0, 0, 0);
                }
            });
            double gflops = forwardFlops(c, batch, positions) / tm.median() / 1e9;
            figures.put("forward_seconds", tm.median());
            figures.put("forward_gflops", gflops);
            figures.put("forward_ratio", gflops / gemmGflops);
            say("forward %s [%d, %d]: %s, %.1f GFLOP/s, %.2f of gemm", c.name(), batch, positions, tm, gflops, gflops / gemmGflops);
        }
    }

    private void patching() {
        TransformerConfig c = benchConfig();
        CircuitGraph graph = CircuitGraph.of(c);
        ModelInput clean = ModelInput.of(tokens(c, batch, positions, 1));
        ModelInput corrupted = ModelInput.of(tokens(c, batch, positions, 2));
        int reps = Math.min(repeats, 3);
        try (HookedTransformer model = new HookedTransformer(Presets.randomWeights(c, 1))) {
            long s0 = System.nanoTime();
            try (EdgePatcher p = EdgePatcher.create(model, graph, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                figures.put("patching_setup_seconds", (System.nanoTime() - s0) / 1e9);
                float[] ones = new float[p.maskLength()];
                Arrays.fill(ones, 1f);
                Timing full = Timing.measure(1, reps, () -> {
                    try (NDManager s = NDManager.newBaseManager()) {
                        model.forward(s, clean).getFloat(0, 0, 0);
                    }
                });
                Timing masked = Timing.measure(1, reps, () -> logits(p, new float[][] {ones}, false));
                figures.put("patching_full_forward_seconds", full.median());
                figures.put("patching_masked_forward_seconds", masked.median());
                say("patching %s [%d, %d]: full forward %s; masked forward (every layer) %s", c.name(), batch, positions, full, masked);
                int last = c.nLayers() - 1;
                for (int layer : new int[] {0, c.nLayers() / 2, last}) {
                    float[] m = ones.clone();
                    m[firstInEdge(graph, layer)] = 0f;
                    Timing inc = Timing.measure(1, reps, () -> logits(p, new float[][] {m}, true));
                    figures.put("patching_incremental_layer" + layer + "_seconds", inc.median());
                    say("  incremental from a receiver in layer %d: %s (%.2f of the masked forward)", layer, inc,
                            inc.median() / masked.median());
                }
                int[] ids = graph.inEdgeIds(Node.headInput(last, 0, Node.Channel.Q), dev.acdc.patching.graph.SenderOrder.ACDC);
                int k = Math.min(16, ids.length);
                float[][] variants = new float[k][];
                float[] cumulative = ones.clone();
                for (int j = 0; j < k; j++) {
                    cumulative[ids[j]] = 0f;
                    variants[j] = cumulative.clone();
                }
                Timing batched = Timing.measure(1, reps, () -> logits(p, variants, true));
                Timing singles = Timing.measure(1, reps, () -> {
                    for (float[] v : variants) logits(p, new float[][] {v}, true);
                });
                figures.put("patching_batch16_seconds", batched.median());
                figures.put("patching_16_singles_seconds", singles.median());
                say("  %d candidates for a layer-%d receiver: one batch %s vs %d single evaluations %s (%.1f× faster)", k, last,
                        batched, k, singles, singles.median() / batched.median());
            }
        }
    }

    private static int firstInEdge(CircuitGraph g, int layer) {
        return g.inEdgeIds(Node.headInput(layer, 0, Node.Channel.Q), dev.acdc.patching.graph.SenderOrder.ACDC)[0];
    }

    private static void logits(EdgePatcher p, float[][] masks, boolean incremental) {
        try (NDManager s = NDManager.newBaseManager()) {
            (incremental ? p.logits(s, masks) : p.logitsNonIncremental(s, masks)).getFloat(0, 0, 0);
        }
    }

    private void acdc() {
        for (String name : List.of(Tasks.TRACR_REVERSE, Tasks.TRACR_PROPORTION)) {
            Task task = Tasks.get(name, TaskOptions.defaults());
            acdcSpeedup(task.name().replace('-', '_'), task, task.clean(), task.corrupted(), task.defaultThresholds(), 0,
                    task.metricNames().get(0));
        }
        TransformerConfig c = Presets.gpt2Small();
        Task shapeTask = new RandomShapeTask(c, acdcBatch, positions);
        acdcSpeedup("gpt2_shape", shapeTask, shapeTask.clean(), shapeTask.corrupted(), new double[] {1e-3}, acdcReceivers, "kl");
    }

    private void acdcSpeedup(String key, Task task, ModelInput clean, ModelInput corrupted, double[] thresholds, int budget,
                             String metricName) {
        try (HookedTransformer model = new HookedTransformer(task.weights());
             EdgePatcher p = EdgePatcher.create(model, CircuitGraph.of(model.config()), clean, Ablation.RESAMPLE, corrupted,
                     task.corruptedHooks());
             NDManager scope = NDManager.newBaseManager()) {
            Metric metric = task.metric(metricName, p.cleanLogits(scope));
            // warm-up: one fast run, so that neither side pays for first-use costs
            new Acdc(p, metric, AcdcOptions.fast(thresholds[0]).withReceiverBudget(budget)).run();
            double fast = 0, reference = 0;
            boolean identical = true;
            double maxEffectDiff = 0;
            int tested = 0;
            for (double tau : thresholds) {
                AcdcResult f = new Acdc(p, metric, AcdcOptions.fast(tau).withReceiverBudget(budget)).run();
                AcdcResult r = new Acdc(p, metric, AcdcOptions.reference(tau).withReceiverBudget(budget)).run();
                fast += f.seconds();
                reference += r.seconds();
                tested += r.testedEdges();
                identical &= f.circuit().bits().equals(r.circuit().bits());
                double[] a = f.circuit().scores(), b = r.circuit().scores();
                for (int i = 0; i < a.length; i++) {
                    if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) maxEffectDiff = Math.max(maxEffectDiff, Math.abs(a[i] - b[i]));
                }
            }
            figures.put("acdc_fast_seconds_" + key, fast);
            figures.put("acdc_reference_seconds_" + key, reference);
            figures.put("acdc_speedup_" + key, reference / fast);
            figures.put("acdc_identical_" + key, identical);
            figures.put("acdc_max_effect_difference_" + key, maxEffectDiff);
            say("acdc %s: %d thresholds, %d edges tested; reference %.2f s, fast %.2f s: %.1f× faster; circuits %s, effects within %.1e",
                    key, thresholds.length, tested, reference, fast, reference / fast, identical ? "identical" : "DIFFER", maxEffectDiff);
        }
    }

    private void compile() {
        double compileSeconds = 0, checkSeconds = 0;
        int programs = 0, mismatches = 0;
        for (String name : Library.names()) {
            Library.Entry e = Library.get(name);
            long t0 = System.nanoTime();
            CompiledModel m = RaspCompiler.compile(name, e.build(Map.of(), e.defaultMaxSeqLen()), e.defaultVocab(), e.defaultMaxSeqLen());
            long t1 = System.nanoTime();
            ModelCheck.Result r = ModelCheck.exhaustive(m, e.defaultVocab(), e.defaultMaxSeqLen());
            long t2 = System.nanoTime();
            compileSeconds += (t1 - t0) / 1e9;
            checkSeconds += (t2 - t1) / 1e9;
            mismatches += r.mismatches().size();
            programs++;
        }
        figures.put("compile_seconds", compileSeconds);
        figures.put("compile_check_seconds", checkSeconds);
        figures.put("compile_programs", programs);
        figures.put("compile_mismatches", mismatches);
        say("compile %d library programs: %.3f s; exhaustive compiled-vs-evaluator check %.2f s, %d mismatches", programs,
                compileSeconds, checkSeconds, mismatches);
    }

    private void reproduceQuick() {
        Path dir;
        try {
            dir = Files.createTempDirectory("acdc-bench-reproduce");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        try {
            long t0 = System.nanoTime();
            StringWriter o = new StringWriter(), err = new StringWriter();
            int code = AcdcCli.execute(new String[] {"reproduce", "--tasks", Tasks.TRACR_REVERSE + "," + Tasks.TRACR_PROPORTION,
                    "--quick", "--out", dir.toString()}, new PrintWriter(o, true), new PrintWriter(err, true));
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (code != 0) throw new IllegalStateException("reproduce --quick failed (exit " + code + "): " + err);
            figures.put("reproduce_quick_seconds", seconds);
            say("reproduce --quick on the tracr tasks: %.1f s", seconds);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }

    private void memory() {
        TransformerConfig c = TransformerConfig.gpt2Style("bench-memory", 2, 32, 4, 128, 50, 16, 1e-5);
        CircuitGraph g = CircuitGraph.of(c);
        ModelInput clean = ModelInput.of(tokens(c, 8, 8, 1));
        ModelInput corrupted = ModelInput.of(tokens(c, 8, 8, 2));
        Random r = new Random(7);
        List<double[]> samples = new ArrayList<>();
        try (HookedTransformer model = new HookedTransformer(Presets.randomWeights(c, 1));
             EdgePatcher p = EdgePatcher.create(model, g, clean, Ablation.RESAMPLE, corrupted, List.of())) {
            float[] mask = new float[p.maskLength()];
            for (int i = 1; i <= evaluations; i++) {
                for (int j = 0; j < mask.length; j++) mask[j] = r.nextFloat() < 0.5f ? 0f : 1f;
                logits(p, new float[][] {mask}, true);
                if (i % Math.max(1, evaluations / 10) == 0) samples.add(new double[] {i, MemoryProbe.rssMb()});
            }
        }
        double first = samples.get(Math.min(1, samples.size() - 1))[1], lastRss = samples.get(samples.size() - 1)[1];
        figures.put("memory_evaluations", evaluations);
        figures.put("memory_rss_mb_start", first);
        figures.put("memory_rss_mb_end", lastRss);
        figures.put("memory_rss_growth_mb", lastRss - first);
        StringBuilder b = new StringBuilder();
        for (double[] s : samples) b.append(String.format(Locale.ROOT, " %d:%.0f", (int) s[0], s[1]));
        say("memory over %d masked evaluations, RSS MiB at evaluation:%s (growth after the first tenth %.1f MiB)", evaluations,
                b, lastRss - first);
    }

    /** A GPT-2-small-shaped random model on random tokens with KL at the last position: the budgeted ACDC workload. */
    private final class RandomShapeTask implements Task {
        private final TransformerConfig c;
        private final ModelInput clean, corrupted;

        RandomShapeTask(TransformerConfig c, int b, int p) {
            this.c = c;
            this.clean = ModelInput.of(tokens(c, b, p, 1));
            this.corrupted = ModelInput.of(tokens(c, b, p, 2));
        }

        @Override public String name() { return "gpt2-shape"; }
        @Override public String description() { return "random GPT-2-small-shaped model"; }
        @Override public dev.acdc.patching.model.TransformerWeights weights() { return Presets.randomWeights(c, 1); }
        @Override public ModelInput clean() { return clean; }
        @Override public ModelInput corrupted() { return corrupted; }
        @Override public List<String> metricNames() { return List.of("kl"); }
        @Override public Metric metric(String name, NDArray cleanOutput) { return Metrics.klDivergence(cleanOutput, ScoredPositions.last()); }
        @Override public Map<String, List<String>> groundTruths() { return Map.of("none", List.<String>of()); }
    }
}
