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
 * A slow, independent edge-masked forward built only from {@code runWithHooks} interventions: hooks
 * record each sender's current output as the pass produces it, and each receiver's input hook
 * rebuilds that input edge by edge from the recorded current values and the ablated run's values.
 */
final class HookReferencePatcher {
    private HookReferencePatcher() {}

    /** @param ablatedRun the cache of the run whose values removed edges carry (corrupted, or zero-filled) */
    static NDArray logits(HookedTransformer m, CircuitGraph g, NDManager scope, ModelInput clean,
                          ActivationCache ablatedRun, boolean zeroAblation, float[] mask) {
        TransformerConfig c = m.config();
        Map<Node, NDArray> current = new HashMap<>();
        List<Hook> hooks = new ArrayList<>();
        hooks.add(new Hook(HookNames.EMBED, x -> { current.put(Node.tokEmbed(), x); return x; }));
        hooks.add(new Hook(HookNames.POS_EMBED, x -> {
            current.put(Node.posEmbed(), x);
            current.put(Node.embed(), current.get(Node.tokEmbed()).add(x));
            return x;
        }));
        for (int l = 0; l < c.nLayers(); l++) {
            final int layer = l;
            hooks.add(new Hook(HookNames.result(l), x -> {
                for (int h = 0; h < c.nHeads(); h++) current.put(Node.head(layer, h), x.get(":, :, " + h + ", :"));
                return x;
            }));
            if (!c.attentionOnly()) {
                hooks.add(new Hook(HookNames.mlpOut(l), x -> { current.put(Node.mlpOut(layer), x); return x; }));
                hooks.add(new Hook(HookNames.mlpIn(l), x ->
                        input(m, g, Node.mlpIn(layer), current, ablatedRun, zeroAblation, mask, layer + 1, x)));
            }
            String[] inputHooks = {HookNames.qInput(l), HookNames.kInput(l), HookNames.vInput(l)};
            String[] qkvHooks = {HookNames.q(l), HookNames.k(l), HookNames.v(l)};
            for (Node.Channel ch : Node.Channel.values()) {
                hooks.add(new Hook(inputHooks[ch.ordinal()], x -> {
                    NDList perHead = new NDList();
                    for (int h = 0; h < c.nHeads(); h++) {
                        perHead.add(input(m, g, Node.headInput(layer, h, ch), current, ablatedRun, zeroAblation, mask, layer,
                                x.get(":, :, " + h + ", :")));
                    }
                    return NDArrays.stack(perHead, 2);
                }));
                hooks.add(new Hook(qkvHooks[ch.ordinal()], x -> {
                    NDList perHead = new NDList();
                    for (int h = 0; h < c.nHeads(); h++) {
                        Edge direct = g.inEdges(Node.headQkv(layer, h, ch)).get(0);
                        NDArray cur = x.get(":, :, " + h + ", :");
                        NDArray abl = zeroAblation ? cur.zerosLike() : ablatedRun.get(qkvHooks[ch.ordinal()]).get(":, :, " + h + ", :");
                        float w = mask[direct.id()];
                        perHead.add(cur.mul(w).add(abl.mul(1 - w)));
                    }
                    return NDArrays.stack(perHead, 2);
                }));
            }
        }
        hooks.add(new Hook(HookNames.residPost(c.nLayers() - 1), x ->
                input(m, g, Node.output(), current, ablatedRun, zeroAblation, mask, c.nLayers(), x)));
        return m.runWithHooks(scope, clean, hooks);
    }

    private static NDArray input(HookedTransformer m, CircuitGraph g, Node receiver, Map<Node, NDArray> current,
                                 ActivationCache ablatedRun, boolean zeroAblation, float[] mask, int biasLayers, NDArray like) {
        NDArray sum = like.zerosLike();
        for (Edge e : g.inEdges(receiver)) {
            if (e.kind() != EdgeKind.ADDITION) continue;
            NDArray cur = current.get(e.sender());
            NDArray abl = zeroAblation ? cur.zerosLike() : ablatedValue(ablatedRun, e.sender());
            float w = mask[e.id()];
            sum = sum.add(cur.mul(w)).add(abl.mul(1 - w));
        }
        for (int l = 0; l < biasLayers; l++) sum = sum.add(m.attentionOutputBias(l));
        return sum;
    }

    private static NDArray ablatedValue(ActivationCache run, Node s) {
        return switch (s.kind()) {
            case TOK_EMBED -> run.get(HookNames.EMBED);
            case POS_EMBED -> run.get(HookNames.POS_EMBED);
            case EMBED -> run.get(HookNames.EMBED).add(run.get(HookNames.POS_EMBED));
            case HEAD_OUTPUT -> run.get(HookNames.result(s.layer())).get(":, :, " + s.head() + ", :");
            case MLP_OUT -> run.get(HookNames.mlpOut(s.layer()));
            default -> throw new IllegalArgumentException("not a sender " + s);
        };
    }
}
