package dev.acdc.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import com.google.gson.GsonBuilder;
import dev.acdc.patching.load.CheckpointInspection;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.LoadedModel;
import dev.acdc.patching.load.MemoryCheck;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelFootprint;
import dev.acdc.patching.model.TransformerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code acdc model-info --model <name|dir> [--prompt TEXT | --prompt-ids 1,2,3] [--tokenizer DIR] [--json]}:
 * a model's config and parameter count, and with a prompt the top-5 next tokens.
 *
 * <p>{@code --model} is a preset ({@code gpt2-small}, {@code attn-only-2l}, {@code attn-only-4l}, {@code pythia-70m},
 * {@code pythia-160m}, {@code qwen2.5-0.5b}, {@code llama-3.2-1b}, {@code gemma-2-2b}: config only, no weights), a model
 * directory (Hugging Face GPT-2, GPT-NeoX, Llama, Qwen2, Gemma, Gemma 2, or acdc-jvm), or a Hugging Face model id
 * resolved through the HF cache and, when absent, downloaded into it ({@link ModelResolver}). The report includes
 * the architecture and the memory its weights take once loaded; loading a large model states that footprint on
 * stderr first, and a model that cannot fit is refused in one line (exit 2).
 */
@Command(name = "model-info",
        mixinStandardHelpOptions = true,
        description = "Print a model's config and parameter count; with --prompt, its top-5 next tokens.")
public final class ModelInfoCommand implements Callable<Integer> {
    static final int TOP_K = 5;

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "a preset (gpt2-small, attn-only-2l, attn-only-4l, pythia-70m, pythia-160m, qwen2.5-0.5b, llama-3.2-1b,"
                    + " gemma-2-2b: configs only), a model directory, or a Hugging Face model id (e.g. gpt2)")
    String model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "text whose next token to predict (needs a tokenizer)")
    String prompt;

    @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", description = "token ids whose next token to predict, e.g. 1,2,3")
    int[] promptIds;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "directory with tokenizer.json or vocab.json + merges.txt (default: the model's own)")
    Path tokenizerDir;

    @Option(names = "--hf-cache", paramLabel = "DIR", description = "Hugging Face hub cache (default: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub)")
    Path hfCache;

    @Option(names = "--offline", description = "never download; use directories and the Hugging Face cache only")
    boolean offline;

    @Option(names = "--json", description = "print one JSON object (keys n_layers, n_heads, n_key_value_heads, d_model, d_head, d_mlp,"
            + " d_vocab, n_ctx, parameters, parameter_convention, architecture, memory, top_tokens). The parameter count of a checkpoint"
            + " is read from its weights files, as Hugging Face counts it (unique tensors, tied embeddings once, buffers excluded:"
            + " 124,439,808 for GPT-2 small)")
    boolean json;

    @Spec
    CommandSpec spec;

    /** One predicted next token. */
    record TopToken(String token, int id, double logit) {}

    @Override
    public Integer call() {
        if (prompt != null && promptIds != null) throw new BadInputException("--prompt and --prompt-ids exclude each other; give one");
        boolean wantsPrompt = prompt != null || promptIds != null;

        Optional<TransformerConfig> preset = Presets.byName(model);
        TransformerConfig config;
        LoadedModel loaded = null;
        Path dir = null;
        long parameters;
        String convention;
        if (preset.isPresent()) {
            if (wantsPrompt) {
                throw new BadInputException("--model " + model + " is a preset config without weights; to run a prompt give a model directory"
                        + " or a Hugging Face model id (e.g. --model gpt2)");
            }
            config = preset.get();
            parameters = config.parameterCount();
            convention = PRESET_CONVENTION;
        } else {
            dir = resolver().resolve(model);
            if (wantsPrompt) {
                // a model that cannot be loaded is refused first, by its size alone, whatever its files hold
                TransformerConfig declared = ModelDirectory.readConfig(dir);
                MemoryCheck.check(declared.name(), ModelFootprint.of(declared), MemoryCheck.probe());
            }
            // header, sizes and every shape checked against the config, prompt or not; the count is the weights'
            CheckpointInspection.Summary checked = CheckpointInspection.inspect(dir);
            parameters = checked.parameters();
            convention = checked.convention();
            if (wantsPrompt) {
                PrintWriter err = spec.commandLine().getErr();
                loaded = ModelDirectory.load(dir, notice -> {
                    err.println("acdc: " + notice);
                    err.flush();
                });
                config = loaded.config();
            } else {
                config = checked.config();
            }
        }

        List<TopToken> top = null;
        int[] ids = null;
        if (wantsPrompt) {
            try (TextTokenizer tokenizer = openTokenizer(dir)) {
                ids = prompt != null ? tokenizer.encode(prompt) : promptIds;
                checkIds(ids, config);
                top = topTokens(loaded, ids, tokenizer);
            }
        }
        print(config, dir, parameters, convention, ids, top);
        return 0;
    }

    /** A preset has no weights: its count follows from the config, with TransformerLens's separate W_U and b_U. */
    static final String PRESET_CONVENTION = "computed from the config (TransformerLens: W_U and b_U counted as their own tensors)";

    private ModelResolver resolver() {
        ModelResolver r = ModelResolver.fromEnvironment().withOffline(offline);
        return hfCache != null ? r.withCacheDir(hfCache) : r;
    }

    /** The tokenizer from --tokenizer, else the model's own; null-safe for --prompt-ids without one. */
    private TextTokenizer openTokenizer(Path modelDir) {
        if (tokenizerDir != null) return HfTokenizer.fromDirectory(tokenizerDir);
        if (modelDir != null && HfTokenizer.hasTokenizer(modelDir)) return HfTokenizer.fromDirectory(modelDir);
        if (prompt != null) {
            throw new BadInputException("--prompt needs a tokenizer, and model " + model + " has none (no tokenizer.json, nor vocab.json + merges.txt in "
                    + modelDir + "); pass --tokenizer DIR or give token ids with --prompt-ids");
        }
        return new TextTokenizer() { // ids only: tokens shown as their ids
            @Override public int[] encode(String text) { throw new UnsupportedOperationException(); }
            @Override public String decode(int[] ids) { return Arrays.toString(ids); }
            @Override public String tokenString(int id) { return null; }
        };
    }

    private void checkIds(int[] ids, TransformerConfig c) {
        String flag = prompt != null ? "--prompt" : "--prompt-ids";
        if (ids.length == 0) throw new BadInputException(flag + " gives no tokens; expected at least one");
        if (ids.length > c.nCtx()) {
            throw new BadInputException(flag + " gives " + ids.length + " tokens, more than the model's context of " + c.nCtx());
        }
        for (int id : ids) {
            if (id < 0 || id >= c.dVocab()) {
                throw new BadInputException(flag + " has token id " + id + ", outside the model's vocabulary of " + c.dVocab()
                        + " tokens (ids 0.." + (c.dVocab() - 1) + ")" + (prompt != null ? "; is the tokenizer the model's own?" : ""));
            }
        }
    }

    private static List<TopToken> topTokens(LoadedModel m, int[] ids, TextTokenizer tokenizer) {
        float[] last;
        try (HookedTransformer t = new HookedTransformer(m.weights()); NDManager scope = NDManager.newBaseManager()) {
            NDArray logits = t.forward(scope, new int[][] {ids}); // [1, P, V]
            last = logits.get(new NDIndex("0, -1, :")).toFloatArray(); // [V]
        }
        Integer[] order = new Integer[last.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(last[b], last[a]));
        List<TopToken> out = new ArrayList<>();
        for (int i = 0; i < Math.min(TOP_K, order.length); i++) {
            int id = order[i];
            out.add(new TopToken(tokenizer.tokenString(id), id, last[id]));
        }
        return out;
    }

    private void print(TransformerConfig c, Path dir, long parameters, String convention, int[] ids, List<TopToken> top) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", c.name());
            if (dir != null) m.put("directory", dir.toString());
            m.put("n_layers", c.nLayers());
            m.put("n_heads", c.nHeads());
            m.put("n_key_value_heads", c.nKeyValueHeads());
            m.put("d_model", c.dModel());
            m.put("d_head", c.dHead());
            m.put("d_mlp", c.dMlp());
            m.put("d_vocab", c.dVocab());
            m.put("n_ctx", c.nCtx());
            m.put("parameters", parameters);
            m.put("parameter_convention", convention);
            m.put("architecture", ArchitectureSummary.of(c).asMap());
            ModelFootprint f = ModelFootprint.of(c);
            Map<String, Object> memory = new LinkedHashMap<>();
            memory.put("heap_bytes", f.heapBytes());
            memory.put("native_bytes", f.nativeBytes());
            m.put("memory", memory);
            if (top != null) {
                m.put("prompt_ids", ids);
                List<Map<String, Object>> tt = new ArrayList<>();
                for (TopToken t : top) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("token", t.token());
                    e.put("id", t.id());
                    e.put("logit", t.logit());
                    tt.add(e);
                }
                m.put("top_tokens", tt);
            }
            out.println(new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(m));
        } else {
            out.printf("model        %s%s%n", c.name(), dir == null ? " (preset, no weights)" : " (" + dir + ")");
            out.printf("layers       %d%n", c.nLayers());
            out.printf("heads        %d (d_head %d)%s%n", c.nHeads(), c.dHead(),
                    c.nKeyValueHeads() == c.nHeads() ? "" : ", " + c.nKeyValueHeads() + " key/value heads");
            out.printf("d_model      %d%n", c.dModel());
            out.printf("d_mlp        %s%n", c.attentionOnly() ? "0 (attention-only)" : Integer.toString(c.dMlp()));
            out.printf("vocab        %d%n", c.dVocab());
            out.printf("context      %d%n", c.nCtx());
            out.printf("parameters   %,d (%s)%n", parameters, convention);
            out.printf("architecture %s%n", ArchitectureSummary.of(c).line());
            ModelFootprint f = ModelFootprint.of(c);
            out.printf("memory       %s Java heap, %s native (weights)%n", ModelFootprint.human(f.heapBytes()), ModelFootprint.human(f.nativeBytes()));
            if (top != null) {
                out.printf("prompt ids   %s%n", Arrays.toString(ids));
                out.printf("top %d next tokens:%n", top.size());
                for (int i = 0; i < top.size(); i++) {
                    TopToken t = top.get(i);
                    String tok = t.token() == null ? "" : "  " + quote(t.token());
                    out.printf(Locale.ROOT, "  %d. id %-6d logit %8.4f%s%n", i + 1, t.id(), t.logit(), tok);
                }
            }
        }
        out.flush();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r").replace("\"", "\\\"") + "\"";
    }
}
