package dev.acdc.datasets.gpt2;

import static dev.acdc.datasets.gpt2.AcdcGraphEdges.EMBED;
import static dev.acdc.datasets.gpt2.AcdcGraphEdges.LETTERS;
import static dev.acdc.datasets.gpt2.AcdcGraphEdges.OUTPUT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IOI circuit of Wang et al. (2022) on GPT-2 small, derived as ACDC's {@code get_ioi_true_edges}
 * (acdc/ioi/utils.py) derives it, giving 1,041 edges:
 * <ol>
 *   <li>start from the full graph and drop every edge touching a head outside the 26 circuit heads;</li>
 *   <li>for every circuit head, drop {@code embed} and every earlier head into its q, k and v, and its
 *       edge to {@code output} (MLP edges stay);</li>
 *   <li>add the group connections below, sender to receiver, only where the receiver's layer is greater
 *       ({@code INPUT} is {@code embed} or any MLP; {@code OUTPUT} is {@code output} or any MLP).</li>
 * </ol>
 */
public final class IoiCircuit {
    private static final int LAYERS = 12;
    private static final int HEADS = 12;
    private static final String INPUT = "INPUT";
    private static final String OUT = "OUTPUT";

    /** The 26 heads by group (IOI_CIRCUIT), in the source's order. */
    public static final Map<String, List<String>> GROUPS = groups();

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("name mover", List.of("a9.9", "a10.0", "a9.6"));
        g.put("backup name mover", List.of("a10.10", "a10.6", "a10.2", "a10.1", "a11.2", "a9.7", "a9.0", "a11.9"));
        g.put("negative", List.of("a10.7", "a11.10"));
        g.put("s2 inhibition", List.of("a7.3", "a7.9", "a8.6", "a8.10"));
        g.put("induction", List.of("a5.5", "a5.8", "a5.9", "a6.9"));
        g.put("duplicate token", List.of("a0.1", "a0.10", "a3.0"));
        g.put("previous token", List.of("a2.2", "a4.11"));
        return java.util.Collections.unmodifiableMap(g);
    }

    private record Connection(String from, String to, List<String> letters) {}

    private static final List<Connection> CONNECTIONS = List.of(
            new Connection(INPUT, "previous token", List.of("q", "k", "v")),
            new Connection(INPUT, "duplicate token", List.of("q", "k", "v")),
            new Connection(INPUT, "s2 inhibition", List.of("q")),
            new Connection(INPUT, "negative", List.of("k", "v")),
            new Connection(INPUT, "name mover", List.of("k", "v")),
            new Connection(INPUT, "backup name mover", List.of("k", "v")),
            new Connection("previous token", "induction", List.of("k", "v")),
            new Connection("induction", "s2 inhibition", List.of("k", "v")),
            new Connection("duplicate token", "s2 inhibition", List.of("k", "v")),
            new Connection("s2 inhibition", "negative", List.of("q")),
            new Connection("s2 inhibition", "name mover", List.of("q")),
            new Connection("s2 inhibition", "backup name mover", List.of("q")),
            new Connection("negative", OUT, List.of()),
            new Connection("name mover", OUT, List.of()),
            new Connection("backup name mover", OUT, List.of()));

    private IoiCircuit() {}

    /** The canonical IOI circuit (1,041 edges: 963 addition, 78 direct computation). Built once; immutable. */
    public static CanonicalCircuit canonical() {
        return Holder.CIRCUIT;
    }

    private static final class Holder {
        static final CanonicalCircuit CIRCUIT = derive();
    }

    private static CanonicalCircuit derive() {
        Set<String> circuitHeads = new LinkedHashSet<>();
        GROUPS.values().forEach(circuitHeads::addAll);

        Set<EdgeName> edges = new LinkedHashSet<>();
        for (EdgeName e : AcdcGraphEdges.all(LAYERS, HEADS, true)) {
            if (touchesHeadOutside(e.sender(), circuitHeads) || touchesHeadOutside(e.receiver(), circuitHeads)) continue;
            edges.add(e);
        }
        for (String head : circuitHeads) {
            int layer = Nodes.layer(head);
            for (String x : LETTERS) {
                String input = head + "." + x;
                edges.remove(EdgeName.of(EMBED, input));
                for (int l = 0; l < layer; l++) {
                    for (int h = 0; h < HEADS; h++) edges.remove(EdgeName.of(AcdcGraphEdges.head(l, h), input));
                }
            }
            edges.remove(EdgeName.of(head, OUTPUT));
        }
        for (Connection c : CONNECTIONS) {
            for (String sender : senders(c.from)) {
                for (String receiver : receivers(c.to, c.letters)) {
                    if (Nodes.layer(receiver) > Nodes.layer(sender)) edges.add(EdgeName.of(sender, receiver));
                }
            }
        }
        return new CanonicalCircuit("ioi", LAYERS, HEADS, true, GROUPS, edges);
    }

    private static boolean touchesHeadOutside(String node, Set<String> circuitHeads) {
        return node.startsWith("a") && !circuitHeads.contains(Nodes.headOf(node));
    }

    private static List<String> senders(String group) {
        if (!group.equals(INPUT)) return GROUPS.get(group);
        List<String> out = new ArrayList<>(List.of(EMBED));
        for (int l = 0; l < LAYERS; l++) out.add(AcdcGraphEdges.mlp(l));
        return out;
    }

    private static List<String> receivers(String group, List<String> letters) {
        List<String> out = new ArrayList<>();
        if (group.equals(OUT)) {
            out.add(OUTPUT);
            for (int l = 0; l < LAYERS; l++) out.add(AcdcGraphEdges.mlp(l));
            return out;
        }
        for (String head : GROUPS.get(group)) {
            for (String x : letters) out.add(head + "." + x);
        }
        return out;
    }
}
