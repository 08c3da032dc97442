package dev.acdc.datasets.gpt2;

import ai.djl.ndarray.NDArray;
import dev.acdc.datasets.EdgeNotation;
import dev.acdc.datasets.Task;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the GPT-2-family tasks (IOI, greater-than, docstring) share: the model's weights, clean and
 * corrupted inputs of one shape scored at the last position, the {@code kl} metric, the canonical
 * circuit as ground truth, and the smoke-run token reduction.
 *
 * <p><b>Smoke runs.</b> With {@code smokeRun = true} (a stand-in model such as the tiny GPT-2 fixture, vocab
 * 101) every token id the task uses — inputs and answer ids alike — is mapped into the model's vocabulary by
 * the deterministic reduction {@code id % d_vocab}. The numbers such a run gives only show that the pipeline
 * works. Without the flag, an id at or above the model's vocabulary is an {@link IllegalArgumentException}.
 */
public abstract class Gpt2Task implements Task {
    /** The KL metric's name (every GPT-2 task offers it). */
    public static final String KL = "kl";

    private final String name;
    private final TransformerWeights weights;
    private final boolean smokeRun;
    private final ModelInput clean;
    private final ModelInput corrupted;
    private final CanonicalCircuit canonical;
    private Map<String, List<String>> groundTruths;

    Gpt2Task(String name, TransformerWeights weights, boolean smokeRun, List<TokenizedPair> pairs, CanonicalCircuit canonical) {
        this.name = name;
        this.weights = Objects.requireNonNull(weights, "weights");
        this.smokeRun = smokeRun;
        this.canonical = canonical;
        TransformerConfig c = weights.config();
        if (pairs.isEmpty()) throw new IllegalArgumentException(name + ": no prompts");
        int len = pairs.get(0).length();
        if (len > c.nCtx()) {
            throw new IllegalArgumentException(name + ": prompts have " + len + " tokens, more than the context of "
                    + c.nCtx() + " of model '" + c.name() + "'");
        }
        int[][] cl = new int[pairs.size()][];
        int[][] co = new int[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            cl[i] = fit(pairs.get(i).clean(), "clean prompt " + i);
            co[i] = fit(pairs.get(i).corrupted(), "corrupted prompt " + i);
        }
        this.clean = ModelInput.of(cl);
        this.corrupted = ModelInput.of(co);
    }

    /** Checks ids against the model's vocabulary; on a smoke run reduces them with {@code id % d_vocab}. */
    final int[] fit(int[] ids, String what) {
        int v = weights.config().dVocab();
        int[] out = ids.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0 || out[i] >= v) {
                if (smokeRun && out[i] >= 0) {
                    out[i] = out[i] % v;
                } else {
                    throw new IllegalArgumentException(name + ": token id " + out[i] + " of " + what + " is outside the vocabulary of "
                            + v + " tokens of model '" + weights.config().name() + "' (ids 0.." + (v - 1)
                            + "); is the tokenizer the model's own? (a stand-in model needs smokeRun, which maps ids by id % d_vocab)");
                }
            }
        }
        return out;
    }

    final int fit(int id, String what) {
        return fit(new int[] {id}, what)[0];
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TransformerWeights weights() {
        return weights;
    }

    @Override
    public ModelInput clean() {
        return clean;
    }

    @Override
    public ModelInput corrupted() {
        return corrupted;
    }

    @Override
    public boolean smokeRun() {
        return smokeRun;
    }

    /** The task-specific metric (not {@code kl}), at the last position. */
    abstract Metric taskMetric(String metricName);

    @Override
    public Metric metric(String metricName, NDArray cleanOutput) {
        if (!metricNames().contains(metricName)) {
            throw new IllegalArgumentException("task " + name + " has no metric '" + metricName + "'; expected one of " + metricNames());
        }
        if (KL.equals(metricName)) {
            Objects.requireNonNull(cleanOutput, "cleanOutput (the KL metric needs the clean model's logits)");
            return Metrics.klDivergence(cleanOutput, ScoredPositions.last());
        }
        return taskMetric(metricName);
    }

    /**
     * {@code canonical}: the published circuit in the graph's notation. On a stand-in model whose graph
     * lacks some of the circuit's nodes (smoke run), only the circuit edges that exist in the model's graph
     * are kept, so that the pipeline runs; such a ground truth means nothing.
     */
    @Override
    public synchronized Map<String, List<String>> groundTruths() {
        if (groundTruths == null) {
            List<String> edges = EdgeNotation.toGraph(canonical.edgeStrings());
            TransformerConfig c = weights.config();
            boolean sameShape = c.nLayers() == canonical.layers() && c.nHeads() == canonical.heads()
                    && c.attentionOnly() != canonical.mlps();
            if (!sameShape) {
                CircuitGraph g = CircuitGraph.of(c);
                List<String> kept = new ArrayList<>();
                for (String e : edges) {
                    try {
                        g.edge(e);
                        kept.add(e);
                    } catch (IllegalArgumentException absent) {
                        // not an edge of the stand-in model's graph
                    }
                }
                edges = kept;
            }
            Map<String, List<String>> m = new LinkedHashMap<>();
            m.put("canonical", List.copyOf(edges));
            groundTruths = java.util.Collections.unmodifiableMap(m);
        }
        return groundTruths;
    }

    /** The canonical circuit as published (for the real model). */
    public CanonicalCircuit canonicalCircuit() {
        return canonical;
    }

    static <T> List<T> firstN(List<T> all, int n, String task) {
        if (n < 1 || n > all.size()) {
            throw new IllegalArgumentException(task + ": number of prompts must be 1.." + all.size() + ", got " + n);
        }
        return all.subList(0, n);
    }

    @Override
    public String toString() {
        return name + " (" + clean.batch() + " prompts of " + clean.length() + " tokens" + (smokeRun ? ", smoke run" : "") + ")";
    }
}
