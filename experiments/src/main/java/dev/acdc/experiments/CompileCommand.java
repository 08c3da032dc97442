package dev.acdc.experiments;

import com.google.gson.GsonBuilder;
import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.compiler.ModelFiles;
import dev.acdc.tracr.compiler.RaspCompiler;
import dev.acdc.tracr.compiler.ReferenceForward;
import dev.acdc.tracr.lib.Library;
import dev.acdc.tracr.rasp.Evaluator;
import dev.acdc.tracr.rasp.RaspEvaluationException;
import dev.acdc.tracr.rasp.SOp;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code acdc compile}: compiles a library RASP program and prints the model's shape, residual labels
 * and ground-truth circuit; with {@code --input}, the model's and the evaluator's outputs (per input
 * position, BOS excluded); with {@code --out}, saves the model ({@link ModelFiles}).
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = "Compile a RASP library program into a transformer with a known circuit.")
public final class CompileCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--program", required = true, paramLabel = "NAME",
            description = "library program: ${COMPLETION-CANDIDATES}", completionCandidates = ProgramNames.class)
    String program;

    /**
     * Compilation grows with vocabulary × length: at 64 × 64 the largest library programs (sort, sort_freq) take
     * about a minute and 2.7 GB of heap; sort at 256 values × 64 ran out of a 4 GB heap, sort_freq at length 128 too.
     */
    public static final int MAX_VOCAB = 64;
    public static final int MAX_SEQ_LEN = 64;

    @Option(names = "--vocab", split = ",", paramLabel = "a,b,c",
            description = "vocabulary, 1 to " + MAX_VOCAB + " distinct values (values that parse as integers are integers); default: the program's")
    List<String> vocab;

    @Option(names = "--max-seq-len", paramLabel = "N", description = "maximum input length, 1 to " + MAX_SEQ_LEN + "; default: the program's")
    Integer maxSeqLen;

    @Option(names = "--input", split = ",", paramLabel = "x,y,z", description = "an input to run through the model and the evaluator")
    List<String> input;

    @Option(names = "--out", paramLabel = "DIR", description = "save safetensors, config and ground truth JSON here")
    Path out;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Option(names = "--arg", paramLabel = "NAME=VALUE", description = "program parameter (repeatable, each name once), e.g. token=x, offset=1")
    List<String> argPairs = new ArrayList<>();

    /** Lists the registered program names for the help text. */
    static final class ProgramNames extends ArrayList<String> {
        ProgramNames() {
            super(Library.names());
        }
    }

    @Override
    public Integer call() {
        Library.Entry entry;
        try {
            entry = Library.get(program);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--program: " + e.getMessage());
        }
        List<Object> vocabulary = vocab == null ? entry.defaultVocab()
                : parse(StrictParsing.distinct("--vocab", vocab, MAX_VOCAB, v -> dev.acdc.tracr.rasp.Values.normalize(Library.value(v))));
        int n = maxSeqLen == null ? entry.defaultMaxSeqLen() : maxSeqLen;
        if (n < 1 || n > MAX_SEQ_LEN) throw new BadInputException("--max-seq-len " + n + ": expected 1 to " + MAX_SEQ_LEN);
        Map<String, String> args = StrictParsing.pairs("--arg", argPairs);
        // before compiling; the model's own four files are replaced in an existing directory, nothing else is touched
        if (out != null) dev.acdc.experiments.output.OutputDirectory.check("--out", out, name -> true, "a compiled model");
        SOp sop;
        try {
            sop = entry.build(args, n);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--arg: " + e.getMessage());
        }
        List<Object> normalizedVocab = vocabulary.stream().map(dev.acdc.tracr.rasp.Values::normalize).toList();
        for (Object t : Library.referencedTokens(program, args)) {
            if (!normalizedVocab.contains(dev.acdc.tracr.rasp.Values.normalize(t))) {
                throw new BadInputException("--arg: program " + program + " refers to token '" + t
                        + "', which is not in the vocabulary " + vocabulary + "; add it with --vocab");
            }
        }
        CompiledModel m = RaspCompiler.compile(program, sop, vocabulary, n);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("program", program);
        result.put("layers", m.config().nLayers());
        result.put("heads", m.config().nHeads());
        result.put("d_model", m.config().dModel());
        result.put("mlp_hidden", m.config().dMlp());
        result.put("residual_labels", m.residualLabels());
        result.put("ground_truth", m.groundTruth().toEdgeStrings());
        String raspError = null;
        if (input != null) {
            for (int i = 0; i < input.size(); i++) {
                if (input.get(i).isEmpty()) throw new BadInputException("--input: item " + (i + 1) + " is empty");
            }
            List<Object> in = parse(input);
            for (Object v : in) {
                if (!m.encoder().vocab().contains(v)) {
                    throw new BadInputException("--input: value '" + v + "' is not in the vocabulary " + m.encoder().vocab());
                }
            }
            if (in.size() > n) throw new BadInputException("--input: length " + in.size() + " exceeds --max-seq-len " + n);
            result.put("model_output", ReferenceForward.run(m, in));
            try {
                result.put("rasp_output", Evaluator.evaluate(m.output(), in));
            } catch (RaspEvaluationException e) {
                result.put("rasp_output", null);
                raspError = e.getMessage();
                result.put("rasp_error", raspError);
            }
        }
        if (out != null) ModelFiles.save(m, out);

        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(new GsonBuilder().serializeNulls().disableHtmlEscaping().create().toJson(result));
        } else {
            o.printf("program: %s%n", program);
            o.printf("layers: %d  heads: %d  d_model: %d  mlp_hidden: %d  d_head: %d%n", m.config().nLayers(),
                    m.config().nHeads(), m.config().dModel(), m.config().dMlp(), m.config().dHead());
            o.printf("residual labels: %s%n", String.join(", ", m.residualLabels()));
            o.printf("components:%n");
            m.groundTruth().componentNodes().forEach((c, nodes) -> o.printf("  %s implements %s%n", c, String.join(", ", nodes)));
            o.printf("ground truth (%d edges):%n", m.groundTruth().toEdgeStrings().size());
            for (String e : m.groundTruth().toEdgeStrings()) o.printf("  %s%n", e);
            if (input != null) {
                o.printf("model output: %s%n", render((List<?>) result.get("model_output")));
                o.printf("rasp output:  %s%n", raspError == null ? render((List<?>) result.get("rasp_output")) : "error: " + raspError);
            }
            if (out != null) o.printf("saved to %s%n", out);
        }
        for (String w : m.warnings()) spec.commandLine().getErr().println("acdc: warning: " + w);
        o.flush();
        return 0;
    }

    private static List<Object> parse(List<String> values) {
        List<Object> out = new ArrayList<>();
        for (String v : values) out.add(Library.value(v));
        return out;
    }

    private static String render(List<?> values) {
        return values.stream().map(v -> v == null ? "None" : String.valueOf(v)).collect(Collectors.joining(","));
    }
}
