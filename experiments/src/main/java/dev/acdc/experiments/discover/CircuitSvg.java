package dev.acdc.experiments.discover;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A circuit drawn as SVG on {@link CircuitLayout}'s layered grid: the embeddings at the bottom, per layer the heads'
 * q/k/v inputs, computed q/k/v and outputs, then the MLP's input and output, the output on top; a label and a band
 * per layer; every node of the graph drawn as a box ({@code <rect class="node" data-node=…>}), the ones no drawn edge
 * touches faint. Edges are orthogonal polylines routed in the gutters between the boxes, so none crosses a node it
 * does not join.
 *
 * <p>Each kept edge is one {@code <path class="edge addition|direct CHANNEL">}, coloured by what it feeds: a head's
 * query, key or value input (q, k, v: Q-, K- and V-composition when the sender is an earlier head), the MLP or the
 * output (residual), or a head's computed q/k/v (direct computation). Its width grows with the logarithm of |effect|
 * between the smallest and the largest effect drawn (the legend gives both). Drawn against a ground truth, a kept edge
 * outside it is a false positive ({@code class="edge … false-positive"}, red and dashed), and each ground-truth edge
 * not kept is drawn as a false negative ({@code class="missed false-negative"}, grey and dotted); the legend names
 * both. The picture is as wide as its title and legend need, whatever the number of heads.
 */
public final class CircuitSvg {
    private CircuitSvg() {}

    static final String Q_COLOUR = "#1f77b4", K_COLOUR = "#ff7f0e", V_COLOUR = "#2ca02c", RESIDUAL_COLOUR = "#9467bd",
            DIRECT_COLOUR = "#555555", FALSE_POSITIVE_COLOUR = "#d62728", FALSE_NEGATIVE_COLOUR = "#999999";
    /** Stroke widths of the smallest and largest |effect| drawn. */
    static final double MIN_WIDTH = 0.8, MAX_WIDTH = 4.0;
    private static final double CHAR_WIDTH = 7.0, LEGEND_LINE = 18;

    public static String render(Circuit circuit, String title) {
        return render(circuit, null, title);
    }

    /**
     * @param truth the ground truth to mark false positives and false negatives against; null for none
     */
    public static String render(Circuit circuit, Circuit truth, String title) {
        List<Edge> kept = circuit.edges();
        List<Edge> missed = truth == null ? List.of() : truth.minus(circuit).edges();
        List<Edge> all = new ArrayList<>(kept);
        all.addAll(missed);
        CircuitLayout layout = new CircuitLayout(circuit.graph(), all);
        double[] effectRange = effectRange(circuit, kept);
        List<String> legend = legendLines(truth != null, effectRange);
        double textWidth = CircuitLayout.LEFT + CHAR_WIDTH * Math.max(title.length(),
                legend.stream().mapToInt(String::length).max().orElse(0)) + CircuitLayout.RIGHT;
        double width = Math.ceil(Math.max(layout.width(), textWidth));
        double height = Math.ceil(layout.height() + 12 + LEGEND_LINE * legend.size());
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">%n",
                width, height, width, height));
        sb.append("<title>").append(xml(title)).append("</title>\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%.0f\" y=\"22\" font-size=\"13\">%s</text>%n",
                CircuitLayout.RIGHT, xml(title)));
        layers(sb, layout, circuit.graph().config().nLayers(), width);

        Set<Node> touched = new HashSet<>();
        for (Edge e : all) {
            touched.add(e.sender());
            touched.add(e.receiver());
        }
        Map<Node, Integer> ids = new HashMap<>();
        for (Node n : circuit.graph().nodes()) ids.put(n, ids.size());
        sb.append("<g class=\"edges\" fill=\"none\" stroke-opacity=\"0.8\" stroke-linejoin=\"round\">\n");
        // plain appends: String.format per edge took seconds on GPT-2's 32,923 edges
        for (CircuitLayout.Route r : layout.routes()) {
            Edge e = r.edge();
            boolean isKept = circuit.contains(e.id());
            boolean falsePositive = isKept && truth != null && !truth.contains(e.id());
            if (isKept) {
                sb.append("<path class=\"edge ").append(e.kind() == EdgeKind.DIRECT ? "direct" : "addition").append(' ').append(channel(e))
                        .append(falsePositive ? " false-positive" : "").append('"');
            } else {
                sb.append("<path class=\"missed false-negative\"");
            }
            sb.append(" data-from=\"n").append(ids.get(e.sender())).append("\" data-to=\"n").append(ids.get(e.receiver()))
                    .append("\" d=\"").append(path(r.points())).append('"');
            if (isKept) {
                sb.append(" stroke=\"").append(falsePositive ? FALSE_POSITIVE_COLOUR : colour(e)).append("\" stroke-width=\"");
                hundredths(sb, strokeWidth(circuit, e, effectRange));
                sb.append('"').append(falsePositive ? " stroke-dasharray=\"6 3\"" : "").append("><title>")
                        .append(xml(label(circuit, e) + (falsePositive ? " — false positive (not in the ground truth)" : "")));
            } else {
                sb.append(" stroke=\"").append(FALSE_NEGATIVE_COLOUR).append("\" stroke-width=\"1.2\" stroke-dasharray=\"1.5 3\"><title>")
                        .append(xml(e.name() + " — false negative (in the ground truth, not kept)"));
            }
            sb.append("</title></path>\n");
        }
        sb.append("</g>\n<g class=\"nodes\" font-size=\"9\" text-anchor=\"middle\">\n");
        for (var entry : layout.boxes().entrySet()) {
            Node n = entry.getKey();
            CircuitLayout.Box b = entry.getValue();
            boolean used = touched.contains(n);
            sb.append(String.format(Locale.ROOT,
                    "<g%s><rect class=\"node\" data-node=\"n%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"%s\" stroke=\"%s\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\">%s</text><title>%s</title></g>%n",
                    used ? "" : " opacity=\"0.3\"", ids.get(n), b.x(), b.y(), b.width(), b.height(), fill(n), nodeStroke(n),
                    b.centerX(), b.y() + b.height() / 2 + 3, xml(boxLabel(n)), xml(nodeTitle(circuit, n))));
        }
        sb.append("</g>\n");
        double y = layout.height() + 12;
        sb.append("<g class=\"legend\">\n");
        for (String line : legend) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\">%s</text>%n", CircuitLayout.RIGHT, y, legendMarkup(line)));
            y += LEGEND_LINE;
        }
        sb.append("</g>\n</svg>\n");
        return sb.toString();
    }

    /** A label and a faint band per layer, left of the grid. */
    private static void layers(StringBuilder sb, CircuitLayout layout, int layers, double width) {
        sb.append("<g class=\"layers\">\n");
        for (int l = 0; l < layers; l++) {
            double[] span = layout.layerSpan(l);
            if (l % 2 == 0) {
                sb.append(String.format(Locale.ROOT, "<rect x=\"8\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"#f4f6fa\"/>%n",
                        span[0], width - 16, span[1] - span[0]));
            }
            sb.append(String.format(Locale.ROOT, "<text class=\"layer-label\" x=\"14\" y=\"%.1f\" fill=\"#666666\">layer %d</text>%n",
                    (span[0] + span[1]) / 2 + 4, l));
        }
        sb.append("</g>\n");
    }

    private static List<String> legendLines(boolean truth, double[] effectRange) {
        List<String> lines = new ArrayList<>();
        lines.add("edges into: [q]q input  [k]k input  [v]v input (Q-, K-, V-composition)");
        lines.add("[r]MLP or output (residual)  [d]computed q/k/v (direct)");
        lines.add(effectRange == null ? "width: effect not recorded"
                : String.format(Locale.ROOT, "width: |effect|, log scale, %.3g to %.3g", effectRange[0], effectRange[1]));
        if (truth) {
            lines.add("[p]- - false positive (kept, not in the ground truth)");
            lines.add("[n]··· false negative (in the ground truth, not kept)");
        }
        return lines;
    }

    /** A legend line with its [x] colour marks turned into coloured spans. */
    private static String legendMarkup(String line) {
        String s = xml(line);
        String[][] marks = {{"[q]", Q_COLOUR}, {"[k]", K_COLOUR}, {"[v]", V_COLOUR}, {"[r]", RESIDUAL_COLOUR}, {"[d]", DIRECT_COLOUR},
                {"[p]", FALSE_POSITIVE_COLOUR}, {"[n]", "#777777"}};
        for (String[] m : marks) {
            s = s.replace(m[0], "<tspan fill=\"" + m[1] + "\" font-weight=\"bold\">■ </tspan>");
        }
        return s;
    }

    /** What the edge feeds: q, k, v (a head's input), residual (the MLP or the output), or direct (computed q/k/v). */
    static String channel(Edge e) {
        if (e.kind() == EdgeKind.DIRECT) return "direct-qkv";
        return switch (e.receiver().kind()) {
            case HEAD_INPUT -> e.receiver().channel().letter();
            default -> "residual";
        };
    }

    static String colour(Edge e) {
        return switch (channel(e)) {
            case "q" -> Q_COLOUR;
            case "k" -> K_COLOUR;
            case "v" -> V_COLOUR;
            case "residual" -> RESIDUAL_COLOUR;
            default -> DIRECT_COLOUR;
        };
    }

    private static String fill(Node n) {
        return switch (n.kind()) {
            case HEAD_INPUT, HEAD_QKV -> switch (n.channel()) {
                case Q -> "#dbe9f6";
                case K -> "#ffe6cc";
                case V -> "#d9f0d3";
            };
            case HEAD_OUTPUT -> "#ffd966";
            case MLP_IN, MLP_OUT -> "#e8dff5";
            default -> "#eeeeee";
        };
    }

    private static String nodeStroke(Node n) {
        return n.kind() == NodeKind.HEAD_INPUT || n.kind() == NodeKind.HEAD_QKV ? "#888888" : "#333333";
    }

    /** The text in a node's box: short, and the MLP's input and output told apart. */
    static String boxLabel(Node n) {
        return switch (n.kind()) {
            case HEAD_INPUT -> n.channel().letter();
            case HEAD_QKV -> "hook_" + n.channel().letter();
            case MLP_IN -> "m" + n.layer() + " in";
            case MLP_OUT -> "m" + n.layer() + " out";
            default -> n.name();
        };
    }

    private static String nodeTitle(Circuit circuit, Node n) {
        String role = switch (n.kind()) {
            case MLP_IN -> " (the MLP's input)";
            case MLP_OUT -> " (the MLP's output)";
            case HEAD_INPUT -> " (" + n.channel().letter() + " input)";
            case HEAD_QKV -> " (computed " + n.channel().letter() + ")";
            default -> "";
        };
        return n.name() + role + " — " + circuit.graph().hookName(n);
    }

    private static String path(List<double[]> points) {
        StringBuilder b = new StringBuilder(64);
        for (double[] p : points) {
            b.append(b.length() == 0 ? "M " : " L ");
            tenths(b, p[0]);
            b.append(' ');
            tenths(b, p[1]);
        }
        return b.toString();
    }

    /** {@code x ≥ 0} with two decimals, as {@code %.2f} writes it. */
    private static void hundredths(StringBuilder b, double x) {
        long t = Math.round(x * 100);
        b.append(t / 100).append('.').append(t % 100 < 10 ? "0" : "").append(t % 100);
    }

    /** {@code x} with one decimal, as {@code %.1f} writes it (half up), without String.format's cost per number. */
    static void tenths(StringBuilder b, double x) {
        long t = Math.round(x * 10);
        if (t < 0) {
            b.append('-');
            t = -t;
        }
        b.append(t / 10).append('.').append(t % 10);
    }

    private static String label(Circuit circuit, Edge e) {
        if (!circuit.hasScores() || Double.isNaN(circuit.score(e.id()))) return e.name();
        return e.name() + String.format(Locale.ROOT, " (effect %.4g)", circuit.score(e.id()));
    }

    /** The smallest and largest non-zero finite |effect| of the kept edges; null when none is recorded. */
    static double[] effectRange(Circuit circuit, List<Edge> kept) {
        if (!circuit.hasScores()) return null;
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Edge e : kept) {
            double a = Math.abs(circuit.score(e.id()));
            if (!Double.isFinite(a) || a == 0) continue;
            lo = Math.min(lo, a);
            hi = Math.max(hi, a);
        }
        return hi == 0 ? null : new double[] {lo, hi};
    }

    /**
     * Log-scaled: an effect spanning 1e-5 to 1 stays distinguishable where a linear scale saturated; an edge without a
     * recorded (or with a zero) effect gets the thinnest stroke.
     */
    static double strokeWidth(Circuit circuit, Edge e, double[] range) {
        if (range == null) return 1.2;
        double a = Math.abs(circuit.score(e.id()));
        if (!Double.isFinite(a) || a == 0) return MIN_WIDTH;
        if (range[1] <= range[0]) return (MIN_WIDTH + MAX_WIDTH) / 2;
        double t = (Math.log(a) - Math.log(range[0])) / (Math.log(range[1]) - Math.log(range[0]));
        return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * Math.max(0, Math.min(1, t));
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
