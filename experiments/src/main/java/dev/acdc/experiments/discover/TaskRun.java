package dev.acdc.experiments.discover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcJournal;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.experiments.BadInputException;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.SenderOrder;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.TorchThreads;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One task made ready for discovery: its model, graph, edge patcher, metric and ground-truth circuit.
 * The static {@code parse…} helpers check CLI values before anything is loaded or written.
 */
public final class TaskRun implements AutoCloseable {

    public static final List<String> ABLATIONS = List.of("resample", "zero", "mean", "mean-per-position");
    public static final List<String> SENDER_ORDERS = List.of("acdc", "heads-ascending");

    private final Task task;
    private final HookedTransformer model;
    private final CircuitGraph graph;
    private final EdgePatcher patcher;
    private final NDManager scope;
    private final Metric metric;
    private final NDArray cleanLogits;
    private final String metricName;
    private final Ablation ablation;
    private final String groundTruthName;
    private final Circuit truth;
    private final TorchThreads.Scope threads;

    private TaskRun(Task task, String metricName, Ablation ablation, String groundTruthName) {
        this.task = task;
        this.metricName = metricName;
        this.ablation = ablation;
        this.groundTruthName = groundTruthName;
        // every method of this run (ACDC, SP, HISP, EAP) runs on the thread count the model's size calls for
        TransformerWeights weights = task.weights();
        this.threads = TorchThreads.use(TorchThreads.forModel(weights.config(), (long) task.clean().batch() * task.clean().length()));
        HookedTransformer m = null;
        EdgePatcher p = null;
        NDManager s = null;
        try {
            m = new HookedTransformer(weights);
            this.graph = CircuitGraph.of(m.config());
            p = EdgePatcher.create(m, graph, task.clean(), ablation, task.corrupted(), task.corruptedHooks());
            s = NDManager.newBaseManager();
            this.cleanLogits = p.cleanLogits(s);
            this.metric = task.metric(metricName, cleanLogits);
            this.truth = Circuit.ofNames(graph, task.groundTruths().get(groundTruthName));
        } catch (RuntimeException e) {
            if (s != null) s.close();
            if (p != null) p.close();
            if (m != null) m.close();
            threads.close();
            throw e;
        }
        this.model = m;
        this.patcher = p;
        this.scope = s;
    }

    /**
     * Checks the CLI values against the task and loads it. Every check happens before the model is
     * loaded, so bad input fails fast and writes nothing.
     *
     * @param metric      null for the task's default
     * @param groundTruth null for the task's default
     */
    public static TaskRun open(Task task, String metric, String ablation, String groundTruth) {
        String metricName = parseMetric(task, metric);
        Ablation abl = parseAblation(ablation);
        String gt = parseGroundTruth(task, groundTruth);
        return new TaskRun(task, metricName, abl, gt);
    }

    public static String parseMetric(Task task, String metric) {
        List<String> names = task.metricNames();
        if (metric == null) return names.get(0);
        if (!names.contains(metric)) {
            throw new BadInputException("unknown --metric '" + metric + "' for task " + task.name()
                    + "; expected one of " + String.join(", ", names));
        }
        return metric;
    }

    public static Ablation parseAblation(String ablation) {
        if (ablation == null) return Ablation.RESAMPLE;
        if (!ABLATIONS.contains(ablation.toLowerCase(Locale.ROOT))) {
            throw new BadInputException("unknown --ablation '" + ablation + "'; expected one of " + String.join(", ", ABLATIONS));
        }
        return Ablation.parse(ablation);
    }

    public static String parseGroundTruth(Task task, String groundTruth) {
        var names = task.groundTruths().keySet();
        if (groundTruth == null) return task.defaultGroundTruth();
        if (!names.contains(groundTruth)) {
            throw new BadInputException("unknown --ground-truth '" + groundTruth + "' for task " + task.name()
                    + "; expected one of " + String.join(", ", names));
        }
        return groundTruth;
    }

    public static SenderOrder parseSenderOrder(String order) {
        if (order == null) return SenderOrder.ACDC;
        return switch (order) {
            case "acdc" -> SenderOrder.ACDC;
            case "heads-ascending" -> SenderOrder.HEADS_ASCENDING;
            default -> throw new BadInputException("unknown --sender-order '" + order + "'; expected one of "
                    + String.join(", ", SENDER_ORDERS));
        };
    }

    public static void checkMethod(String flag, String method) {
        if (!MethodFactory.NAMES.contains(method)) {
            throw new BadInputException("unknown " + flag + " '" + method + "'; expected one of " + String.join(", ", MethodFactory.NAMES));
        }
    }

    public static void checkThreshold(String flag, double threshold) {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new BadInputException(flag + " " + threshold + ": expected a finite number ≥ 0");
        }
    }

    /** The journal fingerprint: everything that changes ACDC's decisions. */
    public String fingerprint(AcdcOptions options) {
        return "task=" + task.name() + " method=acdc metric=" + metricName + " ablation=" + ablation.cliName()
                + " threshold=" + options.threshold() + " abs=" + options.absValue()
                + " order=" + options.senderOrder().name().toLowerCase(Locale.ROOT) + " reference=" + options.reference();
    }

    public AcdcResult runAcdc(AcdcOptions options, AcdcJournal journal, Consumer<Acdc.Progress> progress) {
        return new Acdc(patcher, metric, options).run(journal, progress);
    }

    /** This run as a discovery problem; the run keeps ownership of everything in it. */
    public DiscoveryProblem problem(long seed) {
        return new DiscoveryProblem(task, model, graph, patcher, ablation, metricName, metric, cleanLogits, seed);
    }

    public Task task() { return task; }

    public CircuitGraph graph() { return graph; }

    public String metricName() { return metricName; }

    public Ablation ablation() { return ablation; }

    public String groundTruthName() { return groundTruthName; }

    public Circuit truth() { return truth; }

    @Override
    public void close() {
        scope.close();
        patcher.close();
        model.close();
        threads.close();
    }
}
