package dev.acdc.patching.patch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.ActivationCache;
import dev.acdc.patching.model.Hook;
import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.model.ModelInput;
import dev.acdc.patching.model.TransformerConfig;
import dev.acdc.patching.model.WeightNames;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@link HookReferencePatcher} for post-norm models (Gemma 2), written from the definition in
 * {@link PostNormScales} and sharing no code with the patchers: a sender's value is its share of its layer's post-norm
 * output with the clean run's rms, {@code g ⊙ result_h / rms_clean} for head h ({@code g} read from the checkpoint's
 * {@code ln1_post.w}), {@code g ⊙ mlp_raw / rms_clean} for an MLP, read from a run as {@code hook_mlp_out · rms_run /
 * rms_clean}. A receiver's input is built by hand: Σ over its senders of abl + m·(cur − abl), plus each earlier layer's
 * bias share {@code g ⊙ b_O / rms_clean}; no run's residual stream is read (the ablated run's own rms is not the clean
 * one, so its residual stream is not the sum of the ablated shares). The pass itself runs on the clean input with
 * every post-norm's {@code hook_scale} replaced by the clean run's, so that the current MLP output read at
 * {@code hook_mlp_out} is already its share.
 */
final class PostNormReference {
    private PostNormReference() {}

    static NDArray logits(HookedTransformer m, CircuitGraph g, NDManager scope, ModelInput clean,
                          ActivationCache ablatedRun, float[] mask) {
        TransformerConfig c = m.config();
        ActivationCache cleanRun = m.runWithCache(scope, clean);
        Map<Node, NDArray> current = new HashMap<>();
        Map<Node, NDArray> ablated = new HashMap<>();
        List<Hook> hooks = new ArrayList<>();
        ablated.put(Node.embed(), ablatedRun.get(HookNames.EMBED));   // rotary: the embedding node is hook_embed alone
        hooks.add(new Hook(HookNames.EMBED, x -> { current.put(Node.embed(), x); return x; }));
        NDArray[] gain = new NDArray[c.nLayers()], biasShare = new NDArray[c.nLayers()];
        for (int l = 0; l < c.nLayers(); l++) {
            final int layer = l;
            NDArray rmsAttn = cleanRun.get(HookNames.ln1PostScale(l));                            // [B, P, 1]
            gain[l] = scope.create(m.weights().get(WeightNames.ln1PostW(l)).data());             // [D], (1 + w) folded in
            biasShare[l] = m.weights().has(WeightNames.bO(l))
                    ? rmsAttn.zerosLike().add(scope.create(m.weights().get(WeightNames.bO(l)).data())).mul(gain[l]).div(rmsAttn)
                    : null;
            hooks.add(new Hook(HookNames.ln1PostScale(l), x -> rmsAttn));
            for (int h = 0; h < c.nHeads(); h++) {
                ablated.put(Node.head(l, h), ablatedRun.get(HookNames.result(l)).get(":, :, " + h + ", :").mul(gain[l]).div(rmsAttn));
            }
            hooks.add(new Hook(HookNames.result(l), x -> {
                for (int h = 0; h < c.nHeads(); h++) {
                    current.put(Node.head(layer, h), x.get(":, :, " + h + ", :").mul(gain[layer]).div(rmsAttn));
                }
                return x;
            }));
            if (!c.attentionOnly()) {
                NDArray rmsMlp = cleanRun.get(HookNames.ln2PostScale(l));
                hooks.add(new Hook(HookNames.ln2PostScale(l), x -> rmsMlp));
                ablated.put(Node.mlpOut(l), ablatedRun.get(HookNames.mlpOut(l)).mul(ablatedRun.get(HookNames.ln2PostScale(l))).div(rmsMlp));
                // with the clean rms fixed, hook_mlp_out is the current MLP's share itself
                hooks.add(new Hook(HookNames.mlpOut(l), x -> { current.put(Node.mlpOut(layer), x); return x; }));
                hooks.add(new Hook(HookNames.mlpIn(l), x -> input(g, Node.mlpIn(layer), current, ablated, biasShare, mask)));
            }
            String[] inputHooks = {HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l)};
            String[] qkvHooks = {HookNames.q(l), HookNames.k(l), HookNames.v(l)};
            for (Node.Channel ch : Node.Channel.values()) {
                String inputHook = inputHooks[ch.ordinal()], qkvHook = qkvHooks[ch.ordinal()];
                boolean ofGroups = ch != Node.Channel.Q && c.nKeyValueHeads() != c.nHeads();
                int n = ch == Node.Channel.Q ? c.nHeads() : c.nKeyValueHeads();
                hooks.add(new Hook(inputHook, x -> {
                    NDList perHead = new NDList();
                    for (int h = 0; h < n; h++) {
                        Node receiver = ofGroups ? Node.kvInput(layer, h, ch) : Node.headInput(layer, h, ch);
                        perHead.add(input(g, receiver, current, ablated, biasShare, mask));
                    }
                    return NDArrays.stack(perHead, 2);
                }));
                hooks.add(new Hook(qkvHook, x -> {
                    NDList perHead = new NDList();
                    for (int h = 0; h < n; h++) {
                        Edge direct = g.inEdges(ofGroups ? Node.kvQkv(layer, h, ch) : Node.headQkv(layer, h, ch)).get(0);
                        NDArray cur = x.get(":, :, " + h + ", :");
                        NDArray abl = ablatedRun.get(qkvHook).get(":, :, " + h + ", :");
                        perHead.add(abl.add(cur.sub(abl).mul(mask[direct.id()])));
                    }
                    return NDArrays.stack(perHead, 2);
                }));
            }
        }
        String last = HookNames.residPost(c.nLayers() - 1);
        hooks.add(new Hook(last, x -> input(g, Node.output(), current, ablated, biasShare, mask)));
        return m.runWithHooks(scope, clean, hooks);
    }

    /** Σ over the receiver's senders of abl + m·(cur − abl), plus the bias shares of the layers whose heads it reads. */
    private static NDArray input(CircuitGraph g, Node receiver, Map<Node, NDArray> current, Map<Node, NDArray> ablated,
                                 NDArray[] biasShare, float[] mask) {
        NDArray sum = null;
        TreeSet<Integer> headLayers = new TreeSet<>();
        for (Edge e : g.inEdges(receiver)) {
            if (e.kind() != EdgeKind.ADDITION) continue;
            NDArray abl = ablated.get(e.sender());
            NDArray term = abl.add(current.get(e.sender()).sub(abl).mul(mask[e.id()]));
            sum = sum == null ? term : sum.add(term);
            if (e.sender().kind() == dev.acdc.patching.graph.NodeKind.HEAD_OUTPUT) headLayers.add(e.sender().layer());
        }
        for (int l : headLayers) if (biasShare[l] != null) sum = sum.add(biasShare[l]);
        return sum;
    }
}
