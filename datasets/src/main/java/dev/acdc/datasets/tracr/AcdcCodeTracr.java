package dev.acdc.datasets.tracr;

import dev.acdc.datasets.random.TorchCpuRandom;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.craft.BasisDirection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracr tasks exactly as the ACDC code ran them ({@code acdc/tracr_task/utils.py} at commit bc99ace8, started by
 * {@code acdc/main.py} with its default {@code --seed 1234}), for the {@code acdc-code} data variant.
 *
 * <h2>The draws</h2>
 * {@code main.py} calls {@code torch.manual_seed(1234)}; {@code get_all_tracr_things} then builds the model
 * ({@code HookedTransformer(cfg)}, whose weight initialisation {@link TransformerLensInit} replays) and draws the data
 * from torch's global generator: tracr-proportion {@code randperm(256)} (which 100 of the 256 strings of length 4
 * over "wxyz", first 50 clean, last 50 test), {@code randperm(50)} (the clean rows' corruption) and
 * {@code randperm(50)} (the test rows'); tracr-reverse {@code get_perm(6)}: {@code randperm(6)} until it has no fixed
 * point. Nothing else between the seed and these calls touches torch's generator (the tracr compiler runs on JAX,
 * the TransformerLens forward passes that check the port are deterministic).
 *
 * <h2>The model's shape, which decides how many words the initialisation draws</h2>
 * The ACDC code reads the TransformerLens config off tracr's compiled model: {@code d_model} and {@code d_vocab} from
 * the token embedding, {@code n_ctx} from the position embedding, {@code d_head = key_size}, {@code d_mlp =
 * mlp_hidden_size}, and {@code d_vocab_out = d_vocab − 2}. tracr's {@code assemble._get_model_config_and_module_names}
 * sets {@code key_size} to the largest dimension of any head's {@code w_qk}, whose query side is the query SOp's basis
 * plus tracr's BOS and {@code one} directions and whose key side is the key SOp's basis plus BOS
 * ({@code categorical_attn}). Derived from tracr's source:
 * <ul>
 *   <li>tracr-proportion ({@code make_frac_prevs(tokens == "x")}, vocab {w,x,y,z}, max_seq_len 5): 2 layers,
 *   d_model 14, 1 head, key_size 7 (indices 0..4 + BOS + one), mlp_hidden_size 1, n_ctx 6, d_vocab 6,
 *   d_vocab_out 4 → 1,296 words before the first {@code randperm};</li>
 *   <li>tracr-reverse ({@code make_reverse} as written inline there, vocab {1,2,3}, max_seq_len 5): 4 layers,
 *   d_model 41, 1 head, key_size 12 (the 10 values of {@code length − indices − 1} + BOS + one), mlp_hidden_size 30
 *   (the sequence map's 6 × 5 value pairs), n_ctx 6, d_vocab 5, d_vocab_out 3 → 18,718 words.</li>
 * </ul>
 * All but {@code d_head} and {@code d_vocab_out} are also our compiled model's dimensions, which is checked when the
 * task is built ({@link #checkSameShape}).
 *
 * <h2>What was verified and what was only derived</h2>
 * No Python, torch, JAX or tracr could run here, so nothing below was executed against the reference. Derived from
 * the sources and cited above, not run: the order of the draws, tracr's dimensions (so the 1,296 and 18,718 words),
 * TransformerLens's parameter order, torch 1.13's CPU {@code normal_} consumption, and therefore which rows and which
 * corruption come out. Checked against known outputs: MT19937 seeding (shared check values) and {@code randperm}
 * under seed 49 ([2, 3, 0, 1] at length 4, the permutation the ACDC code's scramble is known to give). Checked against
 * the ACDC code's recorded results, which the data's details hardly move: on this data ACDC keeps exactly the
 * published tracr-proportion circuit at zero ablation (the two BOS-trick edges our own data drops included), and
 * without the position scramble it keeps under resample ablation what the ACDC repository's stored runs kept
 * (6 proportion edges, TPR 0.6, 8 of 11 nodes; 3 reverse edges, TPR 0.2, 5 of 16 nodes). Those runs date from June
 * 2023, when the scramble shuffled the batch of identical position embeddings and so did nothing (commit 02e3bfe1;
 * fixed by 3a34f19c in August); with the scramble of bc99ace8 proportion keeps 9 edges.
 *
 * <h2>The model as the ACDC code ran it</h2>
 * The reference ran tracr's weights in TransformerLens, and they differ from our compiled model in two ways that
 * matter for its data (see {@link #weightsAsRun}); everything else (embeddings, the heads' bilinear forms, MLPs) is
 * the same map between the same labelled directions for tracr-proportion, which a test checks direction by
 * direction. For tracr-reverse that check covers the embeddings and attention only, not its MLPs.
 */
final class AcdcCodeTracr {
    private AcdcCodeTracr() {}

    /** {@code acdc/main.py}'s default {@code --seed}. */
    static final long MAIN_SEED = 1234;

    /** The TransformerLens config the ACDC code builds for tracr-proportion (derived from tracr; see the class comment). */
    static final TransformerLensInit PROPORTION_CONFIG = new TransformerLensInit(2, 14, 1, 7, 1, 6, 6, 4);

    /** The TransformerLens config the ACDC code builds for tracr-reverse. */
    static final TransformerLensInit REVERSE_CONFIG = new TransformerLensInit(4, 41, 1, 12, 30, 6, 5, 3);

    /**
     * Data in tracr's token ids, as the reference tensors hold them.
     *
     * @param clean          {@code validation_data}
     * @param corrupted      {@code validation_patch_data}
     * @param test           {@code test_data}, or null (reverse has none)
     * @param testCorrupted  {@code test_patch_data}, or null
     */
    record Rows(int[][] clean, int[][] corrupted, int[][] test, int[][] testCorrupted) {}

    /**
     * tracr-proportion's rows: {@code all_things = itertools.product("wxyz", repeat=4)} (lexicographic, last letter
     * fastest), row i = {@code all_things[randperm(256)[i]]} for i < 100 encoded {@code ord(c) − ord("w")}, no BOS.
     */
    static Rows proportionRows() {
        TorchCpuRandom torch = new TorchCpuRandom(MAIN_SEED);
        PROPORTION_CONFIG.replay(torch);
        int[] pick = torch.randperm(256);
        int[][] data = new int[100][];
        for (int i = 0; i < data.length; i++) {
            int k = pick[i];
            data[i] = new int[] {k / 64, k / 16 % 4, k / 4 % 4, k % 4};
        }
        int[] validationOrder = torch.randperm(50);
        int[] testOrder = torch.randperm(50);
        int[][] clean = new int[50][], corrupted = new int[50][], test = new int[50][], testCorrupted = new int[50][];
        for (int i = 0; i < 50; i++) {
            clean[i] = data[i].clone();
            test[i] = data[50 + i].clone();
            corrupted[i] = data[validationOrder[i]].clone();
            testCorrupted[i] = data[50 + testOrder[i]].clone();
        }
        return new Rows(clean, corrupted, test, testCorrupted);
    }

    /**
     * tracr-reverse's rows: {@code [3, p0, p1, p2]} for each permutation of (0, 1, 2) in {@code itertools} order (3 is
     * BOS, 0..2 the tokens 1..3 in tracr's encoding); corrupted = the rows under {@code get_perm(6)}.
     */
    static Rows reverseRows() {
        TorchCpuRandom torch = new TorchCpuRandom(MAIN_SEED);
        REVERSE_CONFIG.replay(torch);
        List<List<Object>> perms = TracrTask.permutations(List.of(0, 1, 2));
        int[][] clean = new int[perms.size()][];
        for (int i = 0; i < clean.length; i++) {
            List<Object> p = perms.get(i);
            clean[i] = new int[] {3, (Integer) p.get(0), (Integer) p.get(1), (Integer) p.get(2)};
        }
        int[] order = derangement(torch, clean.length);
        int[][] corrupted = new int[clean.length][];
        for (int i = 0; i < clean.length; i++) corrupted[i] = clean[order[i]].clone();
        return new Rows(clean, corrupted, null, null);
    }

    /** {@code get_perm(n)}: {@code torch.randperm(n)} again until no element is a fixed point. */
    static int[] derangement(TorchCpuRandom torch, int n) {
        if (n < 2) throw new IllegalArgumentException("get_perm needs n > 1, found " + n);
        while (true) {
            int[] p = torch.randperm(n);
            boolean fixed = false;
            for (int i = 0; i < n; i++) fixed |= p[i] == i;
            if (!fixed) return p;
        }
    }

    /**
     * Our compiled model changed to compute what tracr's model computed in the ACDC code's TransformerLens port:
     * <ul>
     *   <li>attention scale 1/√{@code key_size}: TransformerLens divides scores by √d_head ({@code use_attn_scale} is on
     *   by default) and tracr's own model does too ({@code transformer/attention.py}); our compiler folds its softmax
     *   coldness into the weights and runs at scale 1, so tracr's heads are {@code √key_size} times less sharp;</li>
     *   <li>no PAD mask: our heads score a PAD key −2·coldness so that padding never changes an average; tracr's do
     *   not. The ACDC code's proportion rows hold tracr's PAD id as a token (its "x"), which its heads attend to like
     *   any other; dropping the PAD direction from every key (its rows of {@code W_K}) removes our mask.</li>
     * </ul>
     */
    static TransformerWeights weightsAsRun(CompiledModel m, TransformerLensInit tl) {
        checkSameShape(m, tl);
        TransformerConfig c = m.config();
        int pad = m.residualLabels().indexOf(BasisDirection.PAD.toString());
        if (pad < 0) throw new IllegalStateException(m.program() + ": the compiled model has no '" + BasisDirection.PAD + "' direction");
        Map<String, Tensor> tensors = new LinkedHashMap<>(m.weights().tensors());
        for (int l = 0; l < c.nLayers(); l++) {
            Tensor wK = tensors.get(WeightNames.wK(l));                                   // [H, D, dHead]
            float[] data = wK.data().clone();
            for (int h = 0; h < c.nHeads(); h++) {
                for (int j = 0; j < c.dHead(); j++) data[wK.offset(h, pad, j)] = 0f;
            }
            tensors.put(WeightNames.wK(l), new Tensor(wK.shape(), data));
        }
        TransformerConfig asRun = new TransformerConfig(c.name() + " (as the ACDC code ran tracr's)", c.nLayers(), c.dModel(),
                c.nHeads(), c.dHead(), c.dMlp(), c.dVocab(), c.dVocabOut(), c.nCtx(), c.normalization(), c.layerNormEps(),
                c.activation(), c.causal(), 1.0 / Math.sqrt(tl.dHead()), c.separateEmbeddingNodes());
        return TransformerWeights.of(asRun, tensors);
    }

    /**
     * Our compiled model has tracr's shape where the two compilers agree (all but {@code d_head}, which tracr sizes by
     * the query side and we by the key side, and {@code d_vocab_out}, which the ACDC code sets to {@code d_vocab − 2}).
     */
    static void checkSameShape(CompiledModel m, TransformerLensInit tl) {
        TransformerConfig c = m.config();
        List<String> diffs = new ArrayList<>();
        compare(diffs, "n_layers", c.nLayers(), tl.nLayers());
        compare(diffs, "d_model", c.dModel(), tl.dModel());
        compare(diffs, "n_heads", c.nHeads(), tl.nHeads());
        compare(diffs, "d_mlp", c.dMlp(), tl.dMlp());
        compare(diffs, "n_ctx", c.nCtx(), tl.nCtx());
        compare(diffs, "d_vocab", c.dVocab(), tl.dVocab());
        if (!diffs.isEmpty()) {
            throw new IllegalStateException("our compiled " + m.program() + " no longer has the shape of tracr's model, from which the"
                    + " ACDC code's data was drawn: " + String.join(", ", diffs));
        }
    }

    private static void compare(List<String> diffs, String name, int ours, int tracr) {
        if (ours != tracr) diffs.add(name + " " + ours + " (tracr " + tracr + ")");
    }
}
