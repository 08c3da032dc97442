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
import dev.acdc.patching.model.TorchThreads;
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
        description = "Measure the engine: gemm, forward, forward-families, patching, acdc, edge-tests, eap, compile, reproduce-quick, contention, "
                + "memory, startup (default: all).")
public final class BenchCommand implements Callable<Integer> {

    public static final List<String> SUITES = List.of("gemm", "forward", "forward-families", "patching", "acdc", "edge-tests", "eap", "compile",
            "reproduce-quick", "contention", "memory", "startup");

    @Parameters(paramLabel = "SUITE", arity = "0..*", description = "suites to run (default: all): ${COMPLETION-CANDIDATES}")
    List<String> suites;

    @Option(names = "--json", description = "print one flat JSON object with every figure")
    boolean json;

    @Option(names = "--shape", defaultValue = "gpt2-small", paramLabel = "SHAPE",
            description = "model shape of the forward and patching suites: gpt2-small (default) or tiny (a quick check of the harness)")
    String shape;

    /**
     * Bounds: a patching variant at GPT-2 small holds ~166 MB of head inputs at [100, 15] (see docs/performance.md), so
     * 1,000 × 128 rows would need ~14 GB per variant; the repeat and evaluation bounds keep a suite under an hour.
     */
    static final int MAX_BATCH = 1000, MAX_POSITIONS = 128, MAX_REPEATS = 1000, MAX_ACDC_BATCH = 100, MAX_ACDC_RECEIVERS = 1000,
            MAX_EVALUATIONS = 1_000_000, MAX_EDGE_TESTS = 10_000;

    @Option(names = "--batch", defaultValue = "100", paramLabel = "B", description = "batch of the forward and patching suites, 1 to "
            + MAX_BATCH + " (default 100)")
    int batch;

    @Option(names = "--positions", defaultValue = "15", paramLabel = "P",
            description = "sequence length of the forward and patching suites, 1 to " + MAX_POSITIONS + " (default 15)")
    int positions;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N",
            description = "timed repeats per figure, 1 to " + MAX_REPEATS + " (default 5; the median is reported)")
    int repeats;

    @Option(names = "--acdc-batch", defaultValue = "5", paramLabel = "B",
            description = "prompts of the budgeted ACDC run on the GPT-2-small shape, 1 to " + MAX_ACDC_BATCH + " (default 5)")
    int acdcBatch;

    @Option(names = "--acdc-receivers", defaultValue = "2", paramLabel = "N",
            description = "receivers decided in the budgeted ACDC run on the GPT-2-small shape, 1 to " + MAX_ACDC_RECEIVERS
                    + " (default 2: the output and the last MLP)")
    int acdcReceivers;

    @Option(names = "--evaluations", defaultValue = "10000", paramLabel = "N",
            description = "masked evaluations of the memory suite, 1 to " + MAX_EVALUATIONS + " (default 10000)")
    int evaluations;

    @Option(names = "--edge-tests", defaultValue = "24", paramLabel = "N",
            description = "ACDC edge tests timed per walk in the edge-tests suite, 1 to " + MAX_EDGE_TESTS + " (default 24)")
    int edgeTests;

    @Option(names = "--launcher", paramLabel = "PATH",
            description = "the CLI launcher the startup suite runs as separate processes (default: bin/acdc of this build)")
    Path launcher;

    @Spec
    CommandSpec spec;

    private final Map<String, Object> figures = new LinkedHashMap<>();
    private PrintWriter out;

    @Override
    public Integer call() {
        List<String> run = suites == null || suites.isEmpty() ? SUITES
                : dev.acdc.experiments.StrictParsing.distinctItems("SUITE", suites, SUITES.size());
        for (String s : run) {
            if (!SUITES.contains(s)) throw new BadInputException("unknown suite '" + s + "'; expected one of " + String.join(", ", SUITES));
        }
        if (!shape.equals("gpt2-small") && !shape.equals("tiny")) {
            throw new BadInputException("unknown --shape '" + shape + "'; expected gpt2-small or tiny");
        }
        for (var e : List.of(Map.entry("--batch", new int[] {batch, MAX_BATCH}), Map.entry("--positions", new int[] {positions, MAX_POSITIONS}),
                Map.entry("--repeats", new int[] {repeats, MAX_REPEATS}), Map.entry("--acdc-batch", new int[] {acdcBatch, MAX_ACDC_BATCH}),
                Map.entry("--acdc-receivers", new int[] {acdcReceivers, MAX_ACDC_RECEIVERS}),
                Map.entry("--evaluations", new int[] {evaluations, MAX_EVALUATIONS}),
                Map.entry("--edge-tests", new int[] {edgeTests, MAX_EDGE_TESTS}))) {
            int v = e.getValue()[0], max = e.getValue()[1];
            if (v < 1 || v > max) throw new BadInputException(e.getKey() + " " + v + ": expected 1 to " + max);
        }
        Path startupLauncher = run.contains("startup") ? StartupBench.checkLauncher(launcher != null ? launcher : StartupBench.defaultLauncher())
                : null;
        out = spec.commandLine().getOut();
        figures.put("shape", shape);
        figures.put("batch", batch);
        figures.put("positions", positions);
        figures.put("threads", Runtime.getRuntime().availableProcessors());
        if (!run.equals(List.of("startup"))) {   // reading libtorch's thread count loads libtorch: not for the startup suite alone
            figures.put("torch_threads", TorchThreads.defaultThreads());
        }
        figures.put("omp_wait_policy", TorchThreads.waitPolicy());
        double peak = 0;
        for (String s : run) {
            MemoryProbe.reset();
            long t0 = System.nanoTime();
            switch (s) {
                case "gemm" -> gemm();
                case "forward" -> forward();
                case "forward-families" -> forwardFamilies();
                case "patching" -> patching();
                case "acdc" -> acdc();
                case "edge-tests" -> new EdgeTestBench(figures, line -> say("%s", line)).run(benchConfig(),
                        ModelInput.of(tokens(benchConfig(), batch, positions, 1)), ModelInput.of(tokens(benchConfig(), batch, positions, 2)),
                        edgeTests, Math.min(repeats, 3));
                case "eap" -> eap();
                case "compile" -> compile();
                case "reproduce-quick" -> reproduceQuick();
                case "contention" -> contention();
                case "memory" -> memory();
                case "startup" -> new StartupBench(figures, line -> say("%s", line)).run(startupLauncher, repeats);
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
        try (NDManager m = NDManager.newBaseManager(); Gemm g = new Gemm(m)) {
            // 100 runs of ~30 ms: on a shared virtual machine single runs vary by 2×, and 20 gave medians 30% apart
            Timing t = Timing.measure(10, Math.max(repeats, 100), g::run);
            double gemmGflops = Gemm.FLOPS / t.median() / 1e9;
            figures.put("gemm_gflops", gemmGflops);
            figures.put("gemm_seconds", t.median());
            say("gemm 768x768 by 768x3072: %.1f GFLOP/s (%s)", gemmGflops, t);
        }
    }

    /** The GEMM of the ceiling: 768×768 by 768×3072 in float32. */
    private static final class Gemm implements AutoCloseable {
        static final double FLOPS = 2.0 * 768 * 768 * 3072;
        private final NDArray a, b;

        Gemm(NDManager m) {
            a = m.randomNormal(new Shape(768, 768));
            b = m.randomNormal(new Shape(768, 3072));
        }

        void run() {
            a.matMul(b).close();
        }

        @Override
        public void close() {
            a.close();
            b.close();
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

    /**
     * Multiply-adds ×2 of one forward: the q, k, v and output projections (k and v over the key/value heads), the MLP
     * (three matrices when gated), attention scores and mixing over all P positions, and the unembedding.
     */
    static double forwardFlops(TransformerConfig c, int b, int p) {
        double D = c.dModel(), d = c.dHead(), H = c.nHeads(), G = c.nKeyValueHeads(), M = c.dMlp();
        double projections = 2.0 * D * d * (2 * H + 2 * G);
        double mlp = c.attentionOnly() ? 0 : 2.0 * D * M * (c.architecture().gatedMlp() ? 3 : 2);
        double perToken = c.nLayers() * (projections + mlp + 2.0 * 2 * p * H * d) + 2.0 * D * c.dVocabOut();
        return perToken * b * p;
    }

    /** The presets of {@code forward-families}, at [16, 32]: a Pythia (GPT-NeoX) and a Qwen2 (Llama-style, GQA) shape. */
    static final List<String> FAMILY_PRESETS = List.of("pythia-160m", "qwen2.5-0.5b");
    static final int FAMILY_BATCH = 16, FAMILY_POSITIONS = 32;

    /** {@code forward_ratio_<family>}: the forward of a random-weight family model against the GEMM timed between its repeats. */
    private void forwardFamilies() {
        for (String name : FAMILY_PRESETS) {
            TransformerConfig c = Presets.byName(name).orElseThrow();
            String family = c.architecture().gatedMlp() ? "qwen2" : "pythia";
            ForwardTiming f = forwardTiming(c, tokens(c, FAMILY_BATCH, FAMILY_POSITIONS, 1), Math.min(repeats, 3));
            double gflops = forwardFlops(c, FAMILY_BATCH, FAMILY_POSITIONS) / f.forward().median() / 1e9;
            double besideGflops = Gemm.FLOPS / f.gemm().median() / 1e9;
            figures.put("forward_seconds_" + family, f.forward().median());
            figures.put("forward_gflops_" + family, gflops);
            figures.put("forward_ratio_" + family, gflops / besideGflops);
            say("forward %s [%d, %d]: %s, %.1f GFLOP/s, %.2f of the gemm run between its repeats (%.1f GFLOP/s)",
                    c.name(), FAMILY_BATCH, FAMILY_POSITIONS, f.forward(), gflops, gflops / besideGflops, besideGflops);
        }
    }

    private void forward() {
        TransformerConfig c = benchConfig();
        ForwardTiming f = forwardTiming(c, tokens(c, batch, positions, 1), repeats);
        double gflops = forwardFlops(c, batch, positions) / f.forward().median() / 1e9;
        double besideGflops = Gemm.FLOPS / f.gemm().median() / 1e9;
        figures.put("forward_seconds", f.forward().median());
        figures.put("forward_gflops", gflops);
        figures.put("forward_gemm_gflops", besideGflops);
        figures.put("forward_ratio", gflops / besideGflops);
        say("forward %s [%d, %d]: %s, %.1f GFLOP/s, %.2f of the gemm run between its repeats (%.1f GFLOP/s)",
                c.name(), batch, positions, f.forward(), gflops, gflops / besideGflops, besideGflops);
    }

    /** A random-weight model's forward on {@code tokens}, and the GEMM of the ceiling timed between its repeats. */
    record ForwardTiming(Timing forward, Timing gemm) {}

    private static ForwardTiming forwardTiming(TransformerConfig c, int[][] tokens, int reps) {
        int gemmRuns = 30;
        try (HookedTransformer model = new HookedTransformer(Presets.randomWeights(c, 1));
             NDManager m = NDManager.newBaseManager(); Gemm g = new Gemm(m)) {
            // PyTorch runs eagerly: when forward returns, the logits exist. Copying 300 MB of them into Java is not
            // part of a forward pass, so one element is read back instead.
            Timing.Work pass = () -> {
                try (NDManager s = NDManager.newBaseManager()) {
                    model.forward(s, tokens).getFloat(0, 0, 0);
                }
            };
            // The ratio's GEMM runs between the forward repeats, so a machine that slows down or speeds up during
            // the suite moves both sides of the ratio alike.
            for (int i = 0; i < 2; i++) Timing.seconds(pass);
            for (int i = 0; i < 10; i++) g.run();
            double[] passes = new double[reps], gemms = new double[reps * gemmRuns];
            for (int r = 0; r < reps; r++) {
                passes[r] = Timing.seconds(pass);
                for (int i = 0; i < gemmRuns; i++) gemms[r * gemmRuns + i] = Timing.seconds(g::run);
            }
            return new ForwardTiming(Timing.of(passes), Timing.of(gemms));
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
                // what ACDC runs when its metric reads the last position (KL, logit difference): unembed those rows only
                long[] lastRows = new long[batch];
                for (int b = 0; b < batch; b++) lastRows[b] = (long) b * positions + positions - 1;
                Timing maskedLast = Timing.measure(1, reps, () -> {
                    try (NDManager s = NDManager.newBaseManager()) {
                        p.logitsNonIncrementalAt(s, new float[][] {ones}, lastRows).getFloat(0, 0);
                    }
                });
                figures.put("patching_full_forward_seconds", full.median());
                figures.put("patching_masked_forward_seconds", masked.median());
                figures.put("patching_masked_last_position_seconds", maskedLast.median());
                say("patching %s [%d, %d]: full forward %s; masked forward (every layer) %s; unembedding the last position only %s",
                        c.name(), batch, positions, full, masked, maskedLast);
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
        Task induction = Tasks.get("induction", TaskOptions.defaults());
        acdcSpeedup("induction", induction, induction.clean(), induction.corrupted(), new double[] {0.01, 0.05, 0.2}, 0, "kl");
        TransformerConfig c = Presets.gpt2Small();
        Task shapeTask = new RandomShapeTask(c, acdcBatch, positions);
        acdcSpeedup("gpt2_shape", shapeTask, shapeTask.clean(), shapeTask.corrupted(), new double[] {1e-3}, acdcReceivers, "kl");
    }

    private static final int FAST_RUNS = 5;

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
                // the fast path takes 2-5 ms per threshold on tracr, where one GC pause moved the ratio by a third:
                // the median of five runs
                double[] fastRuns = new double[FAST_RUNS];
                AcdcResult f = null;
                for (int i = 0; i < FAST_RUNS; i++) {
                    f = new Acdc(p, metric, AcdcOptions.fast(tau).withReceiverBudget(budget)).run();
                    fastRuns[i] = f.seconds();
                }
                AcdcResult r = new Acdc(p, metric, AcdcOptions.reference(tau).withReceiverBudget(budget)).run();
                fast += Timing.of(fastRuns).median();
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
            say("acdc %s: %d thresholds, %d edges tested; reference %.2f s, fast %.2f s (median of %d runs per threshold): "
                    + "%.1f× faster; circuits %s, effects within %.1e",
                    key, thresholds.length, tested, reference, fast, FAST_RUNS, reference / fast, identical ? "identical" : "DIFFER",
                    maxEffectDiff);
        }
    }

    /**
     * EAP over every edge of the bench model on [batch, positions] against 2 forwards + 1 backward measured in the same
     * run; then, on the induction task (NLL metric, resample), how EAP's scores correlate with the exact effect of
     * removing each edge alone.
     */
    private void eap() {
        TransformerConfig c = benchConfig();
        ModelInput clean = ModelInput.of(tokens(c, batch, positions, 1));
        ModelInput corrupted = ModelInput.of(tokens(c, batch, positions, 2));
        int[] correct = new int[batch], wrong = new int[batch];
        Random r = new Random(3);
        for (int b = 0; b < batch; b++) {
            correct[b] = r.nextInt(c.dVocab());
            wrong[b] = r.nextInt(c.dVocab());
        }
        Metric metric = Metrics.negativeLogitDifference(ScoredPositions.last(), correct, wrong);
        Task task = new RandomShapeTask(c, clean, corrupted, "logit-diff", metric);
        try (HookedTransformer model = new HookedTransformer(task.weights()); NDManager scope = NDManager.newBaseManager()) {
            CircuitGraph graph = CircuitGraph.of(c);
            try (EdgePatcher patcher = EdgePatcher.create(model, graph, clean, Ablation.RESAMPLE, corrupted, List.of())) {
                var problem = new dev.acdc.discovery.method.DiscoveryProblem(task, model, graph, patcher, Ablation.RESAMPLE,
                        "logit-diff", metric, patcher.cleanLogits(scope), 0);
                int reps = Math.min(repeats, 3);
                Timing reference = Timing.measure(1, reps, () -> twoForwardsOneBackward(model, scope, clean, corrupted, metric));
                Timing eap = Timing.measure(1, reps, () -> new dev.acdc.discovery.method.Eap().discover(problem));
                figures.put("eap_edges", graph.edgeCount());
                figures.put("eap_seconds", eap.median());
                figures.put("eap_reference_seconds", reference.median());
                figures.put("eap_ratio", eap.median() / reference.median());
                say("eap %s [%d, %d], %d edges: %s; 2 forwards + 1 backward %s; ratio %.2f", c.name(), batch, positions,
                        graph.edgeCount(), eap, reference, eap.median() / reference.median());
            }
        }
        eapAgreement();
    }

    private static void twoForwardsOneBackward(HookedTransformer model, NDManager scope, ModelInput clean, ModelInput corrupted,
                                               Metric metric) {
        try (NDManager s = scope.newSubManager()) {
            model.forward(s, corrupted).getFloat(0, 0, 0);
        }
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector();
             NDManager s = scope.newSubManager()) {
            NDArray leaf = s.zeros(new Shape(clean.batch(), clean.length(), model.config().dModel()));
            leaf.setRequiresGradient(true);
            NDArray logits = model.runWithHooks(s, clean, List.of(new dev.acdc.patching.model.Hook(
                    dev.acdc.patching.model.HookNames.EMBED, x -> x.add(leaf))));
            gc.backward(metric.apply(logits));
            leaf.getGradient().getFloat(0, 0, 0);
        }
    }

    /** Pearson and Spearman correlation of EAP's signed scores with the exact single-edge effects on the induction task. */
    private void eapAgreement() {
        Task task = Tasks.get("induction", TaskOptions.defaults());
        try (HookedTransformer model = new HookedTransformer(task.weights());
             EdgePatcher p = EdgePatcher.create(model, CircuitGraph.of(model.config()), task.clean(), Ablation.RESAMPLE,
                     task.corrupted(), task.corruptedHooks());
             NDManager scope = NDManager.newBaseManager()) {
            NDArray cleanLogits = p.cleanLogits(scope);
            Metric nll = task.metric("nll", cleanLogits);
            var problem = new dev.acdc.discovery.method.DiscoveryProblem(task, model, p.graph(), p, Ablation.RESAMPLE, "nll", nll,
                    cleanLogits, 0);
            double[] predicted = new dev.acdc.discovery.method.Eap().attribute(problem).signed();
            int n = p.maskLength();
            double full;
            try (NDManager s = scope.newSubManager()) {
                full = nll.evaluate(p.cleanLogits(s));
            }
            double[] exact = new double[n];
            int b = task.clean().batch();
            for (int start = 0; start < n; start += 16) {
                int k = Math.min(16, n - start);
                float[][] masks = new float[k][n];
                for (int j = 0; j < k; j++) {
                    Arrays.fill(masks[j], 1f);
                    masks[j][start + j] = 0f;
                }
                try (NDManager s = scope.newSubManager()) {
                    NDArray logits = p.logits(s, masks);
                    for (int j = 0; j < k; j++) exact[start + j] = nll.evaluate(logits.get(j * b + ":" + (j + 1) * b)) - full;
                }
            }
            double pearson = pearson(predicted, exact), spearman = pearson(ranks(predicted), ranks(exact));
            figures.put("eap_exact_pearson_induction", pearson);
            figures.put("eap_exact_spearman_induction", spearman);
            say("eap vs exact single-edge patching on induction (NLL, resample, %d edges): Pearson %.3f, Spearman %.3f", n, pearson,
                    spearman);
        }
    }

    static double pearson(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElse(0), my = Arrays.stream(y).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Ranks 1..n, ties given their average rank. */
    static double[] ranks(double[] x) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble(i -> x[i]));
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; ) {
            int j = i;
            while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) j++;
            for (int t = i; t <= j; t++) r[order[t]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return r;
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
        double seconds = reproduceQuickSeconds().total();
        figures.put("reproduce_quick_seconds", seconds);
        say("reproduce --quick on the tracr tasks: %.1f s", seconds);
    }

    /** A {@code reproduce --quick} run: its seconds, and the seconds of each method's cells (as reproduce reports them). */
    record ReproduceTime(double total, Map<String, Double> byMethod) {}

    private static final java.util.regex.Pattern CELL =
            java.util.regex.Pattern.compile("^reproduce: \\S+ \\S+ \\S+ (\\S+)\\s+edge AUC .*\\(([0-9.]+) s\\)$");

    /** Seconds of {@code reproduce --quick} on the two tracr tasks, every method, in this process. */
    private static ReproduceTime reproduceQuickSeconds() {
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
            Map<String, Double> byMethod = new LinkedHashMap<>();
            for (String line : err.toString().split("\\R")) {
                java.util.regex.Matcher m = CELL.matcher(line.strip());
                if (m.matches()) byMethod.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
            return new ReproduceTime(seconds, byMethod);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }

    /** Busy threads the contention suite runs beside {@code reproduce --quick}, and their time limit. */
    static final int SPINNERS = 2;
    static final long SPIN_LIMIT_SECONDS = 3600;

    /**
     * {@code reproduce --quick} on the tracr tasks alone, then again while two Java threads spin (each keeps a core
     * busy, as two other jobs on the machine would); contention_slowdown is the ratio. The spinners stop when the
     * second run ends, or after an hour whatever happens.
     */
    private void contention() {
        ReproduceTime alone = reproduceQuickSeconds();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        long deadline = System.nanoTime() + SPIN_LIMIT_SECONDS * 1_000_000_000L;
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < SPINNERS; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (!stop.get() && System.nanoTime() < deadline) x += x * 31 + 7;   // busy, no sleep, no allocation
                if (x == 42) System.out.print("");                                       // keep x alive
            }, "bench-spinner-" + i);
            t.setDaemon(true);
            spinners.add(t);
        }
        ReproduceTime busy;
        try {
            spinners.forEach(Thread::start);
            busy = reproduceQuickSeconds();
        } finally {
            stop.set(true);
            for (Thread t : spinners) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        figures.put("contention_alone_seconds", alone.total());
        figures.put("contention_busy_seconds", busy.total());
        figures.put("contention_slowdown", busy.total() / alone.total());
        StringBuilder methods = new StringBuilder();
        for (var e : alone.byMethod().entrySet()) {
            double b = busy.byMethod().getOrDefault(e.getKey(), Double.NaN);
            figures.put("contention_alone_seconds_" + e.getKey().replace('-', '_'), e.getValue());
            figures.put("contention_busy_seconds_" + e.getKey().replace('-', '_'), b);
            methods.append(String.format(Locale.ROOT, "%s%s %.1f → %.1f s", methods.length() == 0 ? "" : ", ", e.getKey(), e.getValue(), b));
        }
        say("reproduce --quick on the tracr tasks: %.1f s alone, %.1f s beside %d busy-spinning threads: %.2f× (OMP_WAIT_POLICY %s); "
                + "by method %s", alone.total(), busy.total(), SPINNERS, busy.total() / alone.total(), TorchThreads.waitPolicy(), methods);
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

    /** A random model on random tokens with one metric: the budgeted ACDC and the EAP workloads. */
    private final class RandomShapeTask implements Task {
        private final TransformerConfig c;
        private final ModelInput clean, corrupted;
        private final String metricName;
        private final Metric fixedMetric;   // null: KL at the last position against the clean logits

        RandomShapeTask(TransformerConfig c, int b, int p) {
            this(c, ModelInput.of(tokens(c, b, p, 1)), ModelInput.of(tokens(c, b, p, 2)), "kl", null);
        }

        RandomShapeTask(TransformerConfig c, ModelInput clean, ModelInput corrupted, String metricName, Metric metric) {
            this.c = c;
            this.clean = clean;
            this.corrupted = corrupted;
            this.metricName = metricName;
            this.fixedMetric = metric;
        }

        @Override public String name() { return "random-" + c.name(); }
        @Override public String description() { return "random " + c.name() + "-shaped model on random tokens"; }
        @Override public dev.acdc.patching.model.TransformerWeights weights() { return Presets.randomWeights(c, 1); }
        @Override public ModelInput clean() { return clean; }
        @Override public ModelInput corrupted() { return corrupted; }
        @Override public List<String> metricNames() { return List.of(metricName); }

        @Override
        public Metric metric(String name, NDArray cleanOutput) {
            return fixedMetric != null ? fixedMetric : Metrics.klDivergence(cleanOutput, ScoredPositions.last());
        }

        @Override public Map<String, List<String>> groundTruths() { return Map.of("none", List.<String>of()); }
    }
}
