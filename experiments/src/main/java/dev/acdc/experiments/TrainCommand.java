package dev.acdc.experiments;

import com.google.gson.GsonBuilder;
import dev.acdc.datasets.induction.InductionEvaluation;
import dev.acdc.datasets.induction.InductionHeads;
import dev.acdc.datasets.induction.InductionModel;
import dev.acdc.datasets.induction.InductionTrainer;
import dev.acdc.datasets.induction.Provenance;
import dev.acdc.datasets.induction.TrainingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

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

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps (default: the configuration's)")
    Integer steps;

    @Option(names = "--tiny", description = "a small model and few steps, trained in seconds (for tests); it learns little")
    boolean tiny;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() {
        if (!INDUCTION.equals(task)) throw new BadInputException("train: unknown task '" + task + "'; expected induction");
        if (steps != null && steps < 1) throw new BadInputException("--steps: expected a positive integer, found " + steps);
        if (out != null && Files.exists(out) && !isEmptyDirectory(out)) {
            throw new BadInputException("--out " + out + ": already exists and is not an empty directory; choose a new directory");
        }
        TrainingConfig config = (tiny ? TrainingConfig.tiny() : TrainingConfig.defaults()).withSeed(seed);
        if (steps != null) config = config.withSteps(steps);
        PrintWriter err = spec.commandLine().getErr();

        long start = System.nanoTime();
        InductionTrainer.Result trained;
        try {
            trained = InductionTrainer.train(config, "induction-2l-attn-only", new ProgressLine(err, System.console() != null));
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
        if (out != null) saveAtomically(out, trained, provenance);

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
        return 0;
    }

    private String command() {
        return "bin/acdc train induction --seed " + seed + (steps == null ? "" : " --steps " + steps) + (tiny ? " --tiny" : "")
                + (out == null ? "" : " --out " + out);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

    private static boolean isEmptyDirectory(Path p) {
        if (!Files.isDirectory(p)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes into a temporary sibling directory, then renames it to {@code target}. */
    private static void saveAtomically(Path target, InductionTrainer.Result trained, Provenance provenance) {
        Path absolute = target.toAbsolutePath().normalize();
        Path tmp = null;
        try {
            Files.createDirectories(absolute.getParent());
            tmp = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".");
            InductionModel.save(tmp, trained.weights(), provenance);
            if (Files.isDirectory(absolute)) Files.delete(absolute);   // checked empty before training
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model directory " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) deleteRecursively(tmp);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the original error is the one to report
        }
    }

    /** Progress on stderr: a redrawn bar on a terminal, else a line every tenth of the steps. */
    private record ProgressLine(PrintWriter err, boolean terminal) implements InductionTrainer.Progress {
        @Override
        public void step(int step, int steps, double loss) {
            if (terminal) {
                int width = 30, filled = (int) ((long) width * step / steps);
                err.printf("\rtrain [%s%s] %d/%d loss %.4f", "#".repeat(filled), " ".repeat(width - filled), step, steps, loss);
                if (step == steps) err.println();
                err.flush();
            } else if (step == steps || step % Math.max(1, steps / 10) == 0) {
                err.printf("train step %d/%d loss %.4f%n", step, steps, loss);
                err.flush();
            }
        }
    }
}
