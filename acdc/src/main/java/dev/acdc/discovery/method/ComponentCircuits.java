package dev.acdc.discovery.method;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a set of kept components (see {@link Component}) into an edge circuit, the way the ACDC paper
 * scored SP and HISP against edge-level ground truths.
 *
 * <p>The rule: a graph node is kept when
 * <ul>
 *   <li>it is an embedding ({@code embed}, {@code tok_embed}, {@code pos_embed}) or the {@code output}: always;</li>
 *   <li>it is a head's q input {@code aL.H.q} or computed q {@code aL.H.hook_q}: when the component
 *       {@code aL.H.q} is kept (likewise k, v);</li>
 *   <li>it is a head's output {@code aL.H}: when any of {@code aL.H.q}, {@code aL.H.k}, {@code aL.H.v} is kept;</li>
 *   <li>it is an MLP's input or output {@code mL}: when the component {@code mL} is kept (one component).</li>
 * </ul>
 * With grouped key/value heads (G groups of H/G query heads; head h reads group h / (H/G), as the graph does) the
 * k and v components and nodes are per group: the nodes {@code aL.kvG.k}, {@code aL.kvG.hook_k} are kept when the
 * component {@code aL.kvG.k} is (likewise v), and a head's output {@code aL.H} when any of its own q, its group's
 * k, its group's v is kept: the rule above with the head's k and v read as its group's. So dropping one group's
 * k removes only that group's k input and direct edge (its heads still read q and v), and a head's output goes
 * once its q and its group's k and v are all dropped. The ACDC code had no grouped attention; this is our
 * generalisation. A parallel residual (Pythia) changes only which edges the graph has, not this rule.
 * A tested edge is kept when its sender node and its receiver node are both kept. So the direct edge
 * {@code aL.H.q->aL.H.hook_q} is kept exactly when the head's q is, and a residual edge {@code s->aL.H.q}
 * when {@code s} survives and the head's q is kept.
 *
 * <p>Why this rule: it is what the ACDC code does ({@code subnetwork_probing/train.py},
 * {@code correspondence_from_mask} / {@code iterative_correspondence_from_mask}, used both for SP runs and
 * for the HISP sweep in {@code experiments/launch_sixteen_heads.py}): every masked {@code hook_q[H]} node
 * is removed together with its {@code hook_q_input[H]} node, the {@code hook_result[H]} node is removed
 * once all three of q, k, v are masked, a masked MLP removes both {@code hook_resid_mid}/{@code mlp_in}
 * and {@code hook_mlp_out}, and removing a node removes every edge it sends or receives. The embeddings
 * and the output are never masked there either. (That code also marks a nonexistent
 * {@code hook_result_input} node; it removes nothing, and we have nothing to mirror.)
 */
public final class ComponentCircuits {
    private ComponentCircuits() {}

    /**
     * Every component of a model in a fixed order: per layer, the q of heads 0..H-1, then k, then v, then
     * the MLP (when the model has MLPs). SP's mask vector and HISP's scores use this order. With grouped key/value
     * heads k and v are per group: q of heads 0..H-1, k of groups 0..G-1, v of groups 0..G-1, the MLP.
     */
    public static List<Component> components(TransformerConfig config) {
        List<Component> out = new ArrayList<>();
        boolean grouped = grouped(config);
        int kv = config.nKeyValueHeads();
        for (int l = 0; l < config.nLayers(); l++) {
            for (int h = 0; h < config.nHeads(); h++) out.add(Component.q(l, h));
            for (int h = 0; h < kv; h++) out.add(grouped ? Component.kvK(l, h) : Component.k(l, h));
            for (int h = 0; h < kv; h++) out.add(grouped ? Component.kvV(l, h) : Component.v(l, h));
            if (!config.attentionOnly()) out.add(Component.mlp(l));
        }
        return List.copyOf(out);
    }

    /** Whether the model's attention has fewer key/value heads than query heads (k and v per group). */
    static boolean grouped(TransformerConfig config) {
        return config.nKeyValueHeads() != config.nHeads();
    }

    /**
     * Whether a graph node of {@code config}'s model survives when exactly the components in {@code kept} are kept
     * (the rule above).
     */
    public static boolean nodeKept(Node node, Set<Component> kept, TransformerConfig config) {
        return switch (node.kind()) {
            case EMBED, TOK_EMBED, POS_EMBED, OUTPUT -> true;
            case HEAD_INPUT, HEAD_QKV -> kept.contains(of(node.channel(), node.layer(), node.head(), node.isKvGroup()));
            case HEAD_OUTPUT -> {
                int l = node.layer(), h = node.head();
                if (kept.contains(Component.q(l, h))) yield true;
                if (!grouped(config)) yield kept.contains(Component.k(l, h)) || kept.contains(Component.v(l, h));
                int group = h / (config.nHeads() / config.nKeyValueHeads());   // HF repeat_kv, as the graph
                yield kept.contains(Component.kvK(l, group)) || kept.contains(Component.kvV(l, group));
            }
            case MLP_IN, MLP_OUT -> kept.contains(Component.mlp(node.layer()));
        };
    }

    /** The circuit of the tested edges whose sender and receiver nodes both survive. */
    public static Circuit circuit(CircuitGraph graph, Collection<Component> keptComponents) {
        Set<Component> kept = keptComponents instanceof Set<Component> s ? s : new HashSet<>(keptComponents);
        List<Node> nodes = graph.nodes();
        boolean[] alive = new boolean[nodes.size()];
        for (int i = 0; i < alive.length; i++) alive[i] = nodeKept(nodes.get(i), kept, graph.config());
        BitSet bits = new BitSet(graph.edgeCount());
        for (int id = 0; id < graph.edgeCount(); id++) {
            if (alive[graph.senderIndex(id)] && alive[graph.receiverIndex(id)]) bits.set(id);
        }
        return Circuit.of(graph, bits);
    }

    /** The circuit of the components whose flag is set, {@code keep[i]} for {@code components(config).get(i)}. */
    public static Circuit circuit(CircuitGraph graph, boolean[] keep) {
        List<Component> all = components(graph.config());
        if (keep.length != all.size()) {
            throw new IllegalArgumentException("expected one flag per component of '" + graph.config().name() + "' ("
                    + all.size() + "), found " + keep.length);
        }
        Set<Component> kept = new HashSet<>();
        for (int i = 0; i < keep.length; i++) if (keep[i]) kept.add(all.get(i));
        return circuit(graph, kept);
    }

    private static Component of(Node.Channel channel, int layer, int head, boolean kvGroup) {
        return switch (channel) {
            case Q -> Component.q(layer, head);
            case K -> new Component(Component.Kind.K, layer, head, kvGroup);
            case V -> new Component(Component.Kind.V, layer, head, kvGroup);
        };
    }
}
