package dev.acdc.datasets.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.load.TextTokenizer;
import dev.acdc.patching.model.TransformerWeights;

import java.util.List;

/**
 * ACDC's docstring task on TransformerLens's attn-only-4l: the first {@code n} of ACDC's 100 prompts
 * ({@link DocstringDataset#acdc()}; by default the 50 validation prompts, seeds 0..49), BOS first; corrupted
 * inputs are the {@code random_random} variant. Scored at the last position.
 *
 * <p>Metrics (lower is better): {@code kl} (the default) and {@code logit-diff}, ACDC's {@code docstring_metric}
 * ({@code raw_docstring_metric}, acdc/docstring/utils.py lines 110-134 at commit bc99ace):
 * {@code −mean_i(L[i,-1][correct_i] − max_j L[i,-1][wrong_ij])}, the correct arg's logit minus the best of the 13
 * wrong args' logits. Ground truth: {@code canonical}, the published 37-edge circuit ({@link DocstringCircuit}).
 *
 * <p>The tokenizer must be the model's own ({@code NeelNanda/gpt-neox-tokenizer-digits} for attn-only-4l); BOS is
 * the id of {@code <|endoftext|>} in it unless given. With {@code smokeRun}, token ids are reduced with
 * {@code id % d_vocab}; see {@link Gpt2Task}.
 */
public final class DocstringTask extends Gpt2Task {
    public static final String NAME = "docstring";
    public static final String LOGIT_DIFF = "logit-diff";
    public static final List<String> METRICS = List.of(KL, LOGIT_DIFF);
    /** ACDC's validation prompts. */
    public static final int DEFAULT_PROMPTS = DocstringDataset.ACDC_SIZE / 2;
    /** The BOS token's text in attn-only-4l's tokenizer. */
    public static final String BOS_TEXT = "<|endoftext|>";

    private final int[] correct;
    private final int[][] wrong;

    public DocstringTask(TransformerWeights weights, TextTokenizer tokenizer, boolean smokeRun) {
        this(weights, tokenizer, smokeRun, DEFAULT_PROMPTS);
    }

    public DocstringTask(TransformerWeights weights, TextTokenizer tokenizer, boolean smokeRun, int prompts) {
        this(weights, tokenizer, bosTokenId(tokenizer), smokeRun, prompts);
    }

    public DocstringTask(TransformerWeights weights, TextTokenizer tokenizer, int bosTokenId, boolean smokeRun, int prompts) {
        this(weights, tokens(tokenizer, bosTokenId, prompts), smokeRun);
    }

    private DocstringTask(TransformerWeights weights, List<DocstringTokens> tokens, boolean smokeRun) {
        super(NAME, weights, smokeRun, tokens.stream().map(DocstringTokens::inputs).toList(), DocstringCircuit.canonical());
        this.correct = tokens.stream().mapToInt(t -> fit(t.correctTokenId(), "a correct answer")).toArray();
        this.wrong = tokens.stream().map(t -> fit(t.wrongTokenIds(), "the wrong answers")).toArray(int[][]::new);
    }

    /** The id of {@link #BOS_TEXT} in the tokenizer; an {@link IllegalArgumentException} when it is not one token. */
    public static int bosTokenId(TextTokenizer tokenizer) {
        int[] ids = tokenizer.encode(BOS_TEXT);
        if (ids.length != 1) {
            throw new IllegalArgumentException("docstring: the tokenizer encodes " + BOS_TEXT + " as " + ids.length
                    + " tokens, expected one BOS token; is it attn-only-4l's tokenizer (NeelNanda/gpt-neox-tokenizer-digits)?");
        }
        return ids[0];
    }

    /** The first {@code n} ACDC prompts' token ids, BOS first (needs only the tokenizer). */
    public static List<DocstringTokens> tokens(TextTokenizer tokenizer, int bosTokenId, int n) {
        return List.copyOf(firstN(DocstringDataset.acdc().tokenize(tokenizer, bosTokenId), n, NAME));
    }

    /** The first {@code n} ACDC prompts as text. */
    public static List<DocstringPrompt> prompts(int n) {
        return List.copyOf(firstN(DocstringDataset.acdc().prompts(), n, NAME));
    }

    @Override
    public String description() {
        return "docstring (ACDC, attn-only-4l): " + clean().batch() + " prompts of " + clean().length()
                + " tokens with BOS, random_random corruption, scored at the last position";
    }

    @Override
    public List<String> metricNames() {
        return METRICS;
    }

    @Override
    Metric taskMetric(String metricName) {
        int[] c = correct.clone();
        int[][] w = wrong.clone();
        return new Metric() {
            @Override
            public String name() {
                return "docstring_metric";
            }

            @Override
            public NDArray apply(NDArray output) {
                return correctMinusMaxWrong(output, c, w).neg();
            }

            @Override
            public NDArray applyRows(NDArray rows) {
                return correctMinusMaxWrongOfRows(rows, c, w).neg();
            }

            @Override
            public java.util.Optional<ScoredPositions> scoredPositions() {
                return java.util.Optional.of(ScoredPositions.last());
            }
        };
    }

    /** Mean over the batch of logit[correct_b] − max_j logit[wrong_bj] at the last position. */
    static NDArray correctMinusMaxWrong(NDArray logits, int[] correct, int[][] wrong) {
        if (logits.getShape().dimension() != 3) {
            throw new IllegalArgumentException("docstring metric needs logits [B, P, V], found shape " + logits.getShape());
        }
        return correctMinusMaxWrongOfRows(ScoredPositions.last().select(logits), correct, wrong);
    }

    /** {@link #correctMinusMaxWrong} of each row's last-position logits [B, V]. */
    static NDArray correctMinusMaxWrongOfRows(NDArray rows, int[] correct, int[][] wrong) {
        if (rows.getShape().dimension() != 2) {
            throw new IllegalArgumentException("docstring metric needs each row's last-position logits [B, V], found shape "
                    + rows.getShape());
        }
        long batch = rows.getShape().get(0);
        long vocab = rows.getShape().get(1);
        if (batch != correct.length) {
            throw new IllegalArgumentException("docstring metric: logits have " + batch + " rows, the task " + correct.length);
        }
        int k = wrong[0].length;
        long[] ci = new long[correct.length];
        long[] wi = new long[correct.length * k];
        for (int b = 0; b < correct.length; b++) {
            ci[b] = b * vocab + correct[b];
            if (wrong[b].length != k) throw new IllegalArgumentException("docstring metric: rows have different numbers of wrong answers");
            for (int j = 0; j < k; j++) wi[b * k + j] = b * vocab + wrong[b][j];
        }
        NDArray flat = rows.reshape(-1);
        NDArray c = flat.get(new NDIndex("{}", flat.getManager().create(ci)));                 // [B]
        NDArray w = flat.get(new NDIndex("{}", flat.getManager().create(wi))).reshape(new Shape(batch, k)).max(new int[] {1});
        return c.sub(w).mean();
    }
}
