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
 * The greater-than circuit of Hanna et al. (2023) on GPT-2 small, derived as ACDC's
 * {@code get_greaterthan_true_edges} (acdc/greaterthan/utils.py, with head 6.9 and the MLP-to-query
 * edges of its PR #40), giving 262 edges. Starting from no edges:
 * <ol>
 *   <li>{@code embed} into the members of 0305, 01 and MEARLY; AMID and MLATE members into {@code output};</li>
 *   <li>the MLPs of each MLP group into each other (earlier into later);</li>
 *   <li>every connected pair of groups, sender before receiver, or the same layer when a head feeds an MLP;</li>
 *   <li>every circuit head's direct-computation edges;</li>
 *   <li>all MLP-to-MLP edges below the deepest AMID layer, and every earlier MLP into each AMID query.</li>
 * </ol>
 * A head member as receiver means its q, k and v.
 */
public final class GreaterThanCircuit {
    private static final int LAYERS = 12;
    private static final int HEADS = 12;

    /** The groups (CIRCUIT), members as {@code aL.H} or {@code mL}. */
    public static final Map<String, List<String>> GROUPS = groups();

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put("0305", List.of("a0.3", "a0.5"));
        g.put("01", List.of("a0.1"));
        g.put("MEARLY", List.of("m0", "m1", "m2", "m3"));
        g.put("AMID", List.of("a5.5", "a6.1", "a6.9", "a7.10", "a8.11", "a9.1"));
        g.put("MLATE", List.of("m8", "m9", "m10", "m11"));
        return java.util.Collections.unmodifiableMap(g);
    }

    private static final List<List<String>> CONNECTED_PAIRS = List.of(
            List.of("01", "MEARLY"), List.of("01", "AMID"), List.of("0305", "AMID"), List.of("MEARLY", "AMID"), List.of("AMID", "MLATE"));

    private GreaterThanCircuit() {}

    /** The canonical greater-than circuit (262 edges: 235 addition, 27 direct computation). Built once; immutable. */
    public static CanonicalCircuit canonical() {
        return Holder.CIRCUIT;
    }

    private static final class Holder {
        static final CanonicalCircuit CIRCUIT = derive();
    }

    private static CanonicalCircuit derive() {
        Set<EdgeName> edges = new LinkedHashSet<>();
        for (String group : List.of("0305", "01", "MEARLY")) {
            for (String member : GROUPS.get(group)) {
                for (String r : inputsOf(member)) edges.add(EdgeName.of(EMBED, r));
            }
        }
        for (String group : List.of("AMID", "MLATE")) {
            for (String member : GROUPS.get(group)) edges.add(EdgeName.of(member, OUTPUT));
        }
        for (List<String> members : GROUPS.values()) {
            if (Nodes.isHead(members.get(0))) continue;
            for (String from : members) {
                for (String to : members) {
                    if (Nodes.layer(from) < Nodes.layer(to)) edges.add(EdgeName.of(from, to));
                }
            }
        }
        for (List<String> pair : CONNECTED_PAIRS) {
            for (String from : GROUPS.get(pair.get(0))) {
                for (String to : GROUPS.get(pair.get(1))) {
                    if (!precedes(from, to)) continue;
                    for (String r : inputsOf(to)) edges.add(EdgeName.of(from, r));
                }
            }
        }
        for (List<String> members : GROUPS.values()) {
            for (String member : members) {
                if (!Nodes.isHead(member)) continue;
                for (String x : LETTERS) edges.add(EdgeName.directComputation(member + "." + x));
            }
        }
        int maxAmidLayer = GROUPS.get("AMID").stream().mapToInt(Nodes::layer).max().orElseThrow();
        for (int from = 0; from < maxAmidLayer; from++) {
            for (int to = from + 1; to < maxAmidLayer; to++) {
                edges.add(EdgeName.of(AcdcGraphEdges.mlp(from), AcdcGraphEdges.mlp(to)));
            }
        }
        for (String head : GROUPS.get("AMID")) {
            for (int from = 0; from < Nodes.layer(head); from++) edges.add(EdgeName.of(AcdcGraphEdges.mlp(from), head + ".q"));
        }
        return new CanonicalCircuit("greaterthan", LAYERS, HEADS, true, GROUPS, edges);
    }

    /** Sender strictly before receiver, or a head feeding the MLP of its own layer. */
    private static boolean precedes(String from, String to) {
        int a = Nodes.layer(from);
        int b = Nodes.layer(to);
        return a < b || (a == b && Nodes.isHead(from) && !Nodes.isHead(to));
    }

    private static List<String> inputsOf(String member) {
        if (!Nodes.isHead(member)) return List.of(member);
        List<String> out = new ArrayList<>();
        for (String x : LETTERS) out.add(member + "." + x);
        return out;
    }
}
