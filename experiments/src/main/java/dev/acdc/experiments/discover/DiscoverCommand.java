package dev.acdc.experiments.discover;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcJournal;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.discovery.RunDescription;
import dev.acdc.discovery.method.AttributionPrefilter;
import dev.acdc.discovery.method.EapIg;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.explorer.CircuitExplorer;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.experiments.output.RunLock;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocPoint;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.Edge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code acdc discover --task T --method acdc --threshold τ …}: one ACDC run, scored against a ground truth,
 * written as {@code circuit.json}, {@code circuit.dot} and {@code circuit.svg}, with a one-line summary.
 */
@Command(name = "discover",
        mixinStandardHelpOptions = true,
        description = "Discover a task's circuit with ACDC and score it against a ground truth.")
public final class DiscoverCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "the task's name, or file:PATH (prompts from a JSON Lines file)")
    String task;

    @Option(names = "--method", defaultValue = "acdc", paramLabel = "METHOD", description = "acdc (the only method with a single-threshold run; roc and reproduce sweep the others);"
            + " acdc-eap-ig[:K] is --prefilter eap-ig:K (K default 25%%)")
    String method;

    @Option(names = "--prefilter", paramLabel = "ATTRIBUTION:K",
            description = "EAP-guided ACDC: rank every edge by |score| of eap-ig or eap, remove the edges outside the top K before ACDC's"
                    + " walk (never tested, effect null), and let ACDC decide the rest; K a count of edges (40) or a percentage (25%%);"
                    + " K >= the edges is plain ACDC")
    String prefilterSpec;

    @Mixin
    EapOptionsMixin eap;

    @Option(names = "--threshold", required = true, paramLabel = "TAU", description = "ACDC's threshold τ: a finite decimal number ≥ 0")
    String thresholdText;

    private double threshold;

    @Mixin
    ScoringOptionsMixin scoring;

    @Option(names = "--abs-value", description = "remove an edge when |new − cur| < τ")
    boolean absValue;

    @Option(names = "--sender-order", defaultValue = "acdc", paramLabel = "ORDER", description = "acdc (default) or heads-ascending")
    String senderOrder;

    @Option(names = "--reference", description = "run the slow reference implementation (one full forward per edge)")
    boolean reference;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default runs/<task>-acdc-<τ>; a file task's path with - for / and :)")
    Path out;

    @Option(names = "--json", description = "print one JSON object instead of the summary line (metric_value is an alias of metric_final)")
    boolean json;

    @Option(names = "--resume", description = "replay the decisions in DIR/journal.txt and continue from there")
    boolean resume;

    @Option(names = "--force", description = "start over in a DIR that holds the journal of a previous run, replacing its journal and circuit"
            + " (without --resume or --force such a DIR is refused)")
    boolean force;

    @Mixin
    TaskOptionsMixin taskOptions;

    /** --engine spark: the speculative cumulative-removal tests on executors, the decisions here (the same circuit). */
    @Mixin
    dev.acdc.experiments.cells.EngineOptionsMixin engine;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        TaskRun.checkMethod("--method", method);
        AttributionPrefilter prefilter = prefilter();
        if (!method.equals("acdc") && MethodFactory.prefilter(method) == null) {
            throw new BadInputException("--method " + method + ": discover runs ACDC at one threshold; sweep " + method
                    + " with 'acdc roc --methods " + method + "' or 'acdc reproduce --methods " + method + "'");
        }
        threshold = StrictParsing.finiteNumber("--threshold", thresholdText);   // 0.01d, 0x1p-7 and 1e400 are mistakes
        TaskRun.checkThreshold("--threshold", threshold);
        var order = TaskRun.parseSenderOrder(senderOrder);
        TaskRun.parseAblation(scoring.ablation());   // before the task (and its model) is loaded
        engine.check();
        if (!engine.local() && reference) {
            throw new BadInputException("--reference and --engine " + engine.engine() + ": the reference path tests one edge at a time"
                    + " in this JVM; leave one out");
        }
        TaskOptions taskOpts = taskOptions.options();
        // the directory may hold anything: discover only ever writes its own files into it. By default it is named
        // after the task, not its spelling: runs on the ACDC code's data get their own directory
        Path dir = OutputDirectory.check("--out", out != null ? out
                        : Path.of("runs", TaskSource.runName(TaskSource.current(), task, taskOpts) + "-acdc-"
                        + (prefilter == null ? "" : prefilter.spelling().replace(":", "-").replace("%", "pct") + "-") + plain(threshold)),
                name -> true, "a discover run");
        checkPreviousRun(dir);
        Task t = TaskSource.lookup(TaskSource.current(), task, taskOpts);
        scoring.check(t);
        AcdcOptions options = (reference ? AcdcOptions.reference(threshold) : AcdcOptions.fast(threshold))
                .withAbsValue(absValue).withSenderOrder(order);

        PrintWriter err = spec.commandLine().getErr();
        // the prefilter's attribution needs gradients (the engine); ACDC then runs as a plain run would, without it where it can
        BitSet removed = prefilter == null ? new BitSet() : prefiltered(t, prefilter, taskOpts.seed());
        boolean created = !Files.exists(dir);
        try (TaskRun run = scoring.openForAcdc(t, options); RunLock lock = RunLock.acquire(dir.resolve(RunLock.FILE), "--out " + dir,
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            if (lock.staleHolder() != null) {
                err.println("acdc: note: " + lock.file() + " was left by a run that ended without finishing (" + lock.staleHolder()
                        + "); taking it over");
            }
            checkPreviousRun(dir);   // again under the lock: a run may have finished there since
            RunDescription description = prefilter == null ? AcdcRunDescription.of(run, taskOpts, options)
                    : AcdcRunDescription.of(run, taskOpts, options, prefilter.spelling(), eap.describe(), removed);
            if (resume && !Files.exists(dir.resolve(JOURNAL))) {
                err.println("acdc: note: --resume: " + dir.resolve(JOURNAL) + " does not exist; starting from the first edge");
            }
            AcdcResult result;
            try (AcdcJournal journal = AcdcJournal.open(dir.resolve(JOURNAL), description, resume)) {
                if (journal.droppedTail() != null) {
                    err.println("acdc: note: " + dir.resolve(JOURNAL) + " " + journal.droppedTail() + "; replaying the "
                            + journal.replayable() + " decisions before it and deciding the rest again");
                }
                AcdcProgress progress = new AcdcProgress(err);
                if (engine.local()) {
                    result = run.runAcdc(options, removed, journal, progress);
                } else {
                    var spec = dev.acdc.experiments.cells.TaskSpec.of(task, taskOpts);
                    dev.acdc.experiments.cells.TaskCache.put(spec, t);   // executors in this JVM (local[N]) reuse the task
                    try (var evaluator = dev.acdc.experiments.cells.EngineOptionsMixin.engine(engine.engine()).removalEvaluator(
                            engine.master(), "acdc discover", new dev.acdc.experiments.cells.RemovalJob(spec, run.metricName(),
                                    run.ablation().cliName()))) {
                        result = run.acdc(options).withRemovalEvaluator(evaluator).run(removed, journal, progress);
                    }
                }
                progress.finish(result);
            }
            Circuit found = result.circuit();
            RocPoint roc = run.hasTruth() ? Roc.edgePoint(found, run.truth()) : null;   // no ground truth: no TPR/FPR
            double seconds = (System.nanoTime() - start) / 1e9;

            Map<String, Object> file = new LinkedHashMap<>();
            file.put("task", t.name());
            file.put("method", methodName(prefilter));
            Map<String, Object> opts = new LinkedHashMap<>();
            opts.put("ablation", run.ablation().cliName());
            opts.put("abs_value", absValue);
            opts.put("sender_order", senderOrder);
            opts.put("reference", reference);
            opts.put("speculative_batch", options.speculativeBatch());
            if (!engine.local()) opts.put("engine", engine.engine());   // absent for the local engine: its files are as before
            file.put("options", opts);
            file.put("threshold", threshold);
            file.put("metric", run.metricName());
            file.put("metric_full", result.metricFull());
            file.put("metric_final", result.metricFinal());
            file.put("edges_kept", found.edgeCount());
            file.put("edges_total", run.graph().edgeCount());
            file.put("tpr", roc == null ? null : roc.tpr());
            file.put("fpr", roc == null ? null : roc.fpr());
            file.put("ground_truth", run.groundTruthName());
            file.put("tested_edges", result.testedEdges());
            file.put("masked_forwards", result.maskedForwards());
            file.put("acdc_seconds", result.seconds());
            file.put("seconds", seconds);
            file.put("smoke_run", t.smokeRun());
            file.put("run", description.fields());
            if (prefilter != null) {
                // the edges outside the attribution's top K: removed before the walk, never tested (effect null, kept false)
                Map<String, Object> pre = new LinkedHashMap<>();
                pre.put("attribution", prefilter.attribution());
                pre.put("k", prefilter.k());
                pre.put("eap_gradient", eap.describe());
                pre.put("edges_kept", run.graph().edgeCount() - removed.cardinality());
                pre.put("edges_removed", removed.cardinality());
                pre.put("removed", removed.stream().mapToObj(id -> run.graph().edge(id).name()).toList());
                file.put("prefilter", pre);
            }
            List<Map<String, Object>> edges = new ArrayList<>();
            for (Edge e : run.graph().edges()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("edge", e.name());
                m.put("type", e.kind().name().toLowerCase(Locale.ROOT));
                double effect = found.hasScores() ? found.score(e.id()) : Double.NaN;
                m.put("effect", Double.isNaN(effect) ? null : effect);
                m.put("kept", found.contains(e.id()));
                if (run.hasTruth()) m.put("in_ground_truth", run.truth().contains(e.id()));
                edges.add(m);
            }
            file.put("edges", edges);
            if (run.hasTruth()) {
                // kept but not in the ground truth, and in the ground truth but not kept, by edge name in graph order
                file.put("false_positives", found.minus(run.truth()).edges().stream().map(Edge::name).toList());
                file.put("false_negatives", run.truth().minus(found).edges().stream().map(Edge::name).toList());
            }

            String title = String.format(Locale.ROOT, "%s  %s  τ=%s  %d/%d edges", t.name(), prefilter == null ? "acdc" : "acdc prefilter " + prefilter.spelling(), plain(threshold), found.edgeCount(),
                    run.graph().edgeCount()) + (roc == null ? "" : String.format(Locale.ROOT, "  TPR %.3f  FPR %.3f", roc.tpr(), roc.fpr()));
            // rendered in full before anything is written; circuit.json, which names the run, goes in last
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("circuit.dot", CircuitDot.render(found, run.truth(), title).getBytes(StandardCharsets.UTF_8));
            files.put("circuit.svg", CircuitSvg.render(found, run.truth(), title).getBytes(StandardCharsets.UTF_8));
            files.put(CircuitExplorer.FILE, explorerPage(t, run, found, result, title, methodName(prefilter)).getBytes(StandardCharsets.UTF_8));
            files.put("circuit.json", (gson(true).toJson(file) + "\n").getBytes(StandardCharsets.UTF_8));
            OutputDirectory.commitFiles(dir, files);

            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("task", t.name());
                line.put("method", methodName(prefilter));
                if (prefilter != null) line.put("prefilter", prefilter.spelling());
                line.put("threshold", threshold);
                line.put("edges_kept", found.edgeCount());
                line.put("edges_total", run.graph().edgeCount());
                line.put("metric", run.metricName());
                line.put("metric_value", result.metricFinal());   // kept for scripts written against it: metric_final's alias
                line.put("metric_final", result.metricFinal());   // as circuit.json names it
                line.put("metric_full", result.metricFull());
                line.put("tpr", roc == null ? null : roc.tpr());
                line.put("fpr", roc == null ? null : roc.fpr());
                line.put("tested_edges", result.testedEdges());
                line.put("seconds", seconds);
                line.put("smoke_run", t.smokeRun());
                line.put("out", dir.toString());
                o.println(gson(false).toJson(line));
            } else {
                String scored = roc == null ? "no ground truth"
                        : String.format(Locale.ROOT, "TPR %.3f FPR %.3f vs %s", roc.tpr(), roc.fpr(), run.groundTruthName());
                o.printf(Locale.ROOT, "%s %s τ=%s: %d/%d edges kept, %s %.4g (full %.4g), %s, %.1f s%s → %s%n",
                        t.name(), prefilter == null ? "acdc" : "acdc prefilter " + prefilter.spelling(), plain(threshold), found.edgeCount(), run.graph().edgeCount(), run.metricName(),
                        result.metricFinal(), result.metricFull(), scored, seconds, t.smokeRun() ? " [smoke run]" : "", dir);
            }
            o.flush();
        } finally {
            if (created) removeIfEmpty(dir);   // a run that failed before writing anything leaves no directory behind
        }
        return 0;
    }

    /** The explorer page of the run's circuit: one step, ACDC's effects, the run's ground truth. */
    private String explorerPage(Task t, TaskRun run, Circuit found, AcdcResult result, String title, String method) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("task", t.name());
        facts.put("method", method + (reference ? " (reference)" : ""));
        facts.put("metric", run.metricName());
        facts.put("ablation", run.ablation().cliName());
        facts.put("τ", plain(threshold));
        facts.put("metric final / full", String.format(Locale.ROOT, "%.4g / %.4g", result.metricFinal(), result.metricFull()));
        if (t.smokeRun()) facts.put("smoke run", "yes");
        return CircuitExplorer.html(new CircuitExplorer.Page(title, facts, run.hasTruth() ? run.truth() : null, run.groundTruthName(),
                CircuitExplorer.ACDC_EFFECT, List.of(new CircuitExplorer.Step("threshold", threshold, found)), 0));
    }

    /** {@code acdc}, or {@code acdc-eap-ig} / {@code acdc-eap} for a prefiltered run. */
    private static String methodName(AttributionPrefilter prefilter) {
        return prefilter == null ? "acdc" : "acdc-" + prefilter.attribution();
    }

    /**
     * The prefilter of {@code --prefilter} or of {@code --method acdc-eap-ig[:K]} (not both), checked before anything is
     * loaded; null for plain ACDC. {@code --eap-gradient} only says where the prefilter's attribution takes its gradient.
     */
    private AttributionPrefilter prefilter() {
        AttributionPrefilter fromMethod = MethodFactory.prefilter(method);
        if (fromMethod != null && prefilterSpec != null) {
            throw new BadInputException("--method " + method + " and --prefilter " + prefilterSpec + ": give one (--method " + method
                    + " is --prefilter " + fromMethod.spelling() + ")");
        }
        AttributionPrefilter p = fromMethod;
        if (prefilterSpec != null) {
            try {
                p = AttributionPrefilter.parse(prefilterSpec);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--prefilter " + e.getMessage());
            }
        }
        eap.gradientAt();   // an unknown value is bad input with or without a prefilter
        if (p == null && eap.gradientAt() != null) {
            throw new BadInputException("--eap-gradient " + eap.describe() + ": discover takes it only with --prefilter (where the"
                    + " prefilter's attribution takes its gradient)");
        }
        return p;
    }

    /** The edges the prefilter removes: the attribution computed once on the task's problem (the engine's). */
    private BitSet prefiltered(Task t, AttributionPrefilter prefilter, long seed) {
        try (TaskRun scored = scoring.open(t)) {
            return prefilter.removed(scored.graph(), prefilter.scores(scored.problem(seed), eap.gradientAt(), EapIg.DEFAULT_STEPS).signed());
        }
    }

    /**
     * A directory holding a previous run's journal is continued with --resume or replaced with --force, never
     * silently overwritten; the two together are a contradiction.
     */
    private void checkPreviousRun(Path dir) {
        if (resume && force) throw new BadInputException("--resume and --force: give one (--resume continues the run in " + dir
                + ", --force starts it over)");
        if (!resume && !force && Files.exists(dir.resolve(JOURNAL))) {
            throw new BadInputException("--out " + dir + " holds the journal of a previous run (" + JOURNAL + "); give --resume to"
                    + " continue it or --force to start over and replace it");
        }
    }

    /** The journal's name in the run directory. */
    public static final String JOURNAL = "journal.txt";

    private static void removeIfEmpty(Path dir) {
        try (var s = Files.list(dir)) {
            if (s.findAny().isEmpty()) Files.delete(dir);
        } catch (java.io.IOException ignored) {
            // a directory that cannot be listed or removed is left as it is
        }
    }

    static Gson gson(boolean pretty) {
        GsonBuilder b = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().serializeNulls();
        if (pretty) b.setPrettyPrinting();
        return b.create();
    }

    /** τ without exponent or trailing zeros, for directory names: 0.01, 0.00001, 0. */
    static String plain(double x) {
        return new BigDecimal(Double.toString(x)).stripTrailingZeros().toPlainString();
    }

    /**
     * ACDC's progress by receiver ({@link dev.acdc.experiments.Progress}: redrawn on a terminal, plain lines at a
     * steady interval otherwise), started at the first receiver, when the total is known.
     */
    static final class AcdcProgress implements Consumer<Acdc.Progress> {
        private final PrintWriter err;
        private dev.acdc.experiments.Progress progress;

        AcdcProgress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void accept(Acdc.Progress p) {
            if (progress == null) progress = dev.acdc.experiments.Progress.start(err, "discover: receivers", p.receiversTotal());
            progress.total(p.receiversTotal());
            progress.update(p.receiversDone(), "(edges kept " + p.edgesKept() + ", tested " + p.edgesTested() + ")");
        }

        void finish(AcdcResult result) {
            if (progress != null) progress.finish("edges tested " + result.testedEdges());
        }
    }
}
