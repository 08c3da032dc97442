package dev.acdc.experiments.discover;

import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where {@link CircuitSvg} puts each node and how it routes each edge: a layered grid with orthogonal edges that run
 * only in the gutters between the cells, so that no edge crosses a node box other than its own two ends.
 *
 * <p>The grid keeps the transformer's structure instead of computing layers from the edges (as a general layered
 * layout such as ELK's would): rows from the bottom are the embeddings, then per layer the heads' q/k/v inputs, their
 * computed q/k/v, the head outputs, and (with MLPs) the MLP input and the MLP output, and the output on top; columns
 * are three per head (q, k, v; the head output in the k column) and one for the MLP. Every edge points up the rows
 * (a receiver's row is above each of its senders'), which the constructor checks.
 *
 * <p>An edge leaves its sender's box at the top, rises into the gutter above the sender's row, runs along it to a
 * vertical gutter beside the receiver's column, rises there to the gutter below the receiver's row, runs along it
 * to below the receiver, and rises into the receiver's box: at most five segments, each either inside its
 * own end's column cell or inside a gutter, where no box lies. Edges sharing a gutter get lanes of their own (spread
 * evenly across it), and edges sharing an end leave or enter it at spread points, so parallel edges stay apart.
 * Only the embeddings' and the output's boxes span several columns; no vertical run passes their rows.
 */
final class CircuitLayout {

    /** A node's box; {@code x, y} its top-left corner (SVG coordinates, y down). */
    record Box(double x, double y, double width, double height) {
        double centerX() { return x + width / 2; }
        double bottom() { return y + height; }
        double right() { return x + width; }
    }

    /** A routed edge: the polyline's points, from the sender's box to the receiver's. */
    record Route(Edge edge, List<double[]> points) {}

    static final double CELL_WIDTH = 46, CELL_HEIGHT = 22, GUTTER_WIDTH = 18, GUTTER_HEIGHT = 28;
    /** Room left of the grid for the layer labels, and around it. */
    static final double LEFT = 64, RIGHT = 24, TOP = 44;

    private final TransformerConfig config;
    private final int columns;
    private final int rowsPerLayer;
    private final int rows;
    private final Map<Node, Box> boxes = new LinkedHashMap<>();
    private final List<Route> routes = new ArrayList<>();

    /**
     * Lays out every node of the graph and routes the given edges (kept and missed alike), in the given order.
     */
    CircuitLayout(CircuitGraph graph, List<Edge> edges) {
        this.config = graph.config();
        boolean mlp = !config.attentionOnly();
        this.columns = 3 * config.nHeads() + (mlp ? 1 : 0);
        this.rowsPerLayer = mlp ? 5 : 3;
        this.rows = 2 + config.nLayers() * rowsPerLayer;
        for (Node n : graph.nodes()) boxes.put(n, box(n));
        route(edges);
    }

    Map<Node, Box> boxes() { return boxes; }

    List<Route> routes() { return routes; }

    /** The grid's width and height, margins included (not the title or legend). */
    double width() { return LEFT + columns * CELL_WIDTH + (columns + 1) * GUTTER_WIDTH + RIGHT; }

    double height() { return TOP + rows * CELL_HEIGHT + (rows + 1) * GUTTER_HEIGHT; }

    /** The y range of layer {@code l}'s rows, for its label and band: {top, bottom}. */
    double[] layerSpan(int layer) {
        int low = 1 + layer * rowsPerLayer, high = low + rowsPerLayer - 1;
        return new double[] {rowTop(high) - GUTTER_HEIGHT / 2, rowTop(low) + CELL_HEIGHT + GUTTER_HEIGHT / 2};
    }

    /** The row of a node, counted from the bottom (0: the embeddings). */
    int row(Node n) {
        int base = 1 + Math.max(0, n.layer()) * rowsPerLayer;
        return switch (n.kind()) {
            case EMBED, TOK_EMBED, POS_EMBED -> 0;
            case OUTPUT -> rows - 1;
            case HEAD_INPUT -> base;
            case HEAD_QKV -> base + 1;
            case HEAD_OUTPUT -> base + 2;
            case MLP_IN -> base + 3;
            case MLP_OUT -> base + 4;
        };
    }

    /** The column of a node placed in one cell. A key/value group's nodes sit under the group's first query head. */
    private int column(Node n) {
        int head = n.kvGroup() ? n.head() * (config.nHeads() / config.nKeyValueHeads()) : n.head();
        return switch (n.kind()) {
            case HEAD_INPUT, HEAD_QKV -> 3 * head + n.channel().ordinal();
            case HEAD_OUTPUT -> 3 * head + 1;
            case MLP_IN, MLP_OUT -> 3 * config.nHeads();
            default -> throw new IllegalArgumentException(n + " spans columns");
        };
    }

    private double rowTop(int row) {
        return TOP + GUTTER_HEIGHT + (rows - 1 - row) * (CELL_HEIGHT + GUTTER_HEIGHT);
    }

    private double columnLeft(int column) {
        return LEFT + GUTTER_WIDTH + column * (CELL_WIDTH + GUTTER_WIDTH);
    }

    private Box box(Node n) {
        double pad = 2;
        double top = rowTop(row(n)) + pad, h = CELL_HEIGHT - 2 * pad;
        double gridLeft = columnLeft(0), gridRight = columnLeft(columns - 1) + CELL_WIDTH;
        double mid = (gridLeft + gridRight) / 2;
        return switch (n.kind()) {
            case EMBED, OUTPUT -> {
                double w = Math.min(gridRight - gridLeft, 140);
                yield new Box(mid - w / 2, top, w, h);
            }
            // the two embeddings share the bottom row, each centred in its half
            case TOK_EMBED, POS_EMBED -> {
                double half = (gridRight - gridLeft) / 2, w = Math.min(half - 8, 110);
                double c = n.kind() == dev.acdc.patching.graph.NodeKind.TOK_EMBED ? gridLeft + half / 2 : mid + half / 2;
                yield new Box(c - w / 2, top, w, h);
            }
            default -> new Box(columnLeft(column(n)) + pad, top, CELL_WIDTH - 2 * pad, h);
        };
    }

    /** The y of the horizontal gutter above {@code row} (between it and the next row up): {top, bottom}. */
    private double[] gutterAbove(int row) {
        double bottom = rowTop(row);
        return new double[] {bottom - GUTTER_HEIGHT, bottom};
    }

    /** Vertical gutter {@code g} lies left of column g (g = columns: right of the last): {left, right}. */
    private double[] verticalGutter(int g) {
        double left = LEFT + g * (CELL_WIDTH + GUTTER_WIDTH);
        return new double[] {left, left + GUTTER_WIDTH};
    }

    private void route(List<Edge> edges) {
        // first pass: each edge's index among its sender's out-edges and its receiver's in-edges, and its lane in each
        // gutter it uses; second pass: the points. Arrays by the edge's position in the list (GPT-2 has 32,923 edges).
        int n = edges.size();
        Map<Node, Integer> outCount = new HashMap<>(), inCount = new HashMap<>();
        int[] outIndex = new int[n], inIndex = new int[n], rowFrom = new int[n], rowTo = new int[n];
        for (int i = 0; i < n; i++) {
            Edge e = edges.get(i);
            rowFrom[i] = row(e.sender());
            rowTo[i] = row(e.receiver());
            if (rowTo[i] <= rowFrom[i]) throw new IllegalStateException("edge " + e.name() + " does not point up the layout's rows");
            outIndex[i] = outCount.merge(e.sender(), 1, Integer::sum) - 1;
            inIndex[i] = inCount.merge(e.receiver(), 1, Integer::sum) - 1;
        }
        // a horizontal gutter (indexed by the row below it) is used by the edges leaving that row and by the edges from
        // further down arriving at the row above it; a vertical gutter by the edges rising in it
        int[] horizontalUsers = new int[rows], verticalUsers = new int[columns + 1];
        int[] lowLane = new int[n], highLane = new int[n], gutter = new int[n], verticalLane = new int[n];
        double[] xs = new double[n], xr = new double[n];
        for (int i = 0; i < n; i++) {
            Edge e = edges.get(i);
            xs[i] = spread(boxes.get(e.sender()), outIndex[i], outCount.get(e.sender()));
            xr[i] = spread(boxes.get(e.receiver()), inIndex[i], inCount.get(e.receiver()));
            lowLane[i] = horizontalUsers[rowFrom[i]]++;
            if (rowTo[i] > rowFrom[i] + 1) {
                highLane[i] = horizontalUsers[rowTo[i] - 1]++;
                gutter[i] = gutterBeside(xr[i], xs[i]);
                verticalLane[i] = verticalUsers[gutter[i]]++;
            }
        }
        for (int i = 0; i < n; i++) {
            Edge e = edges.get(i);
            Box s = boxes.get(e.sender()), r = boxes.get(e.receiver());
            int rs = rowFrom[i], rr = rowTo[i];
            List<double[]> p = new ArrayList<>(6);
            p.add(new double[] {xs[i], s.y()});
            double y1 = lane(gutterAbove(rs), lowLane[i], horizontalUsers[rs]);
            p.add(new double[] {xs[i], y1});
            if (rr == rs + 1) {
                p.add(new double[] {xr[i], y1});
            } else {
                double x = lane(verticalGutter(gutter[i]), verticalLane[i], verticalUsers[gutter[i]]);
                double y2 = lane(gutterAbove(rr - 1), highLane[i], horizontalUsers[rr - 1]);
                p.add(new double[] {x, y1});
                p.add(new double[] {x, y2});
                p.add(new double[] {xr[i], y2});
            }
            p.add(new double[] {xr[i], r.bottom()});
            routes.add(new Route(e, List.copyOf(p)));
        }
    }

    /** Lane i of n, evenly spaced strictly inside a gutter's {from, to}. */
    private static double lane(double[] gutter, int i, int n) {
        return gutter[0] + (gutter[1] - gutter[0]) * (i + 1) / (n + 1);
    }

    /** The vertical gutter next to the receiver's end on the sender's side. */
    private int gutterBeside(double xr, double xs) {
        int column = (int) Math.floor((xr - LEFT - GUTTER_WIDTH / 2) / (CELL_WIDTH + GUTTER_WIDTH));
        column = Math.max(0, Math.min(columns - 1, column));
        return xs < xr ? column : column + 1;
    }

    /** The i-th of n points spread over the middle of a box's width. */
    private static double spread(Box b, int i, int n) {
        if (n <= 1) return b.centerX();
        double span = b.width() * 0.7;
        return b.centerX() - span / 2 + span * i / (n - 1);
    }
}
