package dev.acdc.experiments;

import com.google.gson.GsonBuilder;
import dev.acdc.datasets.EdgeNotation;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.datasets.file.FileTaskDefinition;
import dev.acdc.datasets.gpt2.CanonicalCircuit;
import dev.acdc.datasets.gpt2.DocstringCircuit;
import dev.acdc.datasets.gpt2.DocstringPrompt;
import dev.acdc.datasets.gpt2.DocstringTask;
import dev.acdc.datasets.gpt2.DocstringTokens;
import dev.acdc.datasets.gpt2.GreaterThanCircuit;
import dev.acdc.datasets.gpt2.GreaterThanPrompt;
import dev.acdc.datasets.gpt2.GreaterThanTask;
import dev.acdc.datasets.gpt2.GreaterThanTokens;
import dev.acdc.datasets.gpt2.IoiCircuit;
import dev.acdc.datasets.gpt2.IoiPrompt;
import dev.acdc.datasets.gpt2.IoiTask;
import dev.acdc.datasets.gpt2.IoiTokens;
import dev.acdc.datasets.gpt2.TokenizedPair;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.load.TextTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code acdc task-info --task T [--model M] [--tokenizer DIR] [--prompts N] [--json]}: a task's dataset (size,
 * sequence length, three example clean/corrupted prompts with their token ids), its metrics, and its canonical
 * circuit's edge and node counts in the real model's graph ({@code gpt2-small}, or {@code attn-only-4l} for docstring).
 * Nodes are counted as {@link CircuitGraph} counts them: the endpoints of the circuit's edges, a head's q, k and v
 * inputs (and q, k, v) being nodes of their own.
 *
 * <p>Needs a tokenizer, never weights. IOI and greater-than take it from {@code --tokenizer DIR}, else from the model
 * directory ({@code --model DIR}, or {@code gpt2} when it is already in the Hugging Face cache; nothing is
 * downloaded). Docstring without a tokenizer prints the prompts as text (no ids, no sequence length).
 *
 * <p>{@code --task file:PATH --model M} checks a task file against the model's configuration and tokenizer, as
 * {@code discover} would, and describes it ({@link FileTaskInfo}); a file that passes here is accepted there.
 */
@Command(name = "task-info",
        mixinStandardHelpOptions = true,
        description = "Print a task's dataset (size, sequence length, example prompts with token ids), metrics and canonical circuit size.")
public final class TaskInfoCommand implements Callable<Integer> {
    static final int EXAMPLES = 3;

    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = "a task (listed below); or file:PATH (a JSON Lines file of prompts, checked against --model)")
    String task;

    @Option(names = "--model", paramLabel = "MODEL",
            description = "model directory or Hugging Face id whose tokenizer to use (default: gpt2 for ioi and greater-than, attn-only-4l for docstring)")
    String model;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "directory with tokenizer.json or vocab.json + merges.txt")
    Path tokenizerDir;

    @Option(names = "--prompts", paramLabel = "N",
            description = "number of prompts, 1 to the size of ACDC's dataset (200 for ioi and greater-than, 100 for docstring);"
                    + " default: ACDC's validation split")
    Integer prompts;

    @Option(names = "--hf-cache", paramLabel = "DIR", description = "Hugging Face hub cache (default: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)")
    Path hfCache;

    @Option(names = "--json", description = "print one JSON object (keys task, size, seq_len, metrics, examples, canonical_edges, canonical_nodes)")
    boolean json;

    @Spec
    CommandSpec spec;

    /** One example: texts, and ids when a tokenizer was given. */
    record Example(String clean, String corrupted, int[] cleanIds, int[] corruptedIds) {}

    @Override
    public Integer call() {
        if (FileTaskDefinition.isFileTask(task)) return fileTask();
        if (!Tasks.names().contains(task)) {
            throw new BadInputException("--task '" + task + "' is not a task; expected one of " + Tasks.names() + ", or file:PATH");
        }
        if (task.startsWith("tracr-") || task.equals(dev.acdc.datasets.induction.InductionTask.NAME)) return builtTask();
        int n = prompts != null ? prompts : defaultPrompts(task);
        int max = 2 * defaultPrompts(task);   // the validation split is half of ACDC's dataset
        if (n < 1 || n > max) throw new BadInputException("--prompts " + n + ": expected 1 to " + max + " (the size of ACDC's " + task + " dataset)");

        Map<String, Object> info = new LinkedHashMap<>();
        info.put("task", task);
        Path tokDir = tokenizerDirectory();
        info.put("tokenizer", tokDir == null ? null : tokDir.toString());
        List<Example> examples = new ArrayList<>();
        Integer seqLen = null;
        int size;
        try (TextTokenizer tok = tokDir == null ? null : HfTokenizer.fromDirectory(tokDir)) {
            switch (task) {
                case IoiTask.NAME -> {
                    List<IoiTokens> t = IoiTask.tokens(tok, n);
                    List<IoiPrompt> p = IoiTask.prompts(n);
                    size = t.size();
                    seqLen = t.get(0).inputs().length();
                    for (int i = 0; i < Math.min(EXAMPLES, size); i++) {
                        examples.add(example(p.get(i).cleanInput(), p.get(i).corruptedInput(), t.get(i).inputs()));
                    }
                }
                case GreaterThanTask.NAME -> {
                    List<GreaterThanTokens> t = GreaterThanTask.tokens(tok, n);
                    List<GreaterThanPrompt> p = GreaterThanTask.prompts(tok, n);
                    size = t.size();
                    seqLen = t.get(0).inputs().length();
                    for (int i = 0; i < Math.min(EXAMPLES, size); i++) {
                        examples.add(example(p.get(i).text(), p.get(i).corruptedText(), t.get(i).inputs()));
                    }
                }
                default -> {
                    List<DocstringPrompt> p = DocstringTask.prompts(n);
                    List<DocstringTokens> t = tok == null ? null : DocstringTask.tokens(tok, DocstringTask.bosTokenId(tok), n);
                    size = p.size();
                    if (t != null) seqLen = t.get(0).inputs().length();
                    for (int i = 0; i < Math.min(EXAMPLES, size); i++) {
                        examples.add(t == null ? new Example(p.get(i).cleanText(), p.get(i).corruptedText(), null, null)
                                : example(p.get(i).cleanText(), p.get(i).corruptedText(), t.get(i).inputs()));
                    }
                }
            }
        }
        info.put("size", size);
        info.put("seq_len", seqLen);
        info.put("metrics", metrics(task));
        info.put("examples", examples.stream().map(TaskInfoCommand::toMap).toList());
        CanonicalCircuit c = canonical(task);
        String preset = task.equals(DocstringTask.NAME) ? Presets.ATTN_ONLY_4L : Presets.GPT2_SMALL;
        CircuitGraph g = CircuitGraph.of(Presets.byName(preset).orElseThrow());
        Set<Node> nodes = new HashSet<>();
        List<String> edges = EdgeNotation.toGraph(c.edgeStrings());
        for (String e : edges) {
            Edge edge = g.edge(e);
            nodes.add(edge.sender());
            nodes.add(edge.receiver());
        }
        info.put("canonical_graph", preset);
        info.put("canonical_edges", edges.size());
        info.put("canonical_nodes", nodes.size());
        print(info, examples);
        return 0;
    }

    /**
     * The tasks whose model is compiled (tracr) or shipped (induction): built as {@code discover} builds them, and
     * described from the task itself: its token ids (these tasks have no text), metrics and ground truth.
     */
    private int builtTask() {
        if (prompts != null) throw new BadInputException("--prompts " + prompts + ": task " + task + " has a fixed dataset");
        TaskOptions o = TaskOptions.defaults().withModel(model).withTokenizerDir(tokenizerDir).withOffline(true);
        dev.acdc.datasets.Task t = Tasks.get(task, o, cache());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("task", t.name());
        info.put("description", t.description());
        info.put("model", t.weights().config().name());
        info.put("size", t.clean().batch());
        info.put("seq_len", t.clean().length());
        Map<String, String> metrics = new LinkedHashMap<>();
        for (String m : t.metricNames()) metrics.put(m, builtMetric(m));
        info.put("metrics", metrics);
        info.put("default_metric", t.metricNames().get(0));
        List<Map<String, Object>> examples = new ArrayList<>();
        for (int i = 0; i < Math.min(EXAMPLES, t.clean().batch()); i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("clean_ids", t.clean().tokens()[i]);
            e.put("corrupted_ids", t.corrupted().tokens()[i]);
            examples.add(e);
        }
        info.put("examples", examples);
        String gt = t.defaultGroundTruth();
        CircuitGraph g = CircuitGraph.of(t.weights().config());
        Set<Node> nodes = new HashSet<>();
        List<String> edges = gt == null ? List.of() : t.groundTruths().get(gt);
        for (String e : edges) {
            Edge edge = g.edge(e);
            nodes.add(edge.sender());
            nodes.add(edge.receiver());
        }
        info.put("ground_truth", gt);
        info.put("canonical_graph", t.weights().config().name());
        info.put("canonical_edges", edges.size());
        info.put("canonical_nodes", nodes.size());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(info));
        } else {
            out.printf("task              %s%n", info.get("task"));
            out.printf("description       %s%n", info.get("description"));
            out.printf("model             %s%n", info.get("model"));
            out.printf("prompts           %d%n", (Integer) info.get("size"));
            out.printf("sequence length   %d%n", (Integer) info.get("seq_len"));
            out.println("metrics (lower is better; the first is the default):");
            metrics.forEach((k, v) -> out.printf("  %-12s %s%n", k, v));
            out.printf("canonical circuit %d edges, %d nodes (ground truth %s, in the %s graph)%n", edges.size(), nodes.size(), gt,
                    info.get("canonical_graph"));
            for (int i = 0; i < examples.size(); i++) {
                out.printf("example %d%n", i);
                out.printf("  clean      %s%n", Arrays.toString((int[]) examples.get(i).get("clean_ids")));
                out.printf("  corrupted  %s%n", Arrays.toString((int[]) examples.get(i).get("corrupted_ids")));
            }
        }
        out.flush();
        return 0;
    }

    private static String builtMetric(String name) {
        return switch (name) {
            case "l2" -> "mean of (patched - clean)^2 over the batch, positions 1.. and output dimensions";
            case "kl" -> "KL(clean || patched) of the output distribution at the scored positions";
            case "nll" -> "negative log-likelihood of the next token at the predictable (repeated) positions";
            default -> "";
        };
    }

    /** A task file checked against the model's configuration and tokenizer (nothing downloaded, no weights loaded). */
    private int fileTask() {
        if (prompts != null) throw new BadInputException("--prompts " + prompts + ": a file task has the examples of its file");
        if (model == null) throw new BadInputException("task " + task + " needs --model: the file's ids and lengths are checked against it");
        TaskOptions o = TaskOptions.defaults().withModel(model).withTokenizerDir(tokenizerDir).withOffline(true);
        Map<String, Object> info = FileTaskInfo.describe(FileTaskDefinition.define(task, o, cache()), EXAMPLES);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(info));
            out.flush();
        } else {
            FileTaskInfo.printText(info, out);
        }
        return 0;
    }

    private static int defaultPrompts(String task) {
        return switch (task) {
            case IoiTask.NAME -> IoiTask.DEFAULT_PROMPTS;
            case GreaterThanTask.NAME -> GreaterThanTask.DEFAULT_PROMPTS;
            default -> DocstringTask.DEFAULT_PROMPTS;
        };
    }

    private static CanonicalCircuit canonical(String task) {
        return switch (task) {
            case IoiTask.NAME -> IoiCircuit.canonical();
            case GreaterThanTask.NAME -> GreaterThanCircuit.canonical();
            default -> DocstringCircuit.canonical();
        };
    }

    private static Map<String, String> metrics(String task) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kl", "KL(clean || patched) of the next-token distribution at the last position (default)");
        switch (task) {
            case IoiTask.NAME -> m.put(IoiTask.LOGIT_DIFF, "-(logit[IO] - logit[S]) at the last position");
            case GreaterThanTask.NAME -> m.put(GreaterThanTask.PROB_DIFF,
                    "-(sum p(YY' > YY) - sum p(YY' <= YY)) over the tokens 00..99 at the last position");
            default -> m.put(DocstringTask.LOGIT_DIFF, "-(logit[correct arg] - max logit[wrong args]) at the last position");
        }
        return m;
    }

    /** --tokenizer, else a tokenizer in the model directory (a path, or a cached hub snapshot); null for docstring without one. */
    private Path tokenizerDirectory() {
        if (tokenizerDir != null) {
            if (!HfTokenizer.hasTokenizer(tokenizerDir)) {
                throw new BadInputException("--tokenizer " + tokenizerDir + ": expected a directory with " + HfTokenizer.TOKENIZER_JSON
                        + " or " + HfTokenizer.VOCAB_JSON + " + " + HfTokenizer.MERGES_TXT + "; found " + (Files.isDirectory(tokenizerDir)
                        ? "neither" : "no such directory"));
            }
            return tokenizerDir;
        }
        String m = model != null ? model : Tasks.defaultModel(task);
        Optional<Path> dir = modelDirectory(m);
        if (dir.isPresent() && HfTokenizer.hasTokenizer(dir.get())) return dir.get();
        if (task.equals(DocstringTask.NAME)) return null;
        throw new BadInputException("task " + task + " needs a GPT-2 tokenizer to build its prompts: "
                + (dir.isPresent() ? "model directory " + dir.get() + " has none" : "model '" + m + "' is not a directory nor in the Hugging Face cache "
                + cache().cacheDir()) + "; pass --tokenizer DIR (a directory with tokenizer.json, or vocab.json + merges.txt)");
    }

    private Optional<Path> modelDirectory(String m) {
        Path p = Path.of(m);
        if (Files.isDirectory(p)) return Optional.of(p);
        try {
            return cache().findInCache(m);
        } catch (RuntimeException notAHubId) {
            return Optional.empty();
        }
    }

    private ModelResolver cache() {
        ModelResolver r = ModelResolver.fromEnvironment().withOffline(true);
        return hfCache != null ? r.withCacheDir(hfCache) : r;
    }

    private static Example example(String clean, String corrupted, TokenizedPair ids) {
        return new Example(clean, corrupted, ids.clean(), ids.corrupted());
    }

    private static Map<String, Object> toMap(Example e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clean", e.clean());
        m.put("corrupted", e.corrupted());
        if (e.cleanIds() != null) {
            m.put("clean_ids", e.cleanIds());
            m.put("corrupted_ids", e.corruptedIds());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private void print(Map<String, Object> info, List<Example> examples) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(info));
        } else {
            out.printf("task              %s%n", info.get("task"));
            out.printf("prompts           %d%n", (Integer) info.get("size"));
            out.printf("sequence length   %s%n", info.get("seq_len") == null ? "unknown (no tokenizer; pass --tokenizer DIR)" : info.get("seq_len"));
            out.printf("tokenizer         %s%n", info.get("tokenizer") == null ? "none" : info.get("tokenizer"));
            out.println("metrics (lower is better):");
            ((Map<String, String>) info.get("metrics")).forEach((k, v) -> out.printf("  %-12s %s%n", k, v));
            out.printf("canonical circuit %d edges, %d nodes (in the %s graph)%n", (Integer) info.get("canonical_edges"),
                    (Integer) info.get("canonical_nodes"), info.get("canonical_graph"));
            for (int i = 0; i < examples.size(); i++) {
                Example e = examples.get(i);
                out.printf("example %d%n", i);
                out.printf("  clean      %s%n", quote(e.clean()));
                if (e.cleanIds() != null) out.printf("             %s%n", Arrays.toString(e.cleanIds()));
                out.printf("  corrupted  %s%n", quote(e.corrupted()));
                if (e.corruptedIds() != null) out.printf("             %s%n", Arrays.toString(e.corruptedIds()));
            }
        }
        out.flush();
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r").replace("\"", "\\\"") + "\"";
    }
}
