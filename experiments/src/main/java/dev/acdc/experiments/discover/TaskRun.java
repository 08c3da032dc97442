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
import dev.acdc.patching.model.Fingerprint;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
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
    private final TransformerWeights weights;
    private String weightsFingerprint;

    private TaskRun(Task task, String metricName, Ablation ablation, String groundTruthName) {
        this.task = task;
        this.metricName = metricName;
        this.ablation = ablation;
        this.groundTruthName = groundTruthName;
        this.weights = task.weights();
        checkModelFitsTask(task, weights.config(), groundTruthName);
        HookedTransformer m = new HookedTransformer(weights);
        EdgePatcher p = null;
        NDManager s = null;
        try {
            this.graph = CircuitGraph.of(m.config());
            p = EdgePatcher.create(m, graph, task.clean(), ablation, task.corrupted(), task.corruptedHooks());
            s = NDManager.newBaseManager();
            this.cleanLogits = p.cleanLogits(s);
            this.metric = task.metric(metricName, cleanLogits);
            this.truth = Circuit.ofNames(graph, task.groundTruths().get(groundTruthName));
        } catch (RuntimeException e) {
            if (s != null) s.close();
            if (p != null) p.close();
            m.close();
            throw e;
        }
        this.model = m;
        this.patcher = p;
        this.scope = s;
    }

    /**
     * A model given for a task must read the task's tokens, and the ground truth must have edges: checked before any
     * forward pass, so a foreign model fails in a second instead of after a whole run (whose ROC then has no truth).
     */
    static void checkModelFitsTask(Task task, TransformerConfig c, String groundTruthName) {
        for (ModelInput in : List.of(task.clean(), task.corrupted())) {
            if (in.length() > c.nCtx()) {
                throw new BadInputException("model " + c.name() + " has a context of " + c.nCtx() + " positions; task " + task.name()
                        + " needs " + in.length() + "; give a model made for this task");
            }
            for (int[] row : in.tokens()) {
                for (int t : row) {
                    if (t < 0 || t >= c.dVocab()) {
                        throw new BadInputException("model " + c.name() + " has a vocabulary of " + c.dVocab() + " tokens; task "
                                + task.name() + " uses token id " + t + "; give a model (and tokenizer) made for this task");
                    }
                }
            }
        }
        List<String> truth = task.groundTruths().get(groundTruthName);
        if (truth == null || truth.isEmpty()) {
            throw new BadInputException("task " + task.name() + " with model " + c.name() + " has an empty ground truth '" + groundTruthName
                    + "' (for induction: no previous-token and induction heads found in the model), so TPR and ROC are undefined;"
                    + " give a model that implements the task");
        }
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

    /** A fingerprint of the weights this run computes with ({@link Fingerprint#of(TransformerWeights)}). */
    public String weightsFingerprint() {
        if (weightsFingerprint == null) weightsFingerprint = Fingerprint.of(weights);
        return weightsFingerprint;
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
    }
}
