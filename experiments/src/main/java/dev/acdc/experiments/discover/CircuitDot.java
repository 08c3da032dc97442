package dev.acdc.experiments.discover;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A circuit as Graphviz DOT: kept edges, addition edges blue, direct-computation edges red. Scored against a ground
 * truth, a kept edge outside it (a false positive) is drawn dashed and red, and every ground-truth edge that was not
 * kept (a false negative) is drawn dotted and grey; a legend line says so.
 */
public final class CircuitDot {
    private CircuitDot() {}

    /** The legend line of a circuit drawn against a ground truth. */
    public static final String TRUTH_LEGEND = "false positive: red dashed;  false negative (ground truth, not kept): grey dotted";

    public static String render(Circuit circuit, String title) {
        return render(circuit, null, title);
    }

    /**
     * @param truth the ground truth to mark false positives and false negatives against; null for none
     */
    public static String render(Circuit circuit, Circuit truth, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("digraph circuit {\n");
        if (truth != null) sb.append("  // ").append(TRUTH_LEGEND).append('\n');
        String label = truth == null ? title : title + "\n" + TRUTH_LEGEND;
        sb.append("  label=\"").append(escape(label)).append("\";\n");
        sb.append("  rankdir=BT;\n  node [shape=box, style=rounded, fontname=Helvetica];\n");
        Set<Node> nodes = new LinkedHashSet<>();
        for (Edge e : circuit.edges()) {
            nodes.add(e.sender());
            nodes.add(e.receiver());
        }
        Circuit missed = truth == null ? null : truth.minus(circuit);
        if (missed != null) {
            for (Edge e : missed.edges()) {
                nodes.add(e.sender());
                nodes.add(e.receiver());
            }
        }
        for (Node n : nodes) sb.append("  \"").append(escape(n.name())).append("\";\n");
        for (Edge e : circuit.edges()) {
            edge(sb, e);
            boolean falsePositive = truth != null && !truth.contains(e.id());
            sb.append(" [color=").append(falsePositive ? "red" : e.kind() == EdgeKind.DIRECT ? "red" : "blue");
            if (falsePositive) sb.append(", style=dashed, penwidth=2, class=\"false-positive\"");
            if (circuit.hasScores() && !Double.isNaN(circuit.score(e.id()))) {
                sb.append(", label=\"").append(String.format(Locale.ROOT, "%.3g", circuit.score(e.id()))).append('"');
            }
            sb.append("];\n");
        }
        if (missed != null) {
            for (Edge e : missed.edges()) {
                edge(sb, e);
                sb.append(" [color=grey, style=dotted, class=\"false-negative\"];\n");
            }
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static void edge(StringBuilder sb, Edge e) {
        sb.append("  \"").append(escape(e.sender().name())).append("\" -> \"").append(escape(e.receiver().name())).append('"');
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
