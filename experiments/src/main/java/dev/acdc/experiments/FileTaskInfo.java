package dev.acdc.experiments;

import dev.acdc.datasets.file.Example;
import dev.acdc.datasets.file.FileExamples;
import dev.acdc.datasets.file.FileTask;
import dev.acdc.datasets.file.FileTaskDefinition;
import dev.acdc.datasets.file.Prompt;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.TextTokenizer;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code task-info --task file:PATH --model M} prints: the file checked against the model (every refusal a
 * {@code TaskFileException}, exit 2), its size and lengths, the metrics it offers, its scored positions, its ground
 * truth and its first examples. Reads the model's configuration, never its weights.
 */
final class FileTaskInfo {
    private FileTaskInfo() {}

    /** The same keys as the built-in tasks' {@code --json} where they mean the same (task, size, seq_len, metrics, examples). */
    static Map<String, Object> describe(FileTaskDefinition d, int examples) {
        FileExamples e = d.examples();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("task", d.name());
        info.put("file", d.file().path().toString());
        info.put("model", d.modelDir().toString());
        info.put("tokenizer", d.tokenizerDir() == null ? null : d.tokenizerDir().toString());
        info.put("size", e.size());
        info.put("seq_len", e.maxLength());
        info.put("min_len", e.minLength());
        info.put("padded", e.padded());
        info.put("scored_positions", e.scoredCount());
        info.put("metrics", metrics(d));
        info.put("default_metric", d.metricNames().get(0));
        String gt = d.groundTruths().isEmpty() ? null : d.groundTruths().keySet().iterator().next();
        info.put("ground_truth", gt);
        info.put("ground_truth_edges", gt == null ? null : d.groundTruths().get(gt).size());
        List<Map<String, Object>> shown = new ArrayList<>();
        try (TextTokenizer tok = d.tokenizerDir() == null ? null : HfTokenizer.fromDirectory(d.tokenizerDir())) {
            for (int i = 0; i < Math.min(examples, e.size()); i++) {
                FileExamples.Encoded enc = e.examples().get(i);
                Example written = d.file().examples().get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("line", enc.line());
                m.put("clean", text(written.clean(), enc.clean(), tok));
                m.put("corrupted", text(written.corrupted(), enc.corrupted(), tok));
                m.put("clean_ids", enc.clean());
                m.put("corrupted_ids", enc.corrupted());
                m.put("positions", enc.positions());
                if (e.hasAnswers()) {
                    m.put("answer", enc.answer());
                    m.put("wrong_answer", enc.wrongAnswer());
                }
                shown.add(m);
            }
        }
        info.put("examples", shown);
        return info;
    }

    /** The text as written, else the ids decoded when there is a tokenizer, else null. */
    private static String text(Prompt written, int[] ids, TextTokenizer tok) {
        if (written instanceof Prompt.Text t) return t.text();
        return tok == null ? null : tok.decode(ids);
    }

    private static Map<String, String> metrics(FileTaskDefinition d) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : d.metricNames()) {
            m.put(name, switch (name) {
                case FileTask.KL -> "KL(clean || patched) of the next-token distribution, averaged over the scored positions";
                case FileTask.LOGIT_DIFF -> "-(logit[answer] - logit[wrong_answer]) at each example's scored position";
                case FileTask.PROB_DIFF -> "-(p[answer] - p[wrong_answer]) at each example's scored position";
                default -> throw new IllegalStateException("no description for metric " + name);
            });
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static void printText(Map<String, Object> info, PrintWriter out) {
        out.printf("task              %s%n", info.get("task"));
        out.printf("model             %s%n", info.get("model"));
        out.printf("tokenizer         %s%n", info.get("tokenizer") == null ? "none" : info.get("tokenizer"));
        out.printf("examples          %d%n", (Integer) info.get("size"));
        out.printf("sequence length   %s%n", (boolean) info.get("padded")
                ? info.get("min_len") + " to " + info.get("seq_len") + " tokens (padded on the right to " + info.get("seq_len") + ", masked)"
                : info.get("seq_len") + " tokens");
        out.printf("scored positions  %d%n", (Integer) info.get("scored_positions"));
        out.println("metrics (lower is better; the first is the default):");
        ((Map<String, String>) info.get("metrics")).forEach((k, v) -> out.printf("  %-12s %s%n", k, v));
        out.printf("ground truth      %s%n", info.get("ground_truth") == null ? "none (no TPR/FPR; pass --ground-truth FILE to discover or roc)"
                : info.get("ground_truth") + ", " + info.get("ground_truth_edges") + " edges");
        for (Map<String, Object> e : (List<Map<String, Object>>) info.get("examples")) {
            out.printf("line %d%n", (Integer) e.get("line"));
            out.printf("  clean      %s%s%n", e.get("clean") == null ? "" : TaskInfoCommand.quote((String) e.get("clean")) + " ",
                    Arrays.toString((int[]) e.get("clean_ids")));
            out.printf("  corrupted  %s%s%n", e.get("corrupted") == null ? "" : TaskInfoCommand.quote((String) e.get("corrupted")) + " ",
                    Arrays.toString((int[]) e.get("corrupted_ids")));
            out.printf("  scored at  %s%s%n", Arrays.toString((int[]) e.get("positions")),
                    e.containsKey("answer") ? ", answer " + e.get("answer") + ", wrong answer " + e.get("wrong_answer") : "");
        }
        out.flush();
    }
}
