package dev.acdc.experiments;

import com.google.gson.GsonBuilder;
import dev.acdc.datasets.induction.InductionEvaluation;
import dev.acdc.datasets.induction.InductionHeads;
import dev.acdc.datasets.induction.InductionModel;
import dev.acdc.datasets.induction.InductionTrainer;
import dev.acdc.datasets.induction.Provenance;
import dev.acdc.datasets.induction.TrainingConfig;
import dev.acdc.experiments.output.OutputDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code acdc train induction}: trains the induction task's 2-layer attention-only model, evaluates it (accuracy on
 * repeated and first occurrences, previous-token and induction heads) and, with {@code --out}, saves it as a model
 * directory with {@code provenance.json}. The directory appears complete or not at all: it is written beside the
 * target under a temporary name and renamed.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a task's model (only 'induction': a 2-layer attention-only transformer on repeated random segments).")
public final class TrainCommand implements Callable<Integer> {

    public static final String INDUCTION = "induction";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TASK", description = "the task whose model to train: induction")
    String task;

    @Option(names = "--out", paramLabel = "DIR", description = "save the model (config.json, model.safetensors, provenance.json) in this new directory")
    Path out;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the initial weights and the training data (default: ${DEFAULT-VALUE})")
    long seed = TrainingConfig.defaults().seed();

    /** About 25 minutes at the default size (60–80 ms a step on 2 cores): a bound on time, not on memory. */
    public static final int MAX_STEPS = 20_000;

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps, 1 to " + MAX_STEPS + " (default: the configuration's)")
    Integer steps;

    @Option(names = "--tiny", description = "a small model and few steps, trained in seconds (for tests); it learns little")
    boolean tiny;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() {
        if (!INDUCTION.equals(task)) throw new BadInputException("train: unknown task '" + task + "'; expected induction");
        if (steps != null && (steps < 1 || steps > MAX_STEPS)) {
            throw new BadInputException("--steps " + steps + ": expected 1 to " + MAX_STEPS);
        }
        TrainingConfig config = (tiny ? TrainingConfig.tiny() : TrainingConfig.defaults()).withSeed(seed);
        if (steps != null) config = config.withSteps(steps);
        PrintWriter err = spec.commandLine().getErr();
        // the output directory is checked and locked before training, and the model appears there as a whole
        try (OutputDirectory.Staging staged = out == null ? null
                : OutputDirectory.stage("--out", out, null, "a model directory", command())) {
            long start = System.nanoTime();
            InductionTrainer.Result trained;
            try {
                Progress progress = Progress.start(err, "train: step", config.steps());
                trained = InductionTrainer.train(config, "induction-2l-attn-only",
                        (step, total, loss) -> progress.update(step, String.format(Locale.ROOT, "loss %.4f", loss)));
                progress.finish("");
            } catch (IllegalStateException diverged) {
                err.println("acdc: " + diverged.getMessage());
                return 1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            InductionEvaluation eval = InductionEvaluation.of(trained.weights(), config.data());
            InductionHeads heads = eval.heads();
            Provenance provenance = new Provenance(command(), config, round(seconds), trained.initialLoss(), trained.finalLoss(),
                    InductionEvaluation.SEED, InductionEvaluation.SEQUENCES, eval.accuracy().repeated(), eval.accuracy().first(),
                    heads.previousToken(), heads.induction(), heads.previousTokenHeads(), heads.inductionHeads(), heads.canonicalCircuit());
            String internal = nonFinite(trained, provenance);
            if (internal != null) {
                // not bad input: the same command may well succeed with another seed, and must never exit 2
                err.println("acdc: internal error: training produced a non-finite " + internal + " (seed " + config.seed()
                        + "); nothing was saved");
                return 1;
            }
            if (staged != null) {
                InductionModel.save(staged.dir(), trained.weights(), provenance);
                staged.commit();
            }
            print(config, trained, eval, heads, provenance, seconds);
        }
        return 0;
    }

    /** The first non-finite number among the losses, accuracies and head scores, or null when all are finite. */
    static String nonFinite(InductionTrainer.Result trained, Provenance p) {
        for (double l : trained.losses()) if (!Double.isFinite(l)) return "training loss";
        if (!Double.isFinite(p.accuracyRepeated()) || !Double.isFinite(p.accuracyFirst())) return "accuracy";
        for (double[] layer : p.previousTokenScores()) for (double v : layer) if (!Double.isFinite(v)) return "previous-token head score";
        for (double[] layer : p.inductionScores()) for (double v : layer) if (!Double.isFinite(v)) return "induction head score";
        for (var t : trained.weights().tensors().entrySet()) {
            for (float v : t.getValue().data()) if (!Float.isFinite(v)) return "weight in " + t.getKey();
        }
        return null;
    }

    private void print(TrainingConfig config, InductionTrainer.Result trained, InductionEvaluation eval, InductionHeads heads,
                       Provenance provenance, double seconds) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("task", INDUCTION);
        result.put("seed", config.seed());
        result.put("steps", config.steps());
        result.put("seconds", provenance.seconds());
        result.put("initial_loss", trained.initialLoss());
        result.put("final_loss", trained.finalLoss());
        result.put("accuracy_repeated", eval.accuracy().repeated());
        result.put("accuracy_first", eval.accuracy().first());
        result.put("prev_token_heads", heads.previousTokenHeads());
        result.put("induction_heads", heads.inductionHeads());
        result.put("canonical_circuit", heads.canonicalCircuit());
        result.put("out", out == null ? null : out.toString());
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(result));
        } else {
            o.printf("trained induction model: %d steps, seed %d, %.1f s; loss %.3f -> %.3f%n", config.steps(), config.seed(), seconds,
                    trained.initialLoss(), trained.finalLoss());
            o.printf("accuracy on repeated tokens %.3f, on first occurrences %.3f (%d held-out sequences)%n",
                    eval.accuracy().repeated(), eval.accuracy().first(), InductionEvaluation.SEQUENCES);
            o.printf("previous-token heads %s, induction heads %s%n", heads.previousTokenHeads(), heads.inductionHeads());
            o.printf(out == null ? "not saved (no --out)%n" : "saved to %s%n", out);
        }
        o.flush();
    }

    private String command() {
        return "bin/acdc train induction --seed " + seed + (steps == null ? "" : " --steps " + steps) + (tiny ? " --tiny" : "")
                + (out == null ? "" : " --out " + out);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
