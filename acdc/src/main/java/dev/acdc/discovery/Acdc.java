package dev.acdc.discovery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.metrics.ArrayMetric;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.patch.EdgePatcher;
import dev.acdc.patching.patch.SmallModelPatcher;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.Consumer;

/**
 * Automated Circuit DisCovery (Conmy et al. 2023): recursive interchange-intervention patching, edge
 * by edge from the output to the input.
 *
 * <pre>
 * H = all edges; cur = metric(H)
 * for receiver r in reverse topological order:
 *     if r feeds no surviving edge: drop r's in-edges untested; continue
 *     for sender s of r in ACDC's sender order:
 *         new = metric(H − {s→r})
 *         if new − cur &lt; τ (|new − cur| &lt; τ with absValue): H = H − {s→r}; cur = new
 *         record new − cur on the edge
 * </pre>
 *
 * <p>The fast path gives the same circuit as this loop. A single removal is one pass from the previous pass's state
 * ({@link EdgePatcher#logitsAt}): it recomputes only the heads or MLP whose in-edges changed and what reads them,
 * the last layer and the output at the metric's rows only, and the metric scores those rows alone
 * ({@link Metric#applyRows}). Where the memory allows, it evaluates the cumulative removals {e1}, {e1,e2}, … of a
 * receiver's senders in one batched forward from the clean values, walking them in order until the first edge that
 * must stay, after which the rest of the batch is re-run. The reference path ({@link AcdcOptions#reference}) runs
 * one full, non-incremental forward per tested edge and is the oracle for it.
 *
 * <p>On small models (see {@link #isSmall}) the fast path evaluates with {@link SmallModelPatcher}, the same
 * masked forward in plain Java arrays, because there DJL's per-operation cost is nearly all of the time. The
 * system property {@value #SMALL_PATCHER_PROPERTY} ({@code auto} (default), {@code on}, {@code off}) forces it.
 */
public final class Acdc {

    /**
     * Progress after each receiver: receivers done of receivers in total, and the receiver just decided, which
     * was either tested edge by edge or, feeding no surviving edge, dropped untested ({@code skipped}).
     */
    public record Progress(int receiversDone, int receiversTotal, int edgesKept, int edgesTested, Node receiver,
                           boolean skipped) {}

    private final EdgePatcher patcher;
    private final Metric metric;
    private final AcdcOptions options;
    private final CircuitGraph graph;
    private final SmallModelPatcher small;      // null: evaluate with the EdgePatcher
    private final int batchLimit;               // speculative variants per pass, capped by memory
    private final long[] outputRows;            // the [B·P] rows the metric reads, or null: unembed only those
    private RemovalEvaluator remote;            // non-null: the speculative batches are evaluated elsewhere

    /**
     * Temporaries a speculative batch may add to a pass. Batching saves per-call overhead, not arithmetic, so on a
     * compute-bound model a large batch only adds memory traffic: at GPT-2 small on [100, 15] one variant's head
     * inputs are 166 MB, and a batch of 16 measured slower than 16 single passes while holding ~20 GB.
     */
    static final long SPECULATIVE_BATCH_BYTES = 256L << 20;

    /** {@code auto}: SmallModelPatcher on small models; {@code on}/{@code off}: always / never (fast path only). */
    public static final String SMALL_PATCHER_PROPERTY = "acdc.smallPatcher";

    /**
     * The multiply-adds of one variant's full masked forward below which plain Java beats DJL: about 4M, a few ms
     * of scalar Java, which is what a DJL masked forward costs in per-operation overhead alone (~100 JNI calls of
     * 20–50 µs). Compiled tracr models are 0.2M–0.4M; GPT-2 small on any real batch is thousands of times over.
     */
    static final long SMALL_MODEL_MACS = 1L << 22;

    /**
     * ACDC on a plain-Java patcher alone, with no {@link EdgePatcher} and so no native engine (the fast path's small
     * model evaluation, see {@link #usesSmallPatcher}); the metric scores Java arrays.
     */
    public Acdc(SmallModelPatcher small, ArrayMetric metric, AcdcOptions options) {
        if (options.reference()) throw new IllegalArgumentException("the reference path evaluates with the EdgePatcher");
        this.patcher = null;
        this.metric = metric;
        this.options = options;
        this.graph = small.graph();
        this.small = small;
        this.batchLimit = 1;
        this.outputRows = null;
    }

    /**
     * Whether ACDC with these options evaluates a model of this config on this many rows (batch × positions) with
     * {@link SmallModelPatcher}, as {@link #Acdc(EdgePatcher, Metric, AcdcOptions)} decides it.
     */
    public static boolean usesSmallPatcher(TransformerConfig c, long rows, AcdcOptions options) {
        return !options.reference() && smallPatcherMode(c, rows);
    }

    public Acdc(EdgePatcher patcher, Metric metric, AcdcOptions options) {
        this.patcher = patcher;
        this.metric = metric;
        this.options = options;
        this.graph = patcher.graph();
        this.small = !options.reference() && useSmallPatcher(patcher) ? SmallModelPatcher.of(patcher) : null;
        this.batchLimit = (int) Math.max(1, Math.min(options.speculativeBatch(),
                SPECULATIVE_BATCH_BYTES / Math.max(1, patcher.bytesPerVariant())));
        this.outputRows = metric.scoredPositions()
                .map(p -> p.flatIndices(patcher.input().batch(), patcher.input().length())).orElse(null);
    }

    private static boolean useSmallPatcher(EdgePatcher patcher) {
        return smallPatcherMode(patcher.graph().config(), (long) patcher.input().batch() * patcher.input().length());
    }

    private static boolean smallPatcherMode(TransformerConfig c, long rows) {
        String mode = System.getProperty(SMALL_PATCHER_PROPERTY, "auto");
        return switch (mode) {
            case "on" -> true;
            case "off" -> false;
            // SmallModelPatcher computes GPT-2-style blocks only: a family model (rotary, RMSNorm, …) takes the EdgePatcher
            case "auto" -> c.gpt2StyleArchitecture() && isSmall(c, rows);
            default -> throw new IllegalArgumentException(SMALL_PATCHER_PROPERTY + " must be auto, on or off, found '" + mode + "'");
        };
    }

    /**
     * Small: rows (batch × positions) × layers × per-layer weights (q, k, v, o projections and the MLP)
     * ≤ {@link #SMALL_MODEL_MACS}, i.e. one variant's masked forward is a few ms of plain Java or less.
     */
    static boolean isSmall(TransformerConfig c, long rows) {
        long perLayer = 4L * c.nHeads() * c.dModel() * c.dHead() + 2L * c.dModel() * c.dMlp();
        long macs = rows * c.nLayers() * perLayer + rows * c.dModel() * c.dVocabOut();
        return macs <= SMALL_MODEL_MACS;
    }

    /**
     * Evaluates the speculative batches of cumulative removals with {@code evaluator} (on a cluster's executors) instead
     * of in this JVM; every decision is still taken here, in ACDC's order. Not on the reference path, which is the oracle.
     *
     * @return this
     */
    public Acdc withRemovalEvaluator(RemovalEvaluator evaluator) {
        if (options.reference()) throw new IllegalArgumentException("the reference path evaluates one edge at a time, in this JVM");
        this.remote = evaluator;
        return this;
    }

    /**
     * The metric of each mask as this run's fast path computes it (the engine or plain Java, the masks in one batch);
     * what an executor computes for a {@link RemovalEvaluator}.
     */
    public double[] metricOf(float[][] masks) {
        return evaluate(masks);
    }

    /** Whether the fast path evaluates with {@link SmallModelPatcher} (plain Java) rather than the {@link EdgePatcher}. */
    boolean evaluatesWithSmallPatcher() {
        return small != null;
    }

    /** The speculative batch the fast path uses: the option, capped by memory; 1 on the reference and small paths. */
    public int effectiveSpeculativeBatch() {
        return options.reference() || small != null ? 1 : batchLimit;
    }

    public AcdcResult run() {
        return run(AcdcJournal.none(), p -> {});
    }

    public AcdcResult run(AcdcJournal journal, Consumer<Progress> progress) {
        return run(new BitSet(), journal, progress);
    }

    /**
     * ACDC on the graph less {@code removedBeforeWalk}: those edges are removed before the first receiver (an
     * attribution prefilter, {@link dev.acdc.discovery.method.PrefilteredAcdc}), are never tested, never journaled and
     * keep a NaN effect, as ACDC++ removes them from its graph before {@code exp.step()}. The walk is ACDC's: the
     * reference metric starts at the prefiltered circuit's (ACDC recomputes it at each step, so every later effect is
     * relative to the circuit left), receivers that feed no surviving edge are skipped, and the remaining edges are
     * tested in the sender order. With no edge removed this is {@link #run(AcdcJournal, Consumer)} exactly (the same
     * evaluations in the same order).
     */
    public AcdcResult run(BitSet removedBeforeWalk, AcdcJournal journal, Consumer<Progress> progress) {
        long start = System.nanoTime();
        int n = graph.edgeCount();
        if (removedBeforeWalk.length() > n) {
            throw new IllegalArgumentException("prefilter removes edge " + (removedBeforeWalk.length() - 1) + "; the graph has "
                    + n + " edges");
        }
        float[] mask = new float[n];
        Arrays.fill(mask, 1f);
        removedBeforeWalk.stream().forEach(id -> mask[id] = 0f);
        double[] scores = new double[n];
        Arrays.fill(scores, Double.NaN);
        int tested = 0, forwards = 0;
        double full = evaluate(new float[][] {ones(n)})[0];
        forwards++;
        double cur = full;
        if (!removedBeforeWalk.isEmpty()) {
            cur = evaluate(new float[][] {mask})[0];
            forwards++;
        }
        var receivers = graph.receiversInOrder();
        int decided = options.receiverBudget() == 0 ? receivers.size() : Math.min(options.receiverBudget(), receivers.size());
        for (int ri = 0; ri < decided; ri++) {
            Node r = receivers.get(ri);
            int[] all = graph.inEdgeIds(r, options.senderOrder());
            int[] ids = removedBeforeWalk.isEmpty() ? all
                    : Arrays.stream(all).filter(id -> !removedBeforeWalk.get(id)).toArray();
            if (!AcdcWalk.feedsSurvivingEdge(graph, r, mask)) {
                for (int id : all) mask[id] = 0f;
                progress.accept(new Progress(ri + 1, decided, countKept(mask), tested, r, true));
                continue;
            }
            int i = 0;
            while (i < ids.length) {
                AcdcJournal.Decision replayed = journal.nextReplay(ids[i], this::edgeName);
                if (replayed != null) {
                    checkReplayed(journal, replayed, cur);
                    scores[ids[i]] = replayed.effect();
                    if (replayed.removed()) {
                        mask[ids[i]] = 0f;
                        cur = replayed.newMetric();
                    }
                    tested++;
                    i++;
                    continue;
                }
                // Speculative batches amortize DJL's per-operation cost; the Java patcher has none, so there
                // they would only compute variants that a kept edge then throws away.
                double[] values;
                int k;
                if (remote != null) {
                    // the executors evaluate as many removals as they have slots; the decisions below are the same
                    k = Math.min(remote.width(), ids.length - i);
                    values = remote.cumulativeRemovals(mask, Arrays.copyOfRange(ids, i, i + k));
                } else {
                    k = options.reference() || small != null ? 1 : Math.min(batchLimit, ids.length - i);
                    float[][] variants = new float[k][];
                    float[] cumulative = mask.clone();
                    for (int j = 0; j < k; j++) {
                        cumulative[ids[i + j]] = 0f;
                        variants[j] = cumulative.clone();
                    }
                    values = evaluate(variants);
                }
                forwards++;
                int consumed = 0;
                for (int j = 0; j < k; j++) {
                    int id = ids[i + j];
                    double effect = values[j] - cur;
                    boolean remove = options.absValue() ? Math.abs(effect) < options.threshold() : effect < options.threshold();
                    scores[id] = effect;
                    tested++;
                    consumed++;
                    journal.record(new AcdcJournal.Decision(id, remove, values[j], effect));
                    if (remove) {
                        mask[id] = 0f;
                        cur = values[j];
                    } else {
                        break;   // the later variants assumed this edge removed: re-run them
                    }
                }
                i += consumed;
            }
            progress.accept(new Progress(ri + 1, decided, countKept(mask), tested, r, false));
        }
        if (journal.unreplayed() > 0) {
            throw new AcdcJournal.MismatchException("journal " + journal.file() + " holds " + journal.unreplayed()
                    + " decisions after the last edge this run tests; it contradicts this graph: run without --resume to start over");
        }
        BitSet kept = new BitSet(n);
        for (int id = 0; id < n; id++) if (mask[id] == 1f) kept.set(id);
        double finalValue = evaluate(new float[][] {mask})[0];
        forwards++;
        Circuit circuit = Circuit.of(graph, kept).withScores(scores);
        return new AcdcResult(circuit, full, finalValue, tested, forwards, (System.nanoTime() - start) / 1e9);
    }

    private String edgeName(int id) {
        return id >= 0 && id < graph.edgeCount() ? graph.edge(id).name() : "no such edge in this graph";
    }

    /**
     * A replayed decision must be one this run would have made from the same numbers: removal follows from its effect
     * and τ, and its effect is its new metric minus the current one. The current metric at the start is recomputed,
     * so the subtraction is compared with a relative tolerance of 1e-9 (far above rounding, far below any effect that
     * decides an edge). A journal whose checksums hold but whose decisions do not is from another graph or metric.
     */
    private void checkReplayed(AcdcJournal journal, AcdcJournal.Decision d, double cur) {
        double effect = d.newMetric() - cur;
        boolean remove = options.absValue() ? Math.abs(d.effect()) < options.threshold() : d.effect() < options.threshold();
        boolean sameEffect = Math.abs(effect - d.effect()) <= 1e-9 * (Math.abs(d.newMetric()) + Math.abs(cur)) + 1e-12;
        if (!sameEffect || remove != d.removed()) {
            throw new AcdcJournal.MismatchException("journal " + journal.file() + " line " + journal.lineOfLastReplay()
                    + " (edge " + graph.edge(d.edgeId()).name() + ") records effect " + d.effect() + " and "
                    + (d.removed() ? "removed" : "kept") + ", but " + (sameEffect ? "at τ = " + options.threshold() + " that effect means "
                    + (remove ? "removed" : "kept") : "its new metric " + d.newMetric() + " gives effect " + effect)
                    + "; the journal contradicts this run: run without --resume to start over");
        }
    }

    private static float[] ones(int n) {
        float[] m = new float[n];
        Arrays.fill(m, 1f);
        return m;
    }

    private static int countKept(float[] mask) {
        int k = 0;
        for (float m : mask) if (m == 1f) k++;
        return k;
    }

    /** The metric of each variant, every array of the evaluation in one scope. */
    private double[] evaluate(float[][] masks) {
        if (small != null && metric instanceof ArrayMetric am) {
            // no NDArray at all: on tiny models the native calls of scoring cost more than the forward
            float[] logits = small.logits(masks);
            int b = small.batch(), p = small.length(), v = graph.config().dVocabOut();
            double[] out = new double[masks.length];
            for (int k = 0; k < masks.length; k++) out[k] = am.evaluate(logits, k * b * p * v, b, p, v);
            return out;
        }
        try (NDManager scope = NDManager.newBaseManager()) {
            double[] out = new double[masks.length];
            if (outputRows != null && small == null) {
                // the metric's rows only, [K·N, V]: no full-size logits anywhere
                NDArray rows = options.reference() ? patcher.logitsNonIncrementalAt(scope, masks, outputRows)
                        : patcher.logitsAt(scope, masks, outputRows);
                int n = outputRows.length;
                for (int k = 0; k < masks.length; k++) {
                    out[k] = metric.evaluateRows(masks.length == 1 ? rows : rows.get(k * n + ":" + (k + 1) * n));
                }
                return out;
            }
            NDArray logits = options.reference() ? patcher.logitsNonIncremental(scope, masks)
                    : small != null ? small.logits(scope, masks) : patcher.logits(scope, masks);
            int b = patcher.input().batch();
            for (int k = 0; k < masks.length; k++) {
                out[k] = metric.evaluate(masks.length == 1 ? logits : logits.get(k * b + ":" + (k + 1) * b));
            }
            return out;
        }
    }
}
