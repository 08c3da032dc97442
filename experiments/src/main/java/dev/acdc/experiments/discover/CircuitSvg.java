package dev.acdc.experiments.discover;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.TransformerConfig;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A circuit drawn as SVG by our own layered layout: the embeddings at the bottom, one row per layer (head
 * and MLP outputs on the row, their q/k/v and MLP inputs just below it), the output on top. Each kept edge is
 * one {@code <path class="edge addition|direct">}: addition edges blue, direct-computation edges red. Drawn against a
 * ground truth, a kept edge outside it is a false positive ({@code class="edge … false-positive"}, red and dashed),
 * and each ground-truth edge not kept is drawn as a false negative ({@code class="missed false-negative"}, grey and
 * dotted); the legend names both.
 */
public final class CircuitSvg {
    private CircuitSvg() {}

    private static final double COL = 90, ROW = 110, MARGIN = 60;

    public static String render(Circuit circuit, String title) {
        return render(circuit, null, title);
    }

    /**
     * @param truth the ground truth to mark false positives and false negatives against; null for none
     */
    public static String render(Circuit circuit, Circuit truth, String title) {
        TransformerConfig c = circuit.graph().config();
        int cols = c.nHeads() + 1;                      // heads, then the MLP
        int layers = c.nLayers();
        double width = 2 * MARGIN + cols * COL;
        double height = 2 * MARGIN + (layers + 1) * ROW + 40;
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">%n",
                width, height, width, height));
        sb.append("<title>").append(xml(title)).append("</title>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"20\" font-size=\"13\">%s</text>%n", MARGIN, xml(title)));
        // layer guides
        sb.append("<g class=\"layers\" stroke=\"#eeeeee\">\n");
        for (int l = 0; l < layers; l++) {
            double y = rowY(c, l);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>%n",
                    MARGIN / 2, y, width - MARGIN / 2, y));
        }
        sb.append("</g>\n");
        sb.append("<g class=\"edges\" fill=\"none\" stroke-opacity=\"0.75\">\n");
        Set<Node> nodes = new LinkedHashSet<>();
        for (Edge e : circuit.edges()) {
            nodes.add(e.sender());
            nodes.add(e.receiver());
            double[] a = position(c, e.sender()), b = position(c, e.receiver());
            boolean direct = e.kind() == EdgeKind.DIRECT;
            double dy = Math.max(20, Math.abs(a[1] - b[1]) / 2);
            boolean falsePositive = truth != null && !truth.contains(e.id());
            sb.append(String.format(Locale.ROOT,
                    "<path class=\"edge %s%s\" d=\"M %.1f %.1f C %.1f %.1f %.1f %.1f %.1f %.1f\" stroke=\"%s\" stroke-width=\"%.2f\"%s><title>%s</title></path>%n",
                    direct ? "direct" : "addition", falsePositive ? " false-positive" : "", a[0], a[1], a[0], a[1] - dy, b[0], b[1] + dy, b[0], b[1],
                    direct || falsePositive ? "#d62728" : "#1f77b4", strokeWidth(circuit, e),
                    falsePositive ? " stroke-dasharray=\"6 3\"" : "",
                    xml(label(circuit, e) + (falsePositive ? " — false positive (not in the ground truth)" : ""))));
        }
        if (truth != null) {
            for (Edge e : truth.minus(circuit).edges()) {
                nodes.add(e.sender());
                nodes.add(e.receiver());
                double[] a = position(c, e.sender()), b = position(c, e.receiver());
                double dy = Math.max(20, Math.abs(a[1] - b[1]) / 2);
                sb.append(String.format(Locale.ROOT,
                        "<path class=\"missed false-negative\" d=\"M %.1f %.1f C %.1f %.1f %.1f %.1f %.1f %.1f\" stroke=\"#999999\" stroke-width=\"1.2\" stroke-dasharray=\"1.5 3\"><title>%s</title></path>%n",
                        a[0], a[1], a[0], a[1] - dy, b[0], b[1] + dy, b[0], b[1],
                        xml(e.name() + " — false negative (in the ground truth, not kept)")));
            }
        }
        sb.append("</g>\n");
        sb.append("<g class=\"nodes\">\n");
        for (Node n : nodes) {
            double[] p = position(c, n);
            boolean small = switch (n.kind()) {
                case HEAD_INPUT, HEAD_QKV -> true;
                default -> false;
            };
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\" stroke=\"#333333\"/>%n",
                    p[0], p[1], small ? 3 : 6, small ? "#ffffff" : "#ffd966"));
            if (!small) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", p[0] + 8, p[1] - 6, xml(n.name())));
            } else if (n.kind() == dev.acdc.patching.graph.NodeKind.HEAD_INPUT) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"8\" text-anchor=\"middle\">%s</text>%n",
                        p[0], p[1] + 11, n.channel().letter()));
            }
        }
        sb.append("</g>\n");
        sb.append(String.format(Locale.ROOT,
                "<g class=\"legend\"><text x=\"%.0f\" y=\"%.0f\" fill=\"#1f77b4\">addition</text><text x=\"%.0f\" y=\"%.0f\" fill=\"#d62728\">direct computation</text></g>%n",
                MARGIN, height - 12, MARGIN + 70, height - 12));
        if (truth != null) {
            sb.append(String.format(Locale.ROOT,
                    "<g class=\"legend truth\"><text x=\"%.0f\" y=\"%.0f\" fill=\"#d62728\">- - false positive</text><text x=\"%.0f\" y=\"%.0f\" fill=\"#777777\">··· false negative (ground truth, not kept)</text></g>%n",
                    MARGIN + 190, height - 12, MARGIN + 290, height - 12));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String label(Circuit circuit, Edge e) {
        if (!circuit.hasScores() || Double.isNaN(circuit.score(e.id()))) return e.name();
        return e.name() + String.format(Locale.ROOT, " (effect %.4g)", circuit.score(e.id()));
    }

    private static double strokeWidth(Circuit circuit, Edge e) {
        if (!circuit.hasScores() || Double.isNaN(circuit.score(e.id()))) return 1.2;
        return 1.0 + Math.min(3.0, Math.abs(circuit.score(e.id())) * 20);
    }

    /** The y of layer l's output row (layer 0 just above the embeddings). */
    private static double rowY(TransformerConfig c, int layer) {
        return MARGIN + 30 + (c.nLayers() - layer) * ROW;
    }

    static double[] position(TransformerConfig c, Node n) {
        double embedY = rowY(c, -1);
        double mid = MARGIN + (c.nHeads() + 1) * COL / 2;
        return switch (n.kind()) {
            case EMBED -> new double[] {mid, embedY};
            case TOK_EMBED -> new double[] {mid - COL, embedY};
            case POS_EMBED -> new double[] {mid + COL, embedY};
            case OUTPUT -> new double[] {mid, MARGIN + 20};
            case HEAD_OUTPUT -> new double[] {headX(n.head()), rowY(c, n.layer())};
            case HEAD_QKV -> new double[] {headX(n.head()) + channelOffset(n), rowY(c, n.layer()) + ROW * 0.3};
            case HEAD_INPUT -> new double[] {headX(n.head()) + channelOffset(n), rowY(c, n.layer()) + ROW * 0.55};
            case MLP_OUT -> new double[] {headX(c.nHeads()), rowY(c, n.layer())};
            case MLP_IN -> new double[] {headX(c.nHeads()), rowY(c, n.layer()) + ROW * 0.55};
        };
    }

    private static double headX(int col) {
        return MARGIN + COL / 2 + col * COL;
    }

    private static double channelOffset(Node n) {
        return switch (n.channel().letter()) {
            case "q" -> -18;
            case "k" -> 0;
            default -> 18;
        };
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
