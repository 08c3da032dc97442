package dev.acdc.datasets.tracr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.acdc.datasets.EdgeNotation;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.random.TorchCpuRandom;
import dev.acdc.metrics.ArrayMetric;
import dev.acdc.metrics.Metric;
import dev.acdc.metrics.Metrics;
import dev.acdc.metrics.ScoredPositions;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.compiler.RaspCompiler;
import dev.acdc.tracr.lib.Library;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The ACDC paper's two tracr tasks, built as the ACDC code builds them ({@code acdc/tracr_task/utils.py}),
 * on our compiler's models.
 *
 * <ul>
 *   <li>{@code tracr-reverse}: {@code make_reverse(tokens)}, vocab {1,2,3}, max_seq_len 5; clean data is BOS
 *   followed by each of the 6 permutations of 1,2,3; corrupted data is the same rows under a seeded
 *   permutation with no fixed point.</li>
 *   <li>{@code tracr-proportion}: {@code make_frac_prevs(tokens == "x")}, vocab {w,x,y,z}, max_seq_len 5;
 *   clean data is 50 distinct seeded random strings of length 4, each after BOS (50 more held out for
 *   testing); corrupted data is a seeded permutation of the rows. The ACDC code omitted BOS and mis-encoded
 *   the tokens here; we encode every row as the compiled model expects.</li>
 * </ul>
 *
 * <p>The {@code acdc-code} variants ({@link #proportionAcdcCode}, {@link #reverseAcdcCode}, named
 * {@code tracr-proportion:acdc-code} and {@code tracr-reverse:acdc-code}) are instead exactly the ACDC code's data, token
 * ids and metric, on tracr's model as its TransformerLens port ran it ({@link AcdcCodeTracr}). For proportion that
 * means no BOS and the reference's ids {@code ord(c) − ord("w")}, which tracr's encoder reads as other tokens
 * ({@link TracrInputEncoding}: w → BOS, x → compiler_pad, y → w, z → x); we feed our model the ids of those same
 * tokens. For reverse the clean rows are ours (the ACDC code encoded them correctly); the corruption is the reference's.
 *
 * <p>Metrics: {@code l2} (the default) = mean over batch, positions 1.. and output dimensions of
 * (patched − clean)²; {@code kl} over positions 1... The ACDC code's {@code l2_metric} scores positions 1.. too, with or
 * without BOS; on proportion it takes output 0 only ({@code take_element_zero}), which is tracr's {@code frac_prevs}
 * direction (the first residual direction in tracr's sorted order, which its unembedding {@code eye(d_model, 4)}
 * puts first) and our model's only output. The acdc-code variants offer {@code l2} only: the ACDC code refuses KL on
 * reverse, and KL over proportion's four reference outputs (three of which are position indicators) has no counterpart
 * in our one-output model.
 *
 * <p>Resample ablation scrambles positions in the corrupted run, as the ACDC code does: the corrupted
 * run's {@code hook_pos_embed} at position p is the embedding of position perm[p], one permutation for
 * the whole batch, perm = torch's {@code randperm(length)} right after {@code manual_seed(49)}
 * ({@code acdc_utils.shuffle_tensor(z[0], seed=49)} in {@code TLACDCExperiment.setup_corrupted_cache}):
 * [2, 3, 0, 1] at length 4 (reverse, proportion with the ACDC code's data), [0, 2, 4, 1, 3] at length 5 (our
 * proportion, with BOS).
 *
 * <p>Ground truths: {@code published} (ACDC's hand-checked zero-ablation circuits, 15 and 10 edges) and
 * {@code compiler} (every edge our compiled weights carry information along). See the README section
 * "tracr ground truths" for why they differ.
 */
public final class TracrTask implements Task {

    /** The seed of the ACDC code's position scramble ({@code shuffle_tensor(z[0], seed=49)}). */
    static final long POSITION_SCRAMBLE_SEED = 49;

    /** The suffix of the acdc-code variants' names. */
    public static final String ACDC_CODE_SUFFIX = ":acdc-code";

    private static final List<String> PUBLISHED_REVERSE = List.of(
            "a3.0->output", "m2->a3.0.q", "pos_embed->a3.0.k", "tok_embed->a3.0.v", "m1->m2", "m0->m1",
            "tok_embed->m1", "pos_embed->m1", "a0.0->m0", "tok_embed->m0", "tok_embed->a0.0.v",
            "a3.0.q->a3.0.hook_q", "a3.0.k->a3.0.hook_k", "a3.0.v->a3.0.hook_v", "a0.0.v->a0.0.hook_v");

    private static final List<String> PUBLISHED_PROPORTION = List.of(
            "a1.0->output", "tok_embed->a1.0.q", "pos_embed->a1.0.q", "tok_embed->a1.0.k", "pos_embed->a1.0.k",
            "m0->a1.0.v", "tok_embed->m0", "a1.0.q->a1.0.hook_q", "a1.0.k->a1.0.hook_k", "a1.0.v->a1.0.hook_v");

    private final String name;
    private final String description;
    private final CompiledModel compiled;
    private final TransformerWeights weights;
    private final ModelInput clean;
    private final ModelInput corrupted;
    private final ModelInput held;
    private final int[] positionPermutation;   // null: no scramble
    private final List<String> metricNames;
    private final Map<String, List<String>> groundTruths;

    private TracrTask(String name, String description, CompiledModel compiled, TransformerWeights weights, int[][] clean,
                      int[][] corrupted, int[][] held, boolean scramblePositions, List<String> metricNames, List<String> published) {
        this.name = name;
        this.description = description;
        this.compiled = compiled;
        this.weights = weights;
        this.clean = ModelInput.of(clean);
        this.corrupted = ModelInput.of(corrupted);
        this.held = held == null ? null : ModelInput.of(held);
        this.positionPermutation = scramblePositions ? acdcPositionScramble(clean[0].length) : null;
        this.metricNames = List.copyOf(metricNames);
        Map<String, List<String>> gt = new LinkedHashMap<>();
        gt.put("published", List.copyOf(published));
        gt.put("compiler", EdgeNotation.toGraph(compiled.groundTruth().toEdgeStrings()));
        this.groundTruths = Collections.unmodifiableMap(gt);
    }

    /** tracr-reverse with the given corruption seed; {@code scramblePositions} as the ACDC code does. */
    public static TracrTask reverse(long seed, boolean scramblePositions) {
        CompiledModel m = compileReverse();
        List<List<Object>> perms = permutations(List.of(1, 2, 3));
        int[][] clean = new int[perms.size()][];
        for (int i = 0; i < clean.length; i++) clean[i] = m.encoder().encode(perms.get(i));
        int[] order = derangement(clean.length, new Random(seed));
        int[][] corrupted = new int[clean.length][];
        for (int i = 0; i < clean.length; i++) corrupted[i] = clean[order[i]].clone();
        return new TracrTask("tracr-reverse", "reverse of 1,2,3 permutations (compiled make_reverse, 4 layers)", m, m.weights(),
                clean, corrupted, null, scramblePositions, ourMetrics(m), PUBLISHED_REVERSE);
    }

    /** tracr-proportion with the given data seed; {@code scramblePositions} as the ACDC code does. */
    public static TracrTask proportion(long seed, boolean scramblePositions) {
        CompiledModel m = compileProportion();
        List<String> letters = List.of("w", "x", "y", "z");
        Random r = new Random(seed);
        Set<List<Object>> distinct = new LinkedHashSet<>();
        while (distinct.size() < 100) {
            List<Object> s = new ArrayList<>();
            for (int i = 0; i < 4; i++) s.add(letters.get(r.nextInt(4)));
            distinct.add(s);
        }
        List<List<Object>> all = new ArrayList<>(distinct);
        int[][] clean = new int[50][], held = new int[50][];
        for (int i = 0; i < 50; i++) {
            clean[i] = m.encoder().encode(all.get(i));
            held[i] = m.encoder().encode(all.get(50 + i));
        }
        int[] order = permutation(50, r);
        int[][] corrupted = new int[50][];
        for (int i = 0; i < 50; i++) corrupted[i] = clean[order[i]].clone();
        return new TracrTask("tracr-proportion", "fraction of previous tokens equal to x (compiled make_frac_prevs, 2 layers)",
                m, m.weights(), clean, corrupted, held, scramblePositions, ourMetrics(m), PUBLISHED_PROPORTION);
    }

    /**
     * tracr-proportion exactly as the ACDC code ran it: its 50 clean rows, their corruption and its 50 test rows (held
     * out), drawn with its seed 1234, no BOS, its ids read as tracr reads them; tracr's model as run there.
     */
    public static TracrTask proportionAcdcCode(boolean scramblePositions) {
        CompiledModel m = compileProportion();
        TracrInputEncoding tracr = TracrInputEncoding.of(m.encoder().vocab());
        AcdcCodeTracr.Rows rows = AcdcCodeTracr.proportionRows();
        return new TracrTask("tracr-proportion" + ACDC_CODE_SUFFIX,
                "tracr-proportion as the ACDC code ran it (its data: no BOS, ids w,x,y,z = 0..3 read by tracr as BOS, PAD, w, x)",
                m, AcdcCodeTracr.weightsAsRun(m, AcdcCodeTracr.PROPORTION_CONFIG), toOurs(rows.clean(), tracr, m),
                toOurs(rows.corrupted(), tracr, m), toOurs(rows.test(), tracr, m), scramblePositions, ACDC_CODE_METRICS,
                PUBLISHED_PROPORTION);
    }

    /** tracr-reverse exactly as the ACDC code ran it: the same clean rows as ours, the reference's corruption. */
    public static TracrTask reverseAcdcCode(boolean scramblePositions) {
        CompiledModel m = compileReverse();
        TracrInputEncoding tracr = TracrInputEncoding.of(m.encoder().vocab());
        AcdcCodeTracr.Rows rows = AcdcCodeTracr.reverseRows();
        return new TracrTask("tracr-reverse" + ACDC_CODE_SUFFIX, "tracr-reverse as the ACDC code ran it (its corruption permutation)",
                m, AcdcCodeTracr.weightsAsRun(m, AcdcCodeTracr.REVERSE_CONFIG), toOurs(rows.clean(), tracr, m),
                toOurs(rows.corrupted(), tracr, m), null, scramblePositions, ACDC_CODE_METRICS, PUBLISHED_REVERSE);
    }

    /**
     * KL compares output distributions; a numerical program (proportion) has one output dimension, whose softmax is 1
     * whatever the model computes, so KL would be 0 for every circuit and rank nothing.
     */
    private static List<String> ourMetrics(CompiledModel m) {
        return m.config().dVocabOut() > 1 ? List.of("l2", "kl") : List.of("l2");
    }

    /** The ACDC code's tracr metric: it refuses KL on reverse, and proportion's KL has no counterpart here. */
    private static final List<String> ACDC_CODE_METRICS = List.of("l2");

    private static CompiledModel compileReverse() {
        return RaspCompiler.compile("reverse", Library.get("reverse").build(Map.of(), 5), List.of(1, 2, 3), 5);
    }

    private static CompiledModel compileProportion() {
        return RaspCompiler.compile("frac_prevs", Library.get("frac_prevs").build(Map.of("token", "x"), 5),
                List.of("w", "x", "y", "z"), 5);
    }

    private static int[][] toOurs(int[][] tracrRows, TracrInputEncoding tracr, CompiledModel m) {
        int[][] out = new int[tracrRows.length][];
        for (int i = 0; i < out.length; i++) out[i] = tracr.toOurs(tracrRows[i], m.encoder());
        return out;
    }

    /** The ACDC code's position scramble for sequences of {@code length}: torch {@code randperm} after {@code manual_seed(49)}. */
    static int[] acdcPositionScramble(int length) {
        return new TorchCpuRandom(POSITION_SCRAMBLE_SEED).randperm(length);
    }

    public CompiledModel compiled() {
        return compiled;
    }

    /** Held-out clean rows (tracr-proportion), or null. */
    public ModelInput heldOut() {
        return held;
    }

    /** The position permutation of the corrupted run, or null when positions are not scrambled. */
    public int[] positionPermutation() {
        return positionPermutation == null ? null : positionPermutation.clone();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    /** The weights run: the compiled model's, or for the acdc-code variants tracr's as the ACDC code ran them. */
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
    public List<Hook> corruptedHooks() {
        if (positionPermutation == null) return List.of();
        int[] perm = positionPermutation.clone();
        return List.of(new Hook(HookNames.POS_EMBED, x -> {
            NDList columns = new NDList();
            for (int p : perm) columns.add(x.get(":, " + p + ":" + (p + 1) + ", :"));   // [B, 1, D]
            return NDArrays.concat(columns, 1);                                           // [B, P, D]
        }));
    }

    @Override
    public int[] corruptedPositionPermutation() {
        return positionPermutation();
    }

    @Override
    public boolean corruptedHooksArePositionPermutation() {
        return true;
    }

    /** {@code l2} as an array metric (the same numbers as {@link #metric}'s); null for {@code kl}. */
    @Override
    public ArrayMetric arrayMetric(String metricName, float[] cleanOutput, int batch, int positions, int width) {
        if (!metricName.equals("l2")) return null;
        return Metrics.l2(cleanOutput, batch, positions, width, fromPositionOne(batch, positions));
    }

    @Override
    public List<String> metricNames() {
        return metricNames;
    }

    /** {@code l2} or {@code kl}; {@code kl} is built even where {@link #metricNames()} does not offer it (methods that fall back). */
    @Override
    public Metric metric(String metricName, NDArray cleanOutput) {
        ScoredPositions fromOne = fromPositionOne(clean.batch(), clean.length());
        return switch (metricName) {
            case "l2" -> Metrics.l2(cleanOutput, fromOne);
            case "kl" -> Metrics.klDivergence(cleanOutput, fromOne);
            default -> throw new IllegalArgumentException("unknown metric '" + metricName + "' for task " + name
                    + "; expected one of " + metricNames);
        };
    }

    @Override
    public Map<String, List<String>> groundTruths() {
        return groundTruths;
    }

    /** Positions 1.. of every row: after BOS, and where the ACDC code's {@code logits[:, 1:]} starts with or without it. */
    static ScoredPositions fromPositionOne(int batch, int length) {
        boolean[][] m = new boolean[batch][length];
        for (boolean[] row : m) Arrays.fill(row, 1, length, true);
        return ScoredPositions.mask(m);
    }

    static List<List<Object>> permutations(List<Object> items) {
        if (items.isEmpty()) return List.of(List.of());
        List<List<Object>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<Object> rest = new ArrayList<>(items);
            Object first = rest.remove(i);
            for (List<Object> p : permutations(rest)) {
                List<Object> l = new ArrayList<>();
                l.add(first);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }

    /** A uniformly drawn permutation with no fixed point (rejection sampling). */
    static int[] derangement(int n, Random r) {
        while (true) {
            int[] p = permutation(n, r);
            boolean fixed = false;
            for (int i = 0; i < n; i++) fixed |= p[i] == i;
            if (!fixed) return p;
        }
    }

    static int[] permutation(int n, Random r) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
