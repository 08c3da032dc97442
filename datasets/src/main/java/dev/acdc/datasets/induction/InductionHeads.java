package dev.acdc.datasets.induction;

import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The heads of a trained induction model, found from their attention patterns on {@link RepeatedSequence}s, and
 * the canonical circuit they form.
 *
 * <p>Scores, per layer and head, from {@code blocks.L.attn.hook_pattern} [B, H, P(query), P(key)]:
 * <ul>
 *   <li>previous-token score: the mean attention from position p to p − 1, over every row and every p ≥ 1;</li>
 *   <li>induction score: the mean attention from a position p inside the second occurrence whose next token is
 *   predictable ({@link RepeatedSequence#predictable}) to the position right after the first occurrence of token[p]
 *   (the token to copy), over every such position of every row.</li>
 * </ul>
 * A head is a previous-token head when it is in layer 0 and its previous-token score is at least
 * {@link #THRESHOLD}; an induction head when it is in layer 1 and its induction score is at least {@link #THRESHOLD}.
 * A uniform head would score about 1/(p+1) on either, well below the threshold.
 *
 * @param previousToken [layer][head] previous-token scores
 * @param induction     [layer][head] induction scores
 */
public record InductionHeads(double[][] previousToken, double[][] induction) {

    /** The score a head needs to count: most of its attention goes where the mechanism says. */
    public static final double THRESHOLD = 0.5;

    public InductionHeads {
        previousToken = copy(previousToken);
        induction = copy(induction);
    }

    /** Scores every head of {@code model} on {@code sequences} (all of one length). */
    public static InductionHeads score(HookedTransformer model, List<RepeatedSequence> sequences) {
        int L = model.config().nLayers(), H = model.config().nHeads(), P = sequences.get(0).length();
        double[][] prev = new double[L][H], ind = new double[L][H];
        try (NDManager scope = NDManager.newBaseManager(model.device())) {
            ActivationCache cache = model.runWithCache(scope, ModelInput.of(RepeatedSequences.tokens(sequences)));
            for (int l = 0; l < L; l++) {
                float[] pattern = cache.get(HookNames.pattern(l)).toFloatArray();   // [B, H, P, P] row-major
                for (int h = 0; h < H; h++) {
                    double prevSum = 0, indSum = 0;
                    int prevCount = 0, indCount = 0;
                    for (int b = 0; b < sequences.size(); b++) {
                        RepeatedSequence s = sequences.get(b);
                        int base = (b * H + h) * P * P;
                        for (int p = 1; p < P; p++) {
                            prevSum += pattern[base + p * P + p - 1];
                            prevCount++;
                        }
                        for (int p = 0; p < P; p++) {
                            if (!s.predictable(p)) continue;
                            int afterFirst = s.firstStart() + (p - s.secondStart()) + 1;
                            indSum += pattern[base + p * P + afterFirst];
                            indCount++;
                        }
                    }
                    prev[l][h] = prevSum / prevCount;
                    ind[l][h] = indSum / indCount;
                }
            }
        }
        return new InductionHeads(prev, ind);
    }

    /** Layer-0 heads whose previous-token score reaches the threshold, as {@code a0.H}, ascending. */
    public List<String> previousTokenHeads() {
        return heads(previousToken, 0);
    }

    /** Layer-1 heads whose induction score reaches the threshold, as {@code a1.H}, ascending. */
    public List<String> inductionHeads() {
        return heads(induction, 1);
    }

    private static List<String> heads(double[][] scores, int layer) {
        List<String> out = new ArrayList<>();
        for (int h = 0; h < scores[layer].length; h++) if (scores[layer][h] >= THRESHOLD) out.add("a" + layer + "." + h);
        return out;
    }

    /**
     * The canonical induction circuit of these heads, as edge names of the graph ({@code CircuitGraph}), sorted.
     *
     * <p>Each previous-token head P reads positions through its query and key and the token through its value
     * ({@code embed->P.q}, {@code embed->P.k}, {@code embed->P.v}: the one embedding node carries both token and
     * position); each induction head I matches its query (the current token, {@code embed->I.q}) against keys that
     * hold the previous token, written there by P ({@code P->I.k}: K-composition), copies the token through its value
     * ({@code embed->I.v}) and writes the prediction to the output ({@code I->output}); plus the direct-computation
     * edges of the q/k/v inputs used ({@code P.q->P.hook_q}, …). Every previous-token head feeds every induction
     * head's key. Paths outside this mechanism (the direct path {@code embed->output}, other heads) are left out.
     */
    public List<String> canonicalCircuit() {
        TreeSet<String> edges = new TreeSet<>();
        for (String p : previousTokenHeads()) {
            for (String ch : List.of("q", "k", "v")) {
                edges.add("embed->" + p + "." + ch);
                edges.add(p + "." + ch + "->" + p + ".hook_" + ch);
            }
        }
        for (String i : inductionHeads()) {
            edges.add("embed->" + i + ".q");
            edges.add("embed->" + i + ".v");
            for (String p : previousTokenHeads()) edges.add(p + "->" + i + ".k");
            edges.add(i + "->output");
            for (String ch : List.of("q", "k", "v")) edges.add(i + "." + ch + "->" + i + ".hook_" + ch);
        }
        return List.copyOf(edges);
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) c[i] = m[i].clone();
        return c;
    }

    @Override
    public double[][] previousToken() {
        return copy(previousToken);
    }

    @Override
    public double[][] induction() {
        return copy(induction);
    }
}
