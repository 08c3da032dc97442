package dev.acdc.patching.load;

import ai.djl.ndarray.NDManager;
import dev.acdc.patching.model.Architecture;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.PositionalEncoding;
import dev.acdc.patching.model.Tensor;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.patching.model.WeightNames;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.acdc.patching.load.HfFixture.TOL;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each plausible mistake the fixtures' READMEs list, made on purpose in the config or the weights, moves the logits by
 * more than the tolerance: the golden test would catch it. The README's measured change (from a throw-away variant
 * of its own float64 reference, given to two digits) is in the table; ours must agree with it within 10%, which checks
 * that the variant is the mistake the README describes.
 */
class HookedTransformerFamilyVariantsTest {

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("pythia-tiny", "RoPE pairs interleaved (GPT-J) instead of rotate_half", 3.3, v(w -> arch(w, a -> a.positions(pairing(a, PositionalEncoding.Pairing.ADJACENT))))),
                Arguments.of("pythia-tiny", "rotary on all 16 dims instead of rotary_pct's 4", 3.5, v(w -> arch(w, a -> a.positions(rotaryDims(a, 16))))),
                Arguments.of("pythia-tiny", "sequential residual instead of parallel", 4.6, v(w -> arch(w, a -> a.residual(Architecture.ResidualLayout.SEQUENTIAL)))),
                Arguments.of("pythia-tiny", "query_key_value read as [all q | all k | all v]", 5.8, v(Variants::blockwiseQkv)),
                Arguments.of("pythia-tiny", "tanh GELU instead of the exact erf GELU", 0.00097, v(w -> config(w, TransformerConfig.Activation.GELU_NEW, w.config().layerNormEps()))),
                Arguments.of("pythia-tiny", "LayerNorm eps 1e-12 instead of 1e-5", 0.00064, v(w -> config(w, w.config().activation(), 1e-12))),
                Arguments.of("llama-tiny", "RoPE pairs interleaved instead of rotate_half", 7.0, v(w -> arch(w, a -> a.positions(pairing(a, PositionalEncoding.Pairing.ADJACENT))))),
                Arguments.of("llama-tiny", "GQA: query head h reads kv head h % 2 instead of h / 2", 7.1, v(Variants::kvHeadModulo)),
                Arguments.of("llama-tiny", "tied unembedding (embed_tokens) instead of lm_head", 7.3, v(Variants::tieUnembedding)),
                Arguments.of("llama-tiny", "rope_theta 500000 instead of 10000", 2.9, v(w -> arch(w, a -> a.positions(base(a, 500000))))),
                Arguments.of("llama-tiny", "rms_norm_eps 1e-5 instead of 1e-6", 0.0012, v(w -> config(w, w.config().activation(), 1e-5))),
                Arguments.of("qwen2-tiny", "q/k/v biases dropped", 3.7, v(w -> Variants.zeroed(w, "b_Q", "b_K", "b_V"))),
                Arguments.of("qwen2-tiny", "only the k bias dropped (RoPE rotates it)", 0.88, v(w -> Variants.zeroed(w, "b_K"))),
                Arguments.of("qwen2-tiny", "GQA: query head h reads kv head h % 2", 6.6, v(Variants::kvHeadModulo)),
                Arguments.of("qwen2-tiny", "RoPE pairs interleaved", 4.9, v(w -> arch(w, a -> a.positions(pairing(a, PositionalEncoding.Pairing.ADJACENT))))),
                Arguments.of("gemma-tiny", "RMSNorm gain w instead of 1 + w", 6.7, v(Variants::gainWithoutOne)),
                Arguments.of("gemma-tiny", "no sqrt(hidden_size) embedding scale", 6.5, v(w -> arch(w, a -> a.embeddingScale(1.0)))),
                Arguments.of("gemma-tiny", "exact erf GELU (following hidden_act) instead of tanh GELU", 0.00085, v(w -> config(w, TransformerConfig.Activation.GELU, w.config().layerNormEps()))),
                Arguments.of("gemma-tiny", "GQA: query head h reads kv head h % 2", 4.8, v(Variants::kvHeadModulo)),
                Arguments.of("gemma2-tiny", "no attention logit soft-capping", 0.053, v(w -> arch(w, a -> a.attentionSoftCap(0)))),
                Arguments.of("gemma2-tiny", "no final logit soft-capping", 2.4, v(w -> arch(w, a -> a.logitSoftCap(0)))),
                Arguments.of("gemma2-tiny", "no sliding window on layer 0", 2.8, v(w -> arch(w, a -> a.slidingWindow(Architecture.SlidingWindow.NONE)))),
                Arguments.of("gemma2-tiny", "sliding window one wider (i - j <= 4)", 2.8, v(w -> arch(w, a -> a.slidingWindow(new Architecture.SlidingWindow(5, Architecture.WindowLayers.EVEN))))),
                Arguments.of("gemma2-tiny", "sliding window one narrower (i - j < 3)", 2.1, v(w -> arch(w, a -> a.slidingWindow(new Architecture.SlidingWindow(3, Architecture.WindowLayers.EVEN))))),
                Arguments.of("gemma2-tiny", "scale 1/sqrt(head_dim) instead of query_pre_attn_scalar^-0.5", 0.3, v(w -> scale(w, 1 / Math.sqrt(w.config().dHead())))),
                Arguments.of("gemma2-tiny", "post-attention/post-feedforward norms skipped", 1.7, v(Variants::withoutPostNorms)),
                Arguments.of("gemma2-tiny", "RMSNorm gain w instead of 1 + w", 5.0, v(Variants::gainWithoutOne)));
    }

    private static UnaryOperator<TransformerWeights> v(UnaryOperator<TransformerWeights> f) {
        return f;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("variants")
    void theMistakeMovesTheLogitsAsTheReadmeSays(String fixture, String mistake, double readmeChange, UnaryOperator<TransformerWeights> variant) {
        HfFixture f = HfFixture.load(fixture);
        TransformerWeights right = ModelDirectory.load(f.dir()).weights();
        TransformerWeights wrong = variant.apply(right);
        double change = 0;
        try (HookedTransformer m = new HookedTransformer(wrong); NDManager scope = NDManager.newBaseManager()) {
            for (HfFixture.Case c : f.cases()) {
                change = Math.max(change, HfFixture.maxAbsDiff(m.forward(scope, new int[][] {c.ids()}), 0, c.logits(), c.name()));
            }
        }
        System.out.printf("%s, %s: max |Δ logit| %.3g (README %.3g)%n", fixture, mistake, change, readmeChange);
        assertTrue(change > TOL, fixture + ", " + mistake + ": the logits moved only " + change + ", within the tolerance " + TOL);
        assertTrue(Math.abs(change - readmeChange) <= 0.1 * readmeChange,
                fixture + ", " + mistake + ": the logits moved " + change + ", the README measured " + readmeChange);
    }

    /** Deliberately wrong configs and weights, built from the right ones. */
    static final class Variants {
        private Variants() {}

        /** query_key_value's rows taken as [all q | all k | all v] instead of interleaved per head. */
        static TransformerWeights blockwiseQkv(TransformerWeights w) {
            TransformerConfig c = w.config();
            int H = c.nHeads(), d = c.dHead(), E = c.dModel();
            Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
            for (int l = 0; l < c.nLayers(); l++) {
                String[] names = {WeightNames.wQ(l), WeightNames.wK(l), WeightNames.wV(l)};
                String[] biases = {WeightNames.bQ(l), WeightNames.bK(l), WeightNames.bV(l)};
                float[][] rows = new float[3 * H * d][E], bias = new float[1][3 * H * d];
                // rebuild the HF fused matrix: row h·3d + ch·d + j is channel ch, head h, column j
                for (int ch = 0; ch < 3; ch++) {
                    Tensor wt = w.get(names[ch]), bt = w.get(biases[ch]);
                    for (int h = 0; h < H; h++) {
                        for (int j = 0; j < d; j++) {
                            for (int i = 0; i < E; i++) rows[h * 3 * d + ch * d + j][i] = wt.get(h, i, j);
                            bias[0][h * 3 * d + ch * d + j] = bt.get(h, j);
                        }
                    }
                }
                // …and read it blockwise: channel ch, head h, column j from row ch·H·d + h·d + j
                for (int ch = 0; ch < 3; ch++) {
                    float[] wd = new float[H * E * d], bd = new float[H * d];
                    for (int h = 0; h < H; h++) {
                        for (int j = 0; j < d; j++) {
                            int r = ch * H * d + h * d + j;
                            for (int i = 0; i < E; i++) wd[(h * E + i) * d + j] = rows[r][i];
                            bd[h * d + j] = bias[0][r];
                        }
                    }
                    t.put(names[ch], new Tensor(new int[] {H, E, d}, wd));
                    t.put(biases[ch], new Tensor(new int[] {H, d}, bd));
                }
            }
            return TransformerWeights.of(c, t);
        }

        /**
         * Query head h made to read key/value head h % G: the runtime pairs head h' with h' / R (R = H/G), so query
         * heads are reordered (W_Q, b_Q and W_O together) so that position h' holds a head with h % G = h' / R.
         */
        static TransformerWeights kvHeadModulo(TransformerWeights w) {
            TransformerConfig c = w.config();
            int H = c.nHeads(), G = c.nKeyValueHeads(), R = H / G;
            int[] from = new int[H];
            for (int g = 0; g < G; g++) for (int i = 0; i < R; i++) from[g * R + i] = g + i * G;
            Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
            for (int l = 0; l < c.nLayers(); l++) {
                for (String n : new String[] {WeightNames.wQ(l), WeightNames.bQ(l), WeightNames.wO(l)}) {
                    if (!w.has(n)) continue;
                    Tensor src = w.get(n);
                    int per = src.data().length / H;
                    float[] dst = new float[src.data().length];
                    for (int h = 0; h < H; h++) System.arraycopy(src.data(), from[h] * per, dst, h * per, per);
                    t.put(n, new Tensor(src.shape(), dst));
                }
            }
            return TransformerWeights.of(c, t);
        }

        static TransformerWeights tieUnembedding(TransformerWeights w) {
            TransformerWeights tied = arch(w, a -> a.tiedUnembedding(true));
            return tied;
        }

        /** Every RMSNorm gain stored as w instead of 1 + w (Gemma's checkpoints hold the offset). */
        static TransformerWeights gainWithoutOne(TransformerWeights w) {
            Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
            for (var e : w.tensors().entrySet()) {
                if (!e.getKey().endsWith(".w")) continue;
                float[] g = e.getValue().data().clone();
                for (int i = 0; i < g.length; i++) g[i] -= 1f;
                t.put(e.getKey(), new Tensor(e.getValue().shape(), g));
            }
            return TransformerWeights.of(w.config(), t);
        }

        static TransformerWeights withoutPostNorms(TransformerWeights w) {
            return arch(w, a -> a.postNorms(false));
        }

        static TransformerWeights zeroed(TransformerWeights w, String... leaves) {
            Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
            for (var e : w.tensors().entrySet()) {
                for (String leaf : leaves) {
                    if (e.getKey().endsWith("." + leaf)) t.put(e.getKey(), Tensor.zeros(e.getValue().shape()));
                }
            }
            return TransformerWeights.of(w.config(), t);
        }
    }

    // ---------------------------------------------------------------- rebuilding configs

    /** A mutable copy of an Architecture, for one change. */
    static final class ArchEdit {
        PositionalEncoding positions;
        int kv;
        Architecture.MlpKind mlp;
        Architecture.ResidualLayout residual;
        boolean postNorms, tied;
        double embeddingScale, attnCap, logitCap;
        Architecture.SlidingWindow window;
        Architecture.Biases biases;

        ArchEdit(Architecture a) {
            positions = a.positions();
            kv = a.keyValueHeads();
            mlp = a.mlp();
            residual = a.residual();
            postNorms = a.postNorms();
            tied = a.tiedUnembedding();
            embeddingScale = a.embeddingScale();
            attnCap = a.attentionSoftCap();
            logitCap = a.logitSoftCap();
            window = a.slidingWindow();
            biases = a.biases();
        }

        ArchEdit positions(PositionalEncoding p) { positions = p; return this; }
        ArchEdit residual(Architecture.ResidualLayout r) { residual = r; return this; }
        ArchEdit postNorms(boolean b) { postNorms = b; return this; }
        ArchEdit tiedUnembedding(boolean b) { tied = b; return this; }
        ArchEdit embeddingScale(double s) { embeddingScale = s; return this; }
        ArchEdit attentionSoftCap(double c) { attnCap = c; return this; }
        ArchEdit logitSoftCap(double c) { logitCap = c; return this; }
        ArchEdit slidingWindow(Architecture.SlidingWindow w) { window = w; return this; }

        Architecture build() {
            return new Architecture(positions, kv, mlp, residual, postNorms, embeddingScale, attnCap, logitCap, window, biases, tied);
        }
    }

    static PositionalEncoding pairing(ArchEdit a, PositionalEncoding.Pairing p) {
        var r = (PositionalEncoding.Rotary) a.positions;
        return new PositionalEncoding.Rotary(r.dims(), r.base(), p, r.scaling());
    }

    static PositionalEncoding rotaryDims(ArchEdit a, int dims) {
        var r = (PositionalEncoding.Rotary) a.positions;
        return new PositionalEncoding.Rotary(dims, r.base(), r.pairing(), r.scaling());
    }

    static PositionalEncoding base(ArchEdit a, double base) {
        var r = (PositionalEncoding.Rotary) a.positions;
        return new PositionalEncoding.Rotary(r.dims(), base, r.pairing(), r.scaling());
    }

    /** The weights under a changed architecture; tensors the new one does not have are dropped. */
    static TransformerWeights arch(TransformerWeights w, UnaryOperator<ArchEdit> edit) {
        TransformerConfig c = w.config();
        Architecture a = edit.apply(new ArchEdit(c.architecture())).build();
        return rebuild(w, new TransformerConfig(c.name(), c.nLayers(), c.dModel(), c.nHeads(), c.dHead(), c.dMlp(), c.dVocab(),
                c.dVocabOut(), c.nCtx(), c.normalization(), c.layerNormEps(), c.activation(), c.causal(), c.attentionScale(),
                c.separateEmbeddingNodes(), a));
    }

    static TransformerWeights config(TransformerWeights w, TransformerConfig.Activation act, double eps) {
        TransformerConfig c = w.config();
        return rebuild(w, new TransformerConfig(c.name(), c.nLayers(), c.dModel(), c.nHeads(), c.dHead(), c.dMlp(), c.dVocab(),
                c.dVocabOut(), c.nCtx(), c.normalization(), eps, act, c.causal(), c.attentionScale(), c.separateEmbeddingNodes(),
                c.architecture()));
    }

    static TransformerWeights scale(TransformerWeights w, double attentionScale) {
        TransformerConfig c = w.config();
        return rebuild(w, new TransformerConfig(c.name(), c.nLayers(), c.dModel(), c.nHeads(), c.dHead(), c.dMlp(), c.dVocab(),
                c.dVocabOut(), c.nCtx(), c.normalization(), c.layerNormEps(), c.activation(), c.causal(), attentionScale,
                c.separateEmbeddingNodes(), c.architecture()));
    }

    private static TransformerWeights rebuild(TransformerWeights w, TransformerConfig c) {
        Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
        t.keySet().retainAll(TransformerWeights.expectedShapes(c).keySet());
        return TransformerWeights.of(c, t);
    }
}
