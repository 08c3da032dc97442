package dev.acdc.experiments.explorer;

import dev.acdc.patching.graph.Node;
import dev.acdc.patching.model.TransformerConfig;

/**
 * Where each node sits in the explorer, and how it is labelled: one row per layer, the output on top and the
 * embeddings at the bottom (the residual stream flows upwards). In a layer's row the head outputs and the MLP output
 * sit on the line, the heads' computed q/k/v a third of a row below, and their q/k/v inputs and the MLP input below
 * those; a head's three channels fan out left to right as q, k, v. Coordinates are Cytoscape model pixels; the page
 * fits them to the window.
 */
final class ExplorerLayout {
    private ExplorerLayout() {}

    static final double COL = 140, ROW = 130, CHANNEL = 28;

    /** The row a node belongs to: -1 for the embeddings, the number of layers for the output. */
    static int layer(TransformerConfig c, Node n) {
        return switch (n.kind()) {
            case EMBED, TOK_EMBED, POS_EMBED -> -1;
            case OUTPUT -> c.nLayers();
            default -> n.layer();
        };
    }

    /** {x, y} of the node. */
    static double[] position(TransformerConfig c, Node n) {
        double mid = headX(c.nHeads() / 2.0 - 0.5 + (c.attentionOnly() ? 0 : 0.5));
        double line = lineY(c, layer(c, n));
        return switch (n.kind()) {
            case EMBED, OUTPUT -> new double[] {mid, line};
            case TOK_EMBED -> new double[] {mid - COL, line};
            case POS_EMBED -> new double[] {mid + COL, line};
            case HEAD_OUTPUT -> new double[] {headX(n.head()), line};
            case HEAD_QKV -> new double[] {channelX(c, n), line + ROW * 0.33 + (n.isKvGroup() ? ROW * 0.08 : 0)};
            case HEAD_INPUT -> new double[] {channelX(c, n), line + ROW * 0.62 + (n.isKvGroup() ? ROW * 0.08 : 0)};
            case MLP_OUT -> new double[] {headX(c.nHeads()), line};
            case MLP_IN -> new double[] {headX(c.nHeads()), line + ROW * 0.62};
        };
    }

    /** The y of a row's line: the output's row at 0, each layer below the next. */
    private static double lineY(TransformerConfig c, int layer) {
        return (c.nLayers() - layer) * ROW;
    }

    private static double headX(double column) {
        return column * COL;
    }

    /** A head's q, k, v side by side under it; a key/value group's k and v under the group's first query head. */
    private static double channelX(TransformerConfig c, Node n) {
        int column = n.isKvGroup() ? n.head() * (c.nHeads() / Math.max(1, c.nKeyValueHeads())) : n.head();
        double offset = switch (n.channel()) {
            case Q -> -CHANNEL;
            case K -> 0;
            case V -> CHANNEL;
        };
        return headX(column) + offset;
    }

    /** The short label drawn on the node: the head and MLP names, the channel letter of q/k/v nodes. */
    static String label(Node n) {
        return switch (n.kind()) {
            case HEAD_INPUT, HEAD_QKV -> n.channel().letter();
            case MLP_IN -> n.name() + " in";
            default -> n.name();
        };
    }

    /** The node's class in the page's stylesheet. */
    static String role(Node n) {
        return switch (n.kind()) {
            case EMBED, TOK_EMBED, POS_EMBED -> "embed";
            case OUTPUT -> "output";
            case HEAD_OUTPUT -> "head";
            case HEAD_INPUT -> "input";
            case HEAD_QKV -> "computed";
            case MLP_IN -> "mlp_in";
            case MLP_OUT -> "mlp_out";
        };
    }

    /** What the node is, in words, with its TransformerLens hook. */
    static String description(Node n, String hook) {
        String what = switch (n.kind()) {
            case EMBED -> "the embeddings (token + position)";
            case TOK_EMBED -> "the token embedding";
            case POS_EMBED -> "the position embedding";
            case OUTPUT -> "the output (final residual stream)";
            case HEAD_OUTPUT -> "the output of head " + n.head() + " in layer " + n.layer();
            case HEAD_INPUT -> (n.isKvGroup() ? "the " + n.channel().letter() + " input of key/value group " + n.head()
                    : "the " + n.channel().letter() + " input of head " + n.head()) + " in layer " + n.layer();
            case HEAD_QKV -> (n.isKvGroup() ? "the computed " + n.channel().letter() + " of key/value group " + n.head()
                    : "the computed " + n.channel().letter() + " of head " + n.head()) + " in layer " + n.layer();
            case MLP_IN -> "the input of the MLP in layer " + n.layer();
            case MLP_OUT -> "the output of the MLP in layer " + n.layer();
        };
        return hook == null ? what : what + " (" + hook + ")";
    }
}
