package dev.acdc.datasets.gpt2;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The counted edges of ACDC's full graph for a transformer shape, named as {@link EdgeName}s, and the
 * node names they use. Residual edges go from every sender to every later receiver (a head's q/k/v
 * reads earlier layers; an MLP reads heads of its own layer and earlier; the output reads everything);
 * plus one direct-computation edge per head and letter. Placeholder edges are not counted.
 *
 * <p>This is only what the canonical-circuit derivations need; the graph itself is the patching
 * module's {@code CircuitGraph}.
 */
final class AcdcGraphEdges {
    static final List<String> LETTERS = List.of("q", "k", "v");
    static final String EMBED = "embed";
    static final String OUTPUT = "output";

    private AcdcGraphEdges() {}

    static String head(int layer, int head) {
        return "a" + layer + "." + head;
    }

    static String mlp(int layer) {
        return "m" + layer;
    }

    /** Every counted edge, grouped by receiver in forward order. */
    static Set<EdgeName> all(int layers, int heads, boolean mlps) {
        Set<EdgeName> out = new LinkedHashSet<>();
        List<String> earlier = new ArrayList<>(List.of(EMBED)); // senders of layers before the current one
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                for (String x : LETTERS) {
                    String input = head(l, h) + "." + x;
                    for (String s : earlier) out.add(EdgeName.of(s, input));
                    out.add(EdgeName.directComputation(input));
                }
            }
            for (int h = 0; h < heads; h++) earlier.add(head(l, h));
            if (mlps) {
                for (String s : earlier) out.add(EdgeName.of(s, mlp(l)));
                earlier.add(mlp(l));
            }
        }
        for (String s : earlier) out.add(EdgeName.of(s, OUTPUT));
        return out;
    }
}
