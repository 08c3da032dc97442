package dev.acdc.experiments.reproduce;

import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.discovery.method.MethodRoc;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.experiments.AcdcCli;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.cells.CellJournal;
import dev.acdc.experiments.cells.CellOutcome;
import dev.acdc.experiments.cells.CellRunner;
import dev.acdc.experiments.cells.EngineOptionsMixin;
import dev.acdc.experiments.cells.CellJob;
import dev.acdc.experiments.cells.SweepCell;
import dev.acdc.experiments.cells.SweepRun;
import dev.acdc.experiments.cells.SweepRuns;
import dev.acdc.experiments.cells.TaskCache;
import dev.acdc.experiments.cells.TaskSpec;
import dev.acdc.experiments.discover.EapOptionsMixin;
import dev.acdc.experiments.StrictParsing;
import dev.acdc.experiments.discover.AtomicFiles;
import dev.acdc.experiments.explorer.CircuitExplorer;
import dev.acdc.experiments.output.OutputDirectory;
import dev.acdc.experiments.discover.MethodFactory;
import dev.acdc.experiments.discover.TaskOptionsMixin;
import dev.acdc.experiments.discover.TaskRun;
import dev.acdc.experiments.discover.TaskSource;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocCurve;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.NodeMerging;
import dev.acdc.patching.load.ModelLoadException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    @Option(names = "--methods", split = ",", paramLabel = "METHOD", description = "comma-separated methods (default: acdc, sp, hisp, eap, eap-ig, acdc-eap-ig; edge-pruning by name)")
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

    @Mixin
    EngineOptionsMixin engine;

    @Option(names = "--resume", description = "keep the cells that an unfinished previous run into the same --out finished"
            + " (a crash, a lost executor, a failed cell); compute only the rest")
    boolean resume;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> methodNames = methods != null ? StrictParsing.distinctItems("--methods", methods, MethodFactory.NAMES.size())
                : MethodFactory.REPRODUCE_DEFAULT;
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
        engine.check();
        // the cluster is reached first: an unreachable master is reported before anything is loaded or written
        try (CellRunner runner = engine.open("acdc reproduce", spec.commandLine().getErr()::println);
             // checked and locked before any task is loaded; the report's files appear together or not at all
             OutputDirectory.Staging staged = OutputDirectory.stage("--out", out, Report::isOutputFile, "a previous reproduce report",
                String.join(" ", spec.commandLine().getParseResult().originalArgs()))) {
            return run(runner, staged, methodNames, ablations, source, explicit, taskNames, options);
        }
    }

    private static boolean compilesItsModel(String task) {
        return task.startsWith("tracr-");
    }

    private int run(CellRunner runner, OutputDirectory.Staging staged, List<String> methodNames, List<String> ablations, TaskSource source,
                     boolean explicit, List<String> taskNames, TaskOptions options) {
        long start = System.nanoTime();
        if (!explicit) options = options.withOffline(true);

        PrintWriter err = spec.commandLine().getErr();
        List<Task> loaded = new ArrayList<>();
        List<TaskSpec> specs = new ArrayList<>();
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
                specs.add(TaskSpec.of(name, forTask));
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

        // the cells as jobs, in the report's order: task, metric, ablation, method
        List<ReproduceCell> jobs = new ArrayList<>();
        for (int ti = 0; ti < loaded.size(); ti++) {
            Task task = loaded.get(ti);
            TaskSpec spec = specs.get(ti);
            TaskCache.put(spec, task);   // the local runner computes on the tasks loaded here
            for (String metricName : task.metricNames()) {
                if (metrics != null && !metrics.contains(metricName)) continue;
                for (String abl : ablations) {
                    for (String method : methodNames) {
                        jobs.add(new ReproduceCell(spec, metricName, abl, method, quick, eap.gradientAt(), taskOptions.seed(), null));
                    }
                }
            }
        }
        // a sweep's runs (ACDC's thresholds, SP's λ, Edge Pruning's targets) are jobs of their own, computed first
        List<SweepRun> runs = SweepRuns.of(jobs);
        List<CellJob> journaled = new ArrayList<>(jobs);
        journaled.addAll(runs);
        CellJournal journal = CellJournal.open(staged.target(), CellJournal.signature("acdc reproduce cells", jobs), journaled, resume, n -> err.println("reproduce: " + n));
        Map<String, String> finished = new LinkedHashMap<>(journal.finished());
        Map<String, CellResult> results = new LinkedHashMap<>();
        for (ReproduceCell j : jobs) if (finished.containsKey(j.fileName())) results.put(j.fileName(), CellResult.fromJson(finished.get(j.fileName())));
        Map<String, String> failed = new LinkedHashMap<>();
        dev.acdc.experiments.Progress progress;
        try {
            SweepRuns.compute(runner, runs, finished, journal, err, "reproduce", "cell", failed);
            List<SweepCell> todo = SweepRuns.assemble(jobs, runs, finished);
            // per cell (task, metric, ablation, method), and per threshold inside ACDC (the one method that reports its steps)
            progress = dev.acdc.experiments.Progress.start(err, "reproduce: cell", jobs.size());
            dev.acdc.experiments.Progress cellProgress = progress;
            runner.run(todo, progress, results.size() + 1, outcome -> {
                if (outcome instanceof CellOutcome.Finished f) {
                    journal.record(f.job(), f.json());
                    CellResult result = CellResult.fromJson(f.json());
                    Cell c = result.cell();
                    results.put(f.job().fileName(), result);
                    cellProgress.println(String.format(Locale.ROOT,
                            "reproduce: %s %s %s %-6s edge AUC %.3f node AUC %.3f (components %.3f) (%.1f s)",
                            c.task(), c.metric(), c.ablation(), c.method(), c.edgeAuc(), c.nodeAuc(), c.nodeAucComponents(), c.seconds()));
                } else if (outcome instanceof CellOutcome.Failed x) {
                    failed.put(x.job().description(), x.error());
                    cellProgress.println("reproduce: cell " + x.job().description() + " failed: " + x.error());
                } else {
                    throw new IllegalStateException("unhandled outcome " + outcome);
                }
                if (!engine.local()) cellProgress.update(results.size() + failed.size(), "finished " + outcome.job().description());
            });
        } catch (RuntimeException e) {
            // a run that ends before any cell finished leaves nothing to resume: no journal either
            if (journal.finished().isEmpty()) journal.delete();
            throw e;
        }
        // the report from the per-cell results, in the jobs' order whatever order they finished in
        List<Cell> cells = new ArrayList<>();
        Map<String, dev.acdc.experiments.discover.PlotImages> plots = new LinkedHashMap<>();
        Map<String, Map<String, RocCurve[]>> curvesByPlot = new LinkedHashMap<>();
        Map<String, Cell> firstCell = new LinkedHashMap<>();
        Map<String, String> titles = new LinkedHashMap<>();
        FaithfulnessTable faithfulness = new FaithfulnessTable();
        for (ReproduceCell job : jobs) {
            CellResult r = results.get(job.fileName());
            if (r == null) continue;
            Cell c = r.cell();
            cells.add(c);
            if (r.faithfulness() != null) faithfulness.add(r.faithfulness());
            if (r.explorerHtml() != null) {   // the cell's circuits, browsable; into the staging directory
                AtomicFiles.write(staged.dir().resolve(CircuitExplorer.cellPage(c.task(), c.metric(), c.ablation(), c.method())),
                        r.explorerHtml());
            }
            String plot = Report.plotBase(c.task(), c.metric(), c.ablation());
            curvesByPlot.computeIfAbsent(plot, k -> new LinkedHashMap<>()).put(c.method(), r.curves());
            titles.putIfAbsent(plot, c.task() + " · " + c.metric() + " · " + c.ablation() + " ablation · vs " + c.groundTruth());
            firstCell.putIfAbsent(plot, c);
        }
        // the node curves count nodes as the ACDC code did, as the paper's node points do
        curvesByPlot.forEach((plot, curves) -> {
            Cell c = firstCell.get(plot);
            plots.put(plot, dev.acdc.experiments.discover.RocPlot.render(titles.get(plot), curves,
                    dev.acdc.experiments.discover.RocPlot.paperPoints(c.task(), c.metric(), c.ablation(), methodNames, true)));
        });
        faithfulness.finish();
        progress.finish(cells.size() + " cells");
        double seconds = (System.nanoTime() - start) / 1e9;
        Report report = new Report(cells, skipped, failed, new Report.Settings(methodNames, ablations, quick, taskOptions.seed(),
                eap.describe(), loaded.stream().anyMatch(Task::smokeRun), seconds), faithfulness);
        report.write(staged.dir(), plots);
        staged.commit();
        if (failed.isEmpty()) journal.delete();   // kept otherwise: --resume computes the failed cells only

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(report.flatJson());
        } else {
            o.printf(Locale.ROOT, "reproduce: %d cells (%d tasks, %d methods) in %.1f s%s → %s%n", cells.size(), loaded.size(),
                    methodNames.size(), seconds, skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped.keySet()),
                    out.resolve("index.html"));
        }
        o.flush();
        if (!failed.isEmpty()) {
            err.println("reproduce: " + failed.size() + " of " + jobs.size() + " cells failed (listed in the report); the others are"
                    + " written, and --resume computes the failed ones again");
            return AcdcCli.EXIT_INTERNAL_ERROR;
        }
        return 0;
    }

    /** What a resumed run must share with the run it continues: every cell, with all its settings, in order. */

    /**
     * The node-level curve with nodes counted as the ACDC code counted them for the paper's tables, over the same
     * circuits as {@link MethodRoc}'s node curve.
     */
    static RocCurve acdcCodeNodeCurve(MethodResult r, Circuit truth) {
        List<Circuit> circuits = r.points().stream().map(SweepPoint::circuit).toList();
        return Roc.nodeCurve(circuits.isEmpty() ? List.of(Circuit.full(truth.graph())) : circuits, truth, NodeMerging.ACDC_CODE);
    }
}
