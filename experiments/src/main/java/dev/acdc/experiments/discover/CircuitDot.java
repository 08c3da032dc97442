package dev.acdc.experiments.discover;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** A circuit as Graphviz DOT: kept edges, addition edges blue, direct-computation edges red. */
public final class CircuitDot {
    private CircuitDot() {}

    public static String render(Circuit circuit, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("digraph circuit {\n");
        sb.append("  label=\"").append(escape(title)).append("\";\n");
        sb.append("  rankdir=BT;\n  node [shape=box, style=rounded, fontname=Helvetica];\n");
        Set<Node> nodes = new LinkedHashSet<>();
        for (Edge e : circuit.edges()) {
            nodes.add(e.sender());
            nodes.add(e.receiver());
        }
        for (Node n : nodes) sb.append("  \"").append(escape(n.name())).append("\";\n");
        for (Edge e : circuit.edges()) {
            sb.append("  \"").append(escape(e.sender().name())).append("\" -> \"").append(escape(e.receiver().name()))
                    .append("\" [color=").append(e.kind() == EdgeKind.DIRECT ? "red" : "blue");
            if (circuit.hasScores() && !Double.isNaN(circuit.score(e.id()))) {
                sb.append(", label=\"").append(String.format(Locale.ROOT, "%.3g", circuit.score(e.id()))).append('"');
            }
            sb.append("];\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
