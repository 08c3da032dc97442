package dev.acdc.datasets.tracr;

import dev.acdc.datasets.random.TorchCpuRandom;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The random draws TransformerLens 1.6.1 makes when the ACDC code builds its tracr model,
 * {@code HookedTransformer(cfg)} in {@code acdc/tracr_task/utils.py}: they advance torch's global generator
 * between {@code torch.manual_seed(1234)} ({@code acdc/main.py}) and the {@code torch.randperm} calls that choose
 * the task's data, so the data cannot be reproduced without replaying them.
 *
 * <p>What TransformerLens v1.6.1 does ({@code HookedTransformer.__init__}, {@code init_weights},
 * {@code components.py}): every parameter is created with {@code torch.empty} or {@code torch.zeros} (no draw);
 * {@code cfg.seed} is None, so nothing reseeds; then {@code init_weights} calls
 * {@code nn.init.normal_(param, std=initializer_range)} on each parameter whose name contains {@code W_}, in
 * {@code named_parameters()} order: {@code embed.W_E} [d_vocab, d_model], {@code pos_embed.W_pos} [n_ctx, d_model],
 * per block {@code attn.W_Q}, {@code W_K}, {@code W_V} [n_heads, d_model, d_head], {@code attn.W_O}
 * [n_heads, d_head, d_model], {@code mlp.W_in} [d_model, d_mlp], {@code mlp.W_out} [d_mlp, d_model] (tracr models are
 * not attention-only), then {@code unembed.W_U} [d_model, d_vocab_out]. The parameters are float32 and on the CPU when
 * this runs (the model moves to {@code cfg.device} afterwards), so each call is torch's CPU {@code normal_}, whose
 * draws {@link TorchCpuRandom#skipNormal} replays.
 *
 * @param nLayers   {@code n_layers}
 * @param dModel    {@code d_model}
 * @param nHeads    {@code n_heads}
 * @param dHead     {@code d_head} (tracr's {@code key_size})
 * @param dMlp      {@code d_mlp} (tracr's {@code mlp_hidden_size})
 * @param nCtx      {@code n_ctx}
 * @param dVocab    {@code d_vocab}
 * @param dVocabOut {@code d_vocab_out}
 */
public record TransformerLensInit(int nLayers, int dModel, int nHeads, int dHead, int dMlp, int nCtx, int dVocab, int dVocabOut) {

    public TransformerLensInit {
        for (int d : new int[] {nLayers, dModel, nHeads, dHead, dMlp, nCtx, dVocab, dVocabOut}) {
            if (d < 1) {
                throw new IllegalArgumentException("every TransformerLens dimension must be ≥ 1, found " + List.of(nLayers, dModel,
                        nHeads, dHead, dMlp, nCtx, dVocab, dVocabOut));
            }
        }
    }

    /** The initialised weight matrices, name → element count, in the order {@code init_weights} draws them. */
    public Map<String, Long> drawnWeights() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("embed.W_E", (long) dVocab * dModel);
        m.put("pos_embed.W_pos", (long) nCtx * dModel);
        for (int l = 0; l < nLayers; l++) {
            long qkv = (long) nHeads * dModel * dHead;
            m.put("blocks." + l + ".attn.W_Q", qkv);
            m.put("blocks." + l + ".attn.W_K", qkv);
            m.put("blocks." + l + ".attn.W_V", qkv);
            m.put("blocks." + l + ".attn.W_O", (long) nHeads * dHead * dModel);
            m.put("blocks." + l + ".mlp.W_in", (long) dModel * dMlp);
            m.put("blocks." + l + ".mlp.W_out", (long) dMlp * dModel);
        }
        m.put("unembed.W_U", (long) dModel * dVocabOut);
        return m;
    }

    /** Advances {@code torch} as {@code HookedTransformer(cfg)} advances torch's global generator. */
    public void replay(TorchCpuRandom torch) {
        for (long numel : drawnWeights().values()) torch.skipNormal(numel);
    }

    /** The weight names whose {@code normal_} takes the small-tensor (double, cached-sample) path. */
    public List<String> smallTensorWeights() {
        List<String> out = new ArrayList<>();
        drawnWeights().forEach((name, numel) -> {
            if (numel < 16) out.add(name);
        });
        return out;
    }
}
