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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A slow, independent edge-masked forward built only from {@code runWithHooks} interventions, the way ACDC's
 * {@code TLACDCExperiment.receiver_hook} patches (acdc/TLACDCExperiment.py at bc99ace8): a receiver's input
 * starts as its value in the ablated run and, for each in-edge, gets {@code m·(current − ablated)} of the sender
 * added back; a computed q/k/v starts as the ablated run's and gets {@code m·(current − ablated)} added. Hooks
 * record each sender's current output as the pass produces it. Nothing here shares code with the patchers:
 * biases are never added by hand (they are inside the ablated run's receiver values), and the zero-ablated run
 * is built here from ACDC's own rule.
 */
final class HookReferencePatcher {
    private HookReferencePatcher() {}

    /**
     * ACDC's zero-ablated run ({@code setup_corrupted_cache} with {@code zero_ablation}): a hook returning zeros
     * on every hook point whose name contains {@code hook_result} or {@code mlp_out}, and on the embeddings
     * ({@code hook_embed}, {@code hook_pos_embed}), on the clean input ({@code ref_ds = ds.clone()}).
     */
    static ActivationCache zeroAblatedRun(HookedTransformer m, NDManager scope, ModelInput clean) {
        List<Hook> zero = new ArrayList<>();
        for (String name : HookedTransformer.allHookNames(m.config())) {
            boolean residualWriter = name.contains("hook_result") || name.contains("mlp_out")
                    || name.equals("hook_embed") || name.equals("hook_pos_embed");
            if (residualWriter) zero.add(new Hook(name, NDArray::zerosLike));
        }
        return m.runWithCache(scope, clean, zero);
    }

    /** @param ablatedRun the cache of the run whose values removed edges carry (corrupted, or {@link #zeroAblatedRun}) */
    static NDArray logits(HookedTransformer m, CircuitGraph g, NDManager scope, ModelInput clean,
                          ActivationCache ablatedRun, float[] mask) {
        TransformerConfig c = m.config();
        if (c.architecture().postNorms()) return PostNormReference.logits(m, g, scope, clean, ablatedRun, mask);
        Map<Node, NDArray> current = new HashMap<>();
        List<Hook> hooks = new ArrayList<>();
        hooks.add(new Hook(HookNames.EMBED, x -> {
            current.put(Node.tokEmbed(), x);
            if (!c.architecture().learnedPositions()) current.put(Node.embed(), x);   // rotary: the token embedding alone
            return x;
        }));
        if (c.architecture().learnedPositions()) {
            hooks.add(new Hook(HookNames.POS_EMBED, x -> {
                current.put(Node.posEmbed(), x);
                current.put(Node.embed(), current.get(Node.tokEmbed()).add(x));
                return x;
            }));
        }
        for (int l = 0; l < c.nLayers(); l++) {
            final int layer = l;
            hooks.add(new Hook(HookNames.result(l), x -> {
                for (int h = 0; h < c.nHeads(); h++) current.put(Node.head(layer, h), x.get(":, :, " + h + ", :"));
                return x;
            }));
            if (!c.attentionOnly()) {
                hooks.add(new Hook(HookNames.mlpOut(l), x -> { current.put(Node.mlpOut(layer), x); return x; }));
                hooks.add(new Hook(HookNames.mlpIn(l), x ->
                        input(g, Node.mlpIn(layer), current, ablatedRun, mask, ablatedRun.get(HookNames.mlpIn(layer)))));
            }
            String[] inputHooks = {HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l)};
            String[] qkvHooks = {HookNames.q(l), HookNames.k(l), HookNames.v(l)};
            for (Node.Channel ch : Node.Channel.values()) {
                String inputHook = inputHooks[ch.ordinal()], qkvHook = qkvHooks[ch.ordinal()];
                // grouped-query attention: k and v inputs and computed k, v per key/value group (the hooks hold G of them)
                boolean ofGroups = ch != Node.Channel.Q && c.nKeyValueHeads() != c.nHeads();
                int n = ch == Node.Channel.Q ? c.nHeads() : c.nKeyValueHeads();
                hooks.add(new Hook(inputHook, x -> {
                    NDList perHead = new NDList();
                    for (int h = 0; h < n; h++) {
                        NDArray ablatedInput = ablatedRun.get(inputHook).get(":, :, " + h + ", :");
                        Node receiver = ofGroups ? Node.kvInput(layer, h, ch) : Node.headInput(layer, h, ch);
                        perHead.add(input(g, receiver, current, ablatedRun, mask, ablatedInput));
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
        hooks.add(new Hook(last, x -> input(g, Node.output(), current, ablatedRun, mask, ablatedRun.get(last))));
        return m.runWithHooks(scope, clean, hooks);
    }

    /** The ablated run's input of the receiver, plus m·(current − ablated) of each sender. */
    private static NDArray input(CircuitGraph g, Node receiver, Map<Node, NDArray> current,
                                 ActivationCache ablatedRun, float[] mask, NDArray ablatedInput) {
        NDArray sum = ablatedInput;
        for (Edge e : g.inEdges(receiver)) {
            if (e.kind() != EdgeKind.ADDITION) continue;
            NDArray cur = current.get(e.sender());
            sum = sum.add(cur.sub(ablatedValue(ablatedRun, e.sender())).mul(mask[e.id()]));
        }
        return sum;
    }

    private static NDArray ablatedValue(ActivationCache run, Node s) {
        return switch (s.kind()) {
            case TOK_EMBED -> run.get(HookNames.EMBED);
            case POS_EMBED -> run.get(HookNames.POS_EMBED);
            case EMBED -> run.contains(HookNames.POS_EMBED) ? run.get(HookNames.EMBED).add(run.get(HookNames.POS_EMBED)) : run.get(HookNames.EMBED);
            case HEAD_OUTPUT -> run.get(HookNames.result(s.layer())).get(":, :, " + s.head() + ", :");
            case MLP_OUT -> run.get(HookNames.mlpOut(s.layer()));
            default -> throw new IllegalArgumentException("not a sender " + s);
        };
    }
}
