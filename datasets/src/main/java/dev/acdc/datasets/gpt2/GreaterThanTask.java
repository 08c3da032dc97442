package dev.acdc.datasets.gpt2;

import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.TransformerWeights;

import java.util.List;

/**
 * ACDC's greater-than task on GPT-2 small: the first {@code n} of the 200 ACDC prompts
 * ({@link GreaterThanDataset#acdc(TextTokenizer)}; by default the 100 validation prompts), e.g.
 * {@code "The war lasted from the year 1732 to 17"}, no BOS; the corruption writes {@code 01} in place of the
 * start year's {@code YY}. Scored at the last position.
 *
 * <p>Metrics (lower is better): {@code kl} (the default) and {@code prob-diff}: −(Σ p(YY') for YY' &gt; YY −
 * Σ p(YY') for YY' ≤ YY) over the 100 two-digit tokens {@code 00..99}, each row's threshold its start year's
 * {@code YY} ({@link Metrics#negativeProbabilityDifference}). Ground truth: {@code canonical}, the published
 * 262-edge circuit ({@link GreaterThanCircuit}).
 *
 * <p>With {@code smokeRun}, token ids are reduced with {@code id % d_vocab}; see {@link Gpt2Task}.
 */
public final class GreaterThanTask extends Gpt2Task {
    public static final String NAME = "greater-than";
    public static final String PROB_DIFF = "prob-diff";
    public static final List<String> METRICS = List.of(KL, PROB_DIFF);
    /** ACDC's validation prompts. */
    public static final int DEFAULT_PROMPTS = GreaterThanDataset.ACDC_SIZE / 2;

    private final int[] candidates;
    private final int[] thresholds;

    public GreaterThanTask(TransformerWeights weights, TextTokenizer tokenizer, boolean smokeRun) {
        this(weights, tokenizer, smokeRun, DEFAULT_PROMPTS);
    }

    public GreaterThanTask(TransformerWeights weights, TextTokenizer tokenizer, boolean smokeRun, int prompts) {
        this(weights, tokens(tokenizer, prompts), GreaterThanYears.twoDigitTokenIds(tokenizer), smokeRun);
    }

    private GreaterThanTask(TransformerWeights weights, List<GreaterThanTokens> tokens, int[] twoDigit, boolean smokeRun) {
        super(NAME, weights, smokeRun, tokens.stream().map(GreaterThanTokens::inputs).toList(), GreaterThanCircuit.canonical());
        this.candidates = fit(twoDigit, "the two-digit year tokens");
        this.thresholds = tokens.stream().mapToInt(GreaterThanTokens::yy).toArray();
    }

    /** The first {@code n} ACDC prompts' token ids (needs only the tokenizer). */
    public static List<GreaterThanTokens> tokens(TextTokenizer tokenizer, int n) {
        return List.copyOf(firstN(GreaterThanDataset.acdc(tokenizer).tokenize(tokenizer), n, NAME));
    }

    /** The first {@code n} ACDC prompts as text (years derived with the tokenizer). */
    public static List<GreaterThanPrompt> prompts(TextTokenizer tokenizer, int n) {
        return List.copyOf(firstN(GreaterThanDataset.acdc(tokenizer).prompts(), n, NAME));
    }

    @Override
    public String description() {
        return "greater-than (ACDC, GPT-2 small): " + clean().batch() + " prompts of " + clean().length()
                + " tokens, YY corrupted to 01, scored at the last position";
    }

    @Override
    public List<String> metricNames() {
        return METRICS;
    }

    @Override
    Metric taskMetric(String metricName) {
        return Metrics.negativeProbabilityDifference(ScoredPositions.last(), candidates, thresholds);
    }

    /** Token ids of {@code 00..99} (after any smoke-run reduction). */
    public int[] candidateTokenIds() {
        return candidates.clone();
    }

    /** Each row's start-year {@code YY}. */
    public int[] thresholds() {
        return thresholds.clone();
    }
}
