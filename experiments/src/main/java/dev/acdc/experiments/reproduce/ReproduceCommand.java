package dev.acdc.experiments.reproduce;

import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.discovery.method.MethodRoc;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.discover.EapOptionsMixin;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.experiments.discover.MethodFactory;
import dev.acdc.experiments.discover.TaskOptionsMixin;
import dev.acdc.experiments.discover.TaskRun;
import dev.acdc.experiments.discover.TaskSource;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.NodeMerging;
import dev.acdc.patching.load.ModelLoadException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code acdc reproduce}: every method on every task whose model is available, under resample and/or zero
 * ablation and every metric of the task, scored against the task's default ground truth; writes the AUC table
 * (beside the paper's Table 2), ROC plots, {@code results.json} and {@code index.html}.
 *
 * <p>Without {@code --tasks}, tasks whose model is not available locally are skipped and listed in the report
 * (nothing is downloaded); a task named in {@code --tasks} whose model cannot be found is bad input.
 */
@Command(name = "reproduce",
        mixinStandardHelpOptions = true,
        description = "Compare discovery methods as the ACDC paper's Table 2 does: AUC table, ROC plots, results.json, index.html.")
public final class ReproduceCommand implements Callable<Integer> {

    public static final List<String> ABLATIONS = List.of("resample", "zero", "both");

    @Option(names = "--tasks", split = ",", paramLabel = "TASK",
            description = "comma-separated tasks (default: every task whose model is available without downloading); file:PATH "
                    + "for a task file whose defaults name a ground truth")
    List<String> tasks;

    @Option(names = "--methods", split = ",", paramLabel = "METHOD", description = "comma-separated methods (default: all)")
    List<String> methods;

    @Option(names = "--ablation", defaultValue = "both", paramLabel = "ABLATION", description = "resample, zero or both (default)")
    String ablation;

    @Option(names = "--metrics", split = ",", paramLabel = "METRIC",
            description = "comma-separated metrics (default: every metric of each task); a task lacking one is skipped for it")
    List<String> metrics;

    @Option(names = "--quick", description = "fewer thresholds, epochs and steps: the whole tracr run in under two minutes")
    boolean quick;

    @Option(names = "--out", defaultValue = "runs/reproduce", paramLabel = "DIR", description = "output directory (default runs/reproduce)")
    Path out;

    @Option(names = "--json", description = "print the AUCs as one flat JSON object (keys auc.<task>.<metric>.<ablation>.<method>.edge|node)")
    boolean json;

    @Mixin
    TaskOptionsMixin taskOptions;

    @Mixin
    EapOptionsMixin eap;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> methodNames = methods != null ? StrictParsing.distinctItems("--methods", methods, MethodFactory.NAMES.size())
                : MethodFactory.NAMES;
        for (String m : methodNames) TaskRun.checkMethod("--methods", m);
        if (tasks != null) StrictParsing.distinctItems("--tasks", tasks, Integer.MAX_VALUE);
        if (metrics != null) StrictParsing.distinctItems("--metrics", metrics, Integer.MAX_VALUE);
        if (!ABLATIONS.contains(ablation)) {
            throw new BadInputException("unknown --ablation '" + ablation + "'; expected one of " + String.join(", ", ABLATIONS));
        }
        List<String> ablations = ablation.equals("both") ? List.of("resample", "zero") : List.of(ablation);
        eap.gradientAt();   // checked before any task is loaded
        TaskSource source = TaskSource.current();
        boolean explicit = tasks != null;
        List<String> taskNames = explicit ? tasks : source.names();
        TaskOptions options = taskOptions.options();
        for (String t : taskNames) TaskSource.parse(source, "--tasks", t, options);
        // checked and locked before any task is loaded; the report's files appear together or not at all
        try (OutputDirectory.Staging staged = OutputDirectory.stage("--out", out, Report::isOutputFile, "a previous reproduce report",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            run(staged, methodNames, ablations, source, explicit, taskNames, options);
        }
        return 0;
    }

    private static boolean compilesItsModel(String task) {
        return task.startsWith("tracr-");
    }

    private void run(OutputDirectory.Staging staged, List<String> methodNames, List<String> ablations, TaskSource source,
                     boolean explicit, List<String> taskNames, TaskOptions options) {
        long start = System.nanoTime();
        if (!explicit) options = options.withOffline(true);

        PrintWriter err = spec.commandLine().getErr();
        List<Task> loaded = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        boolean modelGiven = options.model() != null || options.tokenizerDir() != null;
        if (modelGiven && taskNames.stream().allMatch(ReproduceCommand::compilesItsModel)) {
            throw new BadInputException("--model and --tokenizer: the selected tasks (" + String.join(", ", taskNames)
                    + ") compile their own models and take neither; leave them out");
        }
        for (String name : taskNames) {
            try {
                // --model and --tokenizer name the model of the tasks that load one; the tracr tasks compile theirs
                TaskOptions forTask = compilesItsModel(name) ? options.withModel(null).withTokenizerDir(null) : options;
                loaded.add(TaskSource.lookup(source, "--tasks", name, forTask));
            } catch (ModelLoadException e) {
                if (explicit) throw e;
                skipped.put(name, e.getMessage());
                err.println("reproduce: skipping " + name + ": " + e.getMessage());
            }
        }
        for (Task task : loaded) {
            if (task.defaultGroundTruth() == null) {
                throw new BadInputException("--tasks " + task.name() + ": reproduce scores methods by ROC AUC against a ground truth and"
                        + " this task has none; name a file of edges in its defaults line ({\"defaults\": {\"ground_truth\": FILE}}),"
                        + " or run 'acdc roc --task " + task.name() + "' (circuit sizes without TPR/FPR)");
            }
        }
        if (metrics != null) {
            for (String m : metrics) {
                if (loaded.stream().noneMatch(t -> t.metricNames().contains(m))) {
                    throw new BadInputException("unknown --metrics '" + m + "': no selected task has it");
                }
            }
        }

        int totalCells = 0;
        for (Task task : loaded) {
            long ms = task.metricNames().stream().filter(m -> metrics == null || metrics.contains(m)).count();
            totalCells += (int) ms * ablations.size() * methodNames.size();
        }
        // per cell (task, metric, ablation, method), and per threshold inside ACDC (the one method that reports its steps)
        dev.acdc.experiments.Progress progress = dev.acdc.experiments.Progress.start(err, "reproduce: cell", totalCells);
        MethodFactory.Settings settings = new MethodFactory.Settings(null, quick, eap.gradientAt(), progress::detail);
        List<Cell> cells = new ArrayList<>();
        Map<String, dev.acdc.experiments.discover.PlotImages> plots = new LinkedHashMap<>();
        for (Task task : loaded) {
            for (String metricName : task.metricNames()) {
                if (metrics != null && !metrics.contains(metricName)) continue;
                for (String abl : ablations) {
                    Map<String, RocCurve[]> curves = new LinkedHashMap<>();
                    try (TaskRun run = TaskRun.open(task, metricName, abl, null)) {
                        for (String method : methodNames) {
                            String cell = task.name() + " " + metricName + " " + abl + " " + method;
                            progress.begin(cells.size() + 1, cell);
                            MethodResult r = MethodFactory.create(method, task, metricName, settings).discover(run.problem(taskOptions.seed()));
                            MethodRoc roc = MethodRoc.of(r, run.truth());
                            RocCurve acdcCodeNodes = acdcCodeNodeCurve(r, run.truth());
                            curves.put(method, new RocCurve[] {roc.edge(), acdcCodeNodes});
                            Set<String> truthNodes = run.truth().nodeNames(NodeMerging.ACDC_CODE);
                            List<Cell.Point> pts = new ArrayList<>();
                            for (SweepPoint sp : r.points()) {
                                RocPoint e = Roc.edgePoint(sp.circuit(), run.truth());
                                RocPoint n = Roc.nodePoint(sp.circuit(), truthNodes, NodeMerging.ACDC_CODE);
                                RocPoint nc = Roc.nodePoint(sp.circuit(), run.truth().nodeNames());
                                pts.add(new Cell.Point(sp.parameter(), sp.value(), sp.circuit().edgeCount(), e.fpr(), e.tpr(),
                                        n.fpr(), n.tpr(), nc.fpr(), nc.tpr()));
                            }
                            Cell c = new Cell(task.name(), metricName, abl, method, run.groundTruthName(),
                                    roc.edge().pessimisticAuc(), acdcCodeNodes.pessimisticAuc(), roc.node().pessimisticAuc(),
                                    roc.edge().trapezoidalAuc(), acdcCodeNodes.trapezoidalAuc(), roc.node().trapezoidalAuc(),
                                    r.seconds(), pts);
                            cells.add(c);
                            progress.println(String.format(Locale.ROOT,
                                    "reproduce: %s %s %s %-6s edge AUC %.3f node AUC %.3f (components %.3f) (%.1f s)",
                                    task.name(), metricName, abl, method, c.edgeAuc(), c.nodeAuc(), c.nodeAucComponents(), c.seconds()));
                        }
                        // the node curves count nodes as the ACDC code did, as the paper's node points do
                        plots.put(Report.plotBase(task.name(), metricName, abl),
                                dev.acdc.experiments.discover.RocPlot.render(task.name() + " · " + metricName + " · " + abl
                                        + " ablation · vs " + run.groundTruthName(), curves,
                                        dev.acdc.experiments.discover.RocPlot.paperPoints(task.name(), metricName, abl, methodNames, true)));
                    }
                }
            }
        }
        progress.finish(cells.size() + " cells");
        double seconds = (System.nanoTime() - start) / 1e9;
        Report report = new Report(cells, skipped, new Report.Settings(methodNames, ablations, quick, taskOptions.seed(),
                eap.describe(), loaded.stream().anyMatch(Task::smokeRun), seconds));
        report.write(staged.dir(), plots);
        staged.commit();

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(report.flatJson());
        } else {
            o.printf(Locale.ROOT, "reproduce: %d cells (%d tasks, %d methods) in %.1f s%s → %s%n", cells.size(), loaded.size(),
                    methodNames.size(), seconds, skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped.keySet()),
                    out.resolve("index.html"));
        }
        o.flush();
    }

    /**
     * The node-level curve with nodes counted as the ACDC code counted them for the paper's tables, over the same
     * circuits as {@link MethodRoc}'s node curve.
     */
    static RocCurve acdcCodeNodeCurve(MethodResult r, Circuit truth) {
        List<Circuit> circuits = r.points().stream().map(SweepPoint::circuit).toList();
        return Roc.nodeCurve(circuits.isEmpty() ? List.of(Circuit.full(truth.graph())) : circuits, truth, NodeMerging.ACDC_CODE);
    }
}
