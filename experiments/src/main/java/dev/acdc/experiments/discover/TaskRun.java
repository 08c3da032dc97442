package dev.acdc.experiments.discover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.file.GroundTruthFile;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcJournal;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.experiments.BadInputException;
import dev.acdc.metrics.ArrayMetric;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.SenderOrder;
import dev.acdc.patching.model.Fingerprint;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TorchThreads;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import dev.acdc.patching.patch.SmallModelPatcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One task made ready for discovery: its model, graph, edge patcher, metric and ground-truth circuit (none for a
 * task without one, such as a task file without a ground truth: its circuits get no TPR/FPR).
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
    private final TorchThreads.Scope threads;
    private final SmallModelPatcher small;   // non-null: a run without the engine (no model, patcher, scope or threads)

    /**
     * A ground truth to score against.
     *
     * @param name  one of the task's ground truths, or the file it was read from as given
     * @param edges its edges in the graph's notation
     */
    public record GroundTruth(String name, List<String> edges) {
        public GroundTruth {
            edges = List.copyOf(edges);
        }
    }

    private TaskRun(Task task, String metricName, Ablation ablation, GroundTruth groundTruth) {
        this.task = task;
        this.metricName = metricName;
        this.ablation = ablation;
        this.groundTruthName = groundTruth == null ? null : groundTruth.name();
        this.weights = task.weights();
        checkModelFitsTask(task, weights.config(), groundTruth);
        // every method of this run (ACDC, SP, HISP, EAP) runs on the thread count the model's size calls for
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
            this.truth = groundTruth == null ? null : Circuit.ofNames(graph, groundTruth.edges());
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
        this.small = null;
    }

    /** A run computed in plain Java: no model, patcher or NDArray, so the native engine is never loaded. */
    private TaskRun(Task task, String metricName, Ablation ablation, GroundTruth groundTruth, SmallModelPatcher small,
                    ArrayMetric metric) {
        this.task = task;
        this.metricName = metricName;
        this.ablation = ablation;
        this.groundTruthName = groundTruth == null ? null : groundTruth.name();
        this.weights = task.weights();
        this.graph = small.graph();
        this.truth = groundTruth == null ? null : Circuit.ofNames(graph, groundTruth.edges());
        this.small = small;
        this.metric = metric;
        this.model = null;
        this.patcher = null;
        this.scope = null;
        this.cleanLogits = null;
        this.threads = null;
    }

    /**
     * A model given for a task must read the task's tokens, and the ground truth must have edges: checked before any
     * forward pass, so a foreign model fails in a second instead of after a whole run (whose ROC then has no truth).
     */
    static void checkModelFitsTask(Task task, TransformerConfig c, GroundTruth groundTruth) {
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
        // no ground truth (a task file without one) means no TPR/FPR, which is allowed; an empty one is a mistake
        if (groundTruth != null && groundTruth.edges().isEmpty()) {
            throw new BadInputException("task " + task.name() + " with model " + c.name() + " has an empty ground truth '" + groundTruth.name()
                    + "' (for induction: no previous-token and induction heads found in the model), so TPR and ROC are undefined;"
                    + " give a model that implements the task");
        }
    }

    /**
     * Checks the CLI values against the task and loads it. Every check happens before the model is
     * loaded, so bad input fails fast and writes nothing.
     *
     * @param metric      null for the task's default
     * @param groundTruth null for the task's default (none when it has none), else one of its names or a file of edges
     */
    public static TaskRun open(Task task, String metric, String ablation, String groundTruth) {
        String metricName = parseMetric(task, metric);
        Ablation abl = parseAblation(ablation);
        checkAblationFits(task, abl);
        GroundTruth gt = parseGroundTruth(task, groundTruth);
        return new TaskRun(task, metricName, abl, gt);
    }

    /**
     * {@link #open} for an ACDC run with these options. Where ACDC would evaluate with {@link SmallModelPatcher} (a
     * compiled tracr model) and the task's metric and corruption have plain-Java forms, the whole run is computed in
     * Java and the native engine is never loaded: start-up then costs no libtorch. The run can then only
     * {@link #runAcdc}; {@link #problem} needs {@link #open}.
     */
    public static TaskRun openForAcdc(Task task, String metric, String ablation, String groundTruth, AcdcOptions options) {
        String metricName = parseMetric(task, metric);
        Ablation abl = parseAblation(ablation);
        checkAblationFits(task, abl);
        GroundTruth gt = parseGroundTruth(task, groundTruth);
        TransformerWeights w = task.weights();
        ModelInput clean = task.clean();
        boolean javaAblation = abl != Ablation.RESAMPLE || task.corruptedHooksArePositionPermutation();
        if (javaAblation && !"off".equals(System.getProperty(WITHOUT_ENGINE_PROPERTY, "auto")) && Acdc.usesSmallPatcher(w.config(), (long) clean.batch() * clean.length(), options)
                && task.arrayMetric(metricName, new float[clean.batch() * clean.length() * w.config().dVocabOut()], clean.batch(),
                clean.length(), w.config().dVocabOut()) != null) {
            checkModelFitsTask(task, w.config(), gt);
            CircuitGraph graph = CircuitGraph.of(w.config());
            SmallModelPatcher small = SmallModelPatcher.inJava(w, graph, clean, abl, task.corrupted(),
                    abl == Ablation.RESAMPLE ? task.corruptedPositionPermutation() : null);
            ArrayMetric m = task.arrayMetric(metricName, small.cleanLogits(), clean.batch(), clean.length(), w.config().dVocabOut());
            return new TaskRun(task, metricName, abl, gt, small, m);
        }
        return new TaskRun(task, metricName, abl, gt);
    }

    /**
     * {@code auto} (default): {@link #openForAcdc} computes in plain Java where it can; {@code off}: always through the
     * engine (the ablated values and the metric's clean reference then come from libtorch, as before this path existed).
     */
    public static final String WITHOUT_ENGINE_PROPERTY = "acdc.withoutEngine";

    /** Whether this run computes in plain Java, without the native engine ({@link #openForAcdc}). */
    public boolean withoutEngine() {
        return small != null;
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

    /**
     * The ground truth {@code --ground-truth} names: one of the task's by name, else a file of edges (one per line
     * or a JSON list, checked against the model's graph); null when no value is given and the task has none.
     */
    public static GroundTruth parseGroundTruth(Task task, String groundTruth) {
        var truths = task.groundTruths();
        if (groundTruth == null) {
            String name = task.defaultGroundTruth();
            return name == null ? null : new GroundTruth(name, truths.get(name));
        }
        if (truths.containsKey(groundTruth)) return new GroundTruth(groundTruth, truths.get(groundTruth));
        Path file = Path.of(groundTruth);
        if (!Files.exists(file)) {
            throw new BadInputException(truths.isEmpty()
                    ? "--ground-truth " + groundTruth + ": no such file (task " + task.name() + " has no ground truth of its own)"
                    : "unknown --ground-truth '" + groundTruth + "' for task " + task.name() + "; expected one of "
                    + String.join(", ", truths.keySet()) + ", or a file of edges");
        }
        return new GroundTruth(groundTruth, GroundTruthFile.read(file, CircuitGraph.of(task.weights().config())));
    }

    /**
     * Mean ablation averages every position of the batch, so on padded inputs (a task file whose examples differ in
     * length) padding would enter the mean: refused, as no mean over padding is what a user asks for.
     */
    public static void checkAblationFits(Task task, Ablation ablation) {
        boolean mean = ablation == Ablation.MEAN || ablation == Ablation.MEAN_PER_POSITION;
        if (mean && task.clean().attendable() != null) {
            throw new BadInputException("--ablation " + ablation.cliName() + ": task " + task.name() + " pads its examples to one"
                    + " length, and the mean would average the padding too; use resample or zero, or give examples of one length");
        }
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
        if (!MethodFactory.NAMES.contains(method) && MethodFactory.prefilter(method) == null) {
            throw new BadInputException("unknown " + flag + " '" + method + "'; expected one of " + String.join(", ", MethodFactory.NAMES)
                    + " (or " + dev.acdc.discovery.method.PrefilteredAcdc.NAME + ":K)");
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
        return runAcdc(options, new java.util.BitSet(), journal, progress);
    }

    /** ACDC without the edges a prefilter removed before its walk ({@link Acdc#run(java.util.BitSet, AcdcJournal, Consumer)}). */
    public AcdcResult runAcdc(AcdcOptions options, java.util.BitSet removedBeforeWalk, AcdcJournal journal, Consumer<Acdc.Progress> progress) {
        return acdc(options).run(removedBeforeWalk, journal, progress);
    }

    /** ACDC on this run, not yet run: for a caller that sets where its speculative tests are evaluated. */
    public Acdc acdc(AcdcOptions options) {
        if (small != null) return new Acdc(small, (ArrayMetric) metric, options);
        return new Acdc(patcher, metric, options);
    }

    /** This run as a discovery problem; the run keeps ownership of everything in it. */
    public DiscoveryProblem problem(long seed) {
        if (small != null) throw new IllegalStateException("a run opened without the engine runs ACDC only; open it with TaskRun.open");
        return new DiscoveryProblem(task, model, graph, patcher, ablation, metricName, metric, cleanLogits, seed);
    }

    public Task task() { return task; }

    public CircuitGraph graph() { return graph; }

    public String metricName() { return metricName; }

    public Ablation ablation() { return ablation; }

    /** The ground truth's name; null when the run has none. */
    public String groundTruthName() { return groundTruthName; }

    /** The ground-truth circuit; null when the run has none (no TPR/FPR then). */
    public Circuit truth() { return truth; }

    public boolean hasTruth() { return truth != null; }

    /**
     * The explorer page of a method's sweep on this run ({@code roc}'s per method, {@code reproduce}'s per cell): every
     * circuit of the sweep, with the run's task, metric, ablation and ground truth (if any); null when it found none.
     */
    public String sweepExplorerHtml(String title, String method, dev.acdc.discovery.method.MethodResult r) {
        if (r.points().isEmpty()) return null;
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("task", task.name());
        facts.put("method", method);
        facts.put("metric", metricName);
        facts.put("ablation", ablation.cliName());
        facts.put("circuits", Integer.toString(r.points().size()));
        if (task.smokeRun()) facts.put("smoke run", "yes");
        return dev.acdc.experiments.explorer.CircuitExplorer.html(dev.acdc.experiments.explorer.CircuitExplorer.sweep(title, facts,
                hasTruth() ? truth : null, groundTruthName(), method, r.points()));
    }

    /** A task name as a file or directory name: {@code file:docs/x.jsonl} becomes {@code file-docs-x.jsonl}. */
    public static String fileName(String taskName) {
        return taskName.replaceAll("[^A-Za-z0-9._-]+", "-");
    }

    @Override
    public void close() {
        if (small != null) return;
        scope.close();
        patcher.close();
        model.close();
        threads.close();
    }
}
