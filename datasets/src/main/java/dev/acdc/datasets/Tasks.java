package dev.acdc.datasets;

import dev.acdc.datasets.gpt2.DocstringTask;
import dev.acdc.datasets.gpt2.GreaterThanTask;
import dev.acdc.datasets.gpt2.IoiTask;
import dev.acdc.datasets.file.FileTask;
import dev.acdc.datasets.file.FileTaskDefinition;
import dev.acdc.datasets.induction.InductionModel;
import dev.acdc.datasets.induction.InductionTask;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.patching.load.HfTokenizer;
import dev.acdc.patching.load.LoadedModel;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.load.ModelLoadException;
import dev.acdc.patching.load.ModelResolver;
import dev.acdc.patching.load.Presets;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.TransformerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tasks by CLI name.
 *
 * <p>GPT-2 tasks resolve their model with {@link ModelResolver} (a directory path is used as given; {@code gpt2}
 * comes from the Hugging Face cache or is downloaded into it). A model that cannot be found is a
 * {@link ModelLoadException} whose one-line message says where it looked and how to provide the model; another
 * model is never substituted. A directory whose config is not the task's real model (e.g. the tiny GPT-2 fixture)
 * is used as given and the task is flagged {@link Task#smokeRun()}.
 *
 * <p>Besides the names in {@link #names()}, {@code file:PATH} names a task read from a JSON Lines file of
 * prompts on the model {@link TaskOptions#model()} names ({@link FileTask}); every command that gets its task
 * here accepts it.
 */
public final class Tasks {
    public static final String TRACR_REVERSE = "tracr-reverse";
    public static final String TRACR_PROPORTION = "tracr-proportion";

    /** The default models. */
    public static final String GPT2 = "gpt2";
    public static final String ATTN_ONLY_4L = Presets.ATTN_ONLY_4L;

    private Tasks() {}

    /** Every task name, in a stable order. */
    public static List<String> names() {
        return List.of(TRACR_REVERSE, TRACR_PROPORTION, InductionTask.NAME, IoiTask.NAME, GreaterThanTask.NAME, DocstringTask.NAME);
    }

    /**
     * The metrics a built-in task offers with our data, the default first, without building the task (for help
     * texts; the tracr models are not compiled, no model is loaded). Equal to {@code get(name, …).metricNames()}.
     */
    public static List<String> metricNames(String name) {
        return switch (name) {
            case TRACR_REVERSE -> List.of("l2", "kl");   // a categorical output: KL compares its distributions
            case TRACR_PROPORTION -> List.of("l2");      // one numerical output, whose softmax is always 1: no KL
            case InductionTask.NAME -> InductionTask.METRICS;
            case IoiTask.NAME -> IoiTask.METRICS;
            case GreaterThanTask.NAME -> GreaterThanTask.METRICS;
            case DocstringTask.NAME -> DocstringTask.METRICS;
            default -> throw new IllegalArgumentException("unknown task '" + name + "'; expected one of " + names());
        };
    }

    /** The task of that name, its model resolved from the environment's Hugging Face settings. */
    public static Task get(String name, TaskOptions options) {
        return get(name, options, ModelResolver.fromEnvironment().withOffline(options.offline()));
    }

    /** Whether {@code name} is a task: one of {@link #names()}, or {@code file:PATH}. */
    public static boolean isTask(String name) {
        return names().contains(name) || FileTaskDefinition.isFileTask(name);
    }

    /** The task of that name, its model resolved with {@code resolver}. */
    public static Task get(String name, TaskOptions options, ModelResolver resolver) {
        if (name == null) throw new IllegalArgumentException("no task name; expected one of " + names() + " or file:PATH");
        boolean file = FileTaskDefinition.isFileTask(name);
        if (!file && !names().contains(name)) {
            throw new IllegalArgumentException("unknown task '" + name + "'; expected one of " + names()
                    + " or file:PATH (a JSON Lines file of prompts)");
        }
        boolean acdcCode = options.data() == DataVariant.ACDC_CODE;
        if (acdcCode && !hasAcdcCodeData(name)) {
            throw new IllegalArgumentException("--data " + DataVariant.ACDC_CODE.cliName() + ": task " + name + " has only our data;"
                    + " the ACDC code's data exists for " + TRACR_REVERSE + " and " + TRACR_PROPORTION);
        }
        if (file) return FileTask.load(name, options, resolver);
        if (name.startsWith("tracr-")) refuseModelAndTokenizer(name, options);
        return switch (name) {
            case TRACR_REVERSE -> acdcCode ? TracrTask.reverseAcdcCode(options.scramblePositions())
                    : TracrTask.reverse(options.seed(), options.scramblePositions());
            case TRACR_PROPORTION -> acdcCode ? TracrTask.proportionAcdcCode(options.scramblePositions())
                    : TracrTask.proportion(options.seed(), options.scramblePositions());
            case InductionTask.NAME -> inductionTask(options, resolver);
            case IoiTask.NAME -> {
                Gpt2Model m = gpt2Model(name, options, resolver);
                try (TextTokenizer t = m.tokenizer()) {
                    yield new IoiTask(m.model().weights(), t, m.smokeRun());
                }
            }
            case GreaterThanTask.NAME -> {
                Gpt2Model m = gpt2Model(name, options, resolver);
                try (TextTokenizer t = m.tokenizer()) {
                    yield new GreaterThanTask(m.model().weights(), t, m.smokeRun());
                }
            }
            case DocstringTask.NAME -> {
                Gpt2Model m = docstringModel(options, resolver);
                try (TextTokenizer t = m.tokenizer()) {
                    yield new DocstringTask(m.model().weights(), t, m.smokeRun());
                }
            }
            default -> throw new IllegalArgumentException("unknown task '" + name + "'; expected one of " + names()
                    + " or file:PATH (a JSON Lines file of prompts)");
        };
    }

    /**
     * The tracr tasks compile their model from a RASP program and tokenize nothing: a model or tokenizer given for one
     * would be silently ignored, so it is refused (a task never silently substitutes a model).
     */
    private static void refuseModelAndTokenizer(String task, TaskOptions o) {
        if (o.model() != null) {
            throw new IllegalArgumentException("task " + task + " compiles its own model from its RASP program and takes no model"
                    + " (given: --model " + o.model() + "); leave --model out");
        }
        if (o.tokenizerDir() != null) {
            throw new IllegalArgumentException("task " + task + " encodes its own vocabulary and takes no tokenizer (given: --tokenizer "
                    + o.tokenizerDir() + "); leave --tokenizer out");
        }
    }

    /**
     * induction: the checkpoint shipped with this module unless a model is given; a given model directory's
     * canonical circuit comes from its {@code provenance.json}, or is derived from its weights when it has none.
     */
    private static Task inductionTask(TaskOptions o, ModelResolver resolver) {
        if (o.model() == null) return InductionTask.shipped(o.seed());
        InductionModel.Loaded m = InductionModel.load(resolver.resolve(o.model()));
        return new InductionTask(m.model().weights(), m.provenance() == null ? null : m.provenance().canonicalCircuit(), o.seed());
    }

    /** Whether a task can be built with {@link DataVariant#ACDC_CODE}. */
    public static boolean hasAcdcCodeData(String name) {
        return TRACR_REVERSE.equals(name) || TRACR_PROPORTION.equals(name);
    }

    /** The task's default model name. */
    public static String defaultModel(String task) {
        return DocstringTask.NAME.equals(task) ? ATTN_ONLY_4L : GPT2;
    }

    private record Gpt2Model(LoadedModel model, Path tokenizerDir, boolean smokeRun) {
        TextTokenizer tokenizer() {
            return HfTokenizer.fromDirectory(tokenizerDir);
        }
    }

    private static Gpt2Model gpt2Model(String task, TaskOptions o, ModelResolver resolver) {
        String name = o.model() == null ? GPT2 : o.model();
        Path dir = resolver.resolve(name);
        LoadedModel m = requirePatchable(ModelDirectory.load(dir));
        boolean smoke = !sameArchitecture(m.config(), Presets.gpt2Small());
        return new Gpt2Model(m, tokenizerDir(task, o, dir), smoke);
    }

    private static Gpt2Model docstringModel(TaskOptions o, ModelResolver resolver) {
        String name = o.model() == null ? ATTN_ONLY_4L : o.model();
        if (name.equals(ATTN_ONLY_4L) && !Files.isDirectory(Path.of(name))) {
            throw new ModelLoadException("docstring needs attn-only-4l (TransformerLens NeelNanda/Attn_Only_4L512W_C4_Code), a"
                    + " TransformerLens checkpoint that cannot be downloaded as a Hugging Face GPT-2 model; convert it to an"
                    + " acdc-jvm model directory (config.json + model.safetensors) and pass that directory as the model, with its"
                    + " tokenizer (NeelNanda/gpt-neox-tokenizer-digits) as the tokenizer directory");
        }
        Path dir = resolver.resolve(name);
        LoadedModel m = requirePatchable(ModelDirectory.load(dir));
        boolean smoke = !sameArchitecture(m.config(), Presets.attnOnly4l());
        return new Gpt2Model(m, tokenizerDir(DocstringTask.NAME, o, dir), smoke);
    }

    /**
     * The model, if the patching engine covers its architecture: GPT-2-style models and the Hugging Face families
     * (Pythia, Llama, Qwen2, Gemma, and Gemma 2, whose RMSNorm post-norms are linearised at the clean run's rms,
     * see {@link dev.acdc.patching.patch.PostNormScales}).
     */
    private static LoadedModel requirePatchable(LoadedModel m) {
        String why = notPatchable(m.config());
        if (why != null) {
            throw new ModelLoadException("model " + m.config().name() + " (" + m.directory() + ") " + why);
        }
        return m;
    }

    /** Why the tasks' patching engine cannot run a model, or null when it can. */
    public static String notPatchable(TransformerConfig c) {
        if (c.architecture().postNorms() && !dev.acdc.patching.patch.PostNormScales.applies(c)) {
            return "has LayerNorm post-norms, which edge patching does not linearise (it fixes an RMSNorm's rms, as"
                    + " Gemma 2 has them); model-info runs it";
        }
        return null;
    }

    /** The tokenizer directory given, else the model directory when it holds one; else a one-line error. */
    public static Path tokenizerDir(String task, TaskOptions o, Path modelDir) {
        if (o.tokenizerDir() != null) {
            if (!HfTokenizer.hasTokenizer(o.tokenizerDir())) {
                throw new ModelLoadException("tokenizer directory " + o.tokenizerDir() + " has no " + HfTokenizer.TOKENIZER_JSON
                        + ", nor " + HfTokenizer.VOCAB_JSON + " + " + HfTokenizer.MERGES_TXT);
            }
            return o.tokenizerDir();
        }
        if (modelDir != null && HfTokenizer.hasTokenizer(modelDir)) return modelDir;
        throw new ModelLoadException("task " + task + " needs the model's tokenizer: " + (modelDir == null ? "no model directory"
                : "model directory " + modelDir + " has none") + " (" + HfTokenizer.TOKENIZER_JSON + ", or " + HfTokenizer.VOCAB_JSON
                + " + " + HfTokenizer.MERGES_TXT + "); pass a tokenizer directory (--tokenizer DIR)");
    }

    /** Same shape as the preset (names may differ). */
    public static boolean sameArchitecture(TransformerConfig a, TransformerConfig b) {
        return a.nLayers() == b.nLayers() && a.dModel() == b.dModel() && a.nHeads() == b.nHeads() && a.dHead() == b.dHead()
                && a.dMlp() == b.dMlp() && a.dVocab() == b.dVocab();
    }
}
