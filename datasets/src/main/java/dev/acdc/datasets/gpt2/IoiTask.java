package dev.acdc.datasets.gpt2;

import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.TransformerWeights;

import java.util.List;

/**
 * ACDC's indirect-object-identification task on GPT-2 small: the first {@code n} of the 200 ACDC prompts
 * ({@link IoiDataset#acdc()}; by default the 100 validation prompts), 15 tokens each, no BOS; corrupted
 * inputs are the ABC prompts. Scored at the last position ({@code " to"}).
 *
 * <p>Metrics (lower is better): {@code kl} (KL(clean ‖ patched) at the last position, the default) and
 * {@code logit-diff} (−(logit[IO] − logit[S]), {@link Metrics#negativeLogitDifference}). Ground truth:
 * {@code canonical}, the published 1,041-edge circuit ({@link IoiCircuit}).
 *
 * <p>With {@code smokeRun} (a stand-in model such as the tiny GPT-2 fixture), token ids are reduced with
 * {@code id % d_vocab}; see {@link Gpt2Task}.
 */
public final class IoiTask extends Gpt2Task {
    public static final String NAME = "ioi";
    public static final String LOGIT_DIFF = "logit-diff";
    public static final List<String> METRICS = List.of(KL, LOGIT_DIFF);
    /** ACDC's validation prompts. */
    public static final int DEFAULT_PROMPTS = IoiDataset.ACDC_SIZE / 2;

    private final int[] io;
    private final int[] s;

    public IoiTask(TransformerWeights weights, TextTokenizer tokenizer, boolean smokeRun) {
        this(weights, tokenizer, smokeRun, DEFAULT_PROMPTS);
    }

    public IoiTask(TransformerWeights weights, TextTokenizer tokenizer, boolean smokeRun, int prompts) {
        this(weights, tokens(tokenizer, prompts), smokeRun);
    }

    private IoiTask(TransformerWeights weights, List<IoiTokens> tokens, boolean smokeRun) {
        super(NAME, weights, smokeRun, tokens.stream().map(IoiTokens::inputs).toList(), IoiCircuit.canonical());
        this.io = tokens.stream().mapToInt(t -> fit(t.ioTokenId(), "an IO answer")).toArray();
        this.s = tokens.stream().mapToInt(t -> fit(t.sTokenId(), "an S answer")).toArray();
    }

    /** The first {@code n} ACDC prompts' token ids (needs only the tokenizer). */
    public static List<IoiTokens> tokens(TextTokenizer tokenizer, int n) {
        List<IoiTokens> all = IoiDataset.acdc().tokenize(tokenizer);
        return List.copyOf(firstN(all, n, NAME));
    }

    /** The first {@code n} ACDC prompts as text. */
    public static List<IoiPrompt> prompts(int n) {
        return List.copyOf(firstN(IoiDataset.acdc().prompts(), n, NAME));
    }

    @Override
    public String description() {
        return "indirect object identification (ACDC, GPT-2 small): " + clean().batch() + " prompts of " + clean().length()
                + " tokens, ABC corruption, scored at the last position";
    }

    @Override
    public List<String> metricNames() {
        return METRICS;
    }

    @Override
    Metric taskMetric(String metricName) {
        return Metrics.negativeLogitDifference(ScoredPositions.last(), io, s);
    }

    /** The IO answer ids (after any smoke-run reduction). */
    public int[] ioTokenIds() {
        return io.clone();
    }

    /** The S answer ids (after any smoke-run reduction). */
    public int[] sTokenIds() {
        return s.clone();
    }
}
