package dev.acdc.patching.patch;

import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.TransformerConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where every sender and receiver sits in the patcher's matrices. Senders are rows of one [S, B·P·D] matrix in
 * topological order, in sender groups: 0 the embedding(s), 1 + 2l the heads of layer l, 2 + 2l its MLP (empty when
 * attention-only). Receivers are processed in {@link ReceiverGroup}s in topological order: the heads of layer 0,
 * the MLP of layer 0, the heads of layer 1, …, the output. A group reads a prefix of the sender rows, and every
 * group but the output writes the rows of one sender group (its heads, or its MLP). With a parallel residual an MLP
 * reads the same prefix as its layer's heads (the rows before the layer), so it reads fewer rows than the rows
 * recomputed before it.
 */
final class PatchLayout {
    final TransformerConfig config;
    final int heads;
    final boolean parallel;             // parallel residual: an MLP reads only the earlier layers, not its own heads
    final int kvHeads;                  // G, key/value heads (groups) per layer
    final boolean grouped;              // G < H: k and v receivers per group
    final int senderGroupCount;
    final int[] senderGroupSize;
    final int[] rowOffset;              // per sender group: its first row; [senderGroupCount] = S
    final List<Node> senderNodes;       // every sender, in row order
    final List<ReceiverGroup> groups;

    /**
     * A set of receivers whose inputs are computed together. They read sender rows [0, senderRows); rowIds[r][s] is
     * the edge id from sender row s to receiver r, or −1 where there is no edge. Head groups have H + 2G receivers
     * ({@link #receiverRow}: the H q inputs, the G k inputs, the G v inputs; 3H rows ch·H + h when G = H), and
     * directIds[ch][i] the id of the direct edge of q head i (k, v: of key/value head i). The group
     * writes sender rows [firstOwnRow, firstOwnRow + ownRows): its heads (one row each) or its MLP; none for the output.
     */
    record ReceiverGroup(NodeKind kind, int layer, int rows, int senderRows, int[][] rowIds, int[][] directIds,
                         int[] allInEdgeIds, int firstOwnRow, int ownRows) {}

    PatchLayout(CircuitGraph graph) {
        this.config = graph.config();
        if (config.architecture().postNorms() && !PostNormScales.applies(config)) {
            // the linearisation fixes an RMSNorm's rms; a LayerNorm post-norm would need its mean fixed too (no family has one)
            throw new UnsupportedOperationException("edge patching of '" + config.name() + "': post-norms are patched as"
                    + " RMSNorms only, this model's are " + config.normalization());
        }
        this.parallel = config.architecture().parallelResidual();
        this.kvHeads = config.nKeyValueHeads();
        this.grouped = kvHeads != config.nHeads();
        this.heads = config.nHeads();
        int L = config.nLayers();
        senderGroupCount = 1 + 2 * L;
        senderGroupSize = new int[senderGroupCount];
        rowOffset = new int[senderGroupCount + 1];
        for (int sg = 0; sg < senderGroupCount; sg++) {
            senderGroupSize[sg] = sg == 0 ? (config.separateEmbeddingNodes() ? 2 : 1)
                    : (sg - 1) % 2 == 0 ? heads : (config.attentionOnly() ? 0 : 1);
            rowOffset[sg + 1] = rowOffset[sg] + senderGroupSize[sg];
        }
        List<Node> senders = new ArrayList<>();
        for (int sg = 0; sg < senderGroupCount; sg++) senders.addAll(sendersOfGroup(sg));
        senderNodes = List.copyOf(senders);
        List<ReceiverGroup> out = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            out.add(group(graph, NodeKind.HEAD_INPUT, l));
            if (!config.attentionOnly()) out.add(group(graph, NodeKind.MLP_IN, l));
        }
        out.add(group(graph, NodeKind.OUTPUT, L));
        groups = List.copyOf(out);
    }

    /** S, the number of sender rows. */
    int senderRows() {
        return rowOffset[senderGroupCount];
    }

    /** The sender row of head h of layer l. */
    int headRow(int layer, int head) {
        return rowOffset[1 + 2 * layer] + head;
    }

    /** The sender row of the MLP of layer l (attention-only models have none). */
    int mlpRow(int layer) {
        return rowOffset[2 + 2 * layer];
    }

    /** The first sender row of layer l's heads: every row before it belongs to an earlier layer or the embedding. */
    int firstRowOfLayer(int layer) {
        return rowOffset[1 + 2 * layer];
    }

    /** Heads of a channel: H for q, G for k and v. */
    int channelHeads(int channel) {
        return channel == 0 ? heads : kvHeads;
    }

    /** The row in a head group of the input of channel ch (0 q, 1 k, 2 v) of q head or key/value head i. */
    int receiverRow(int channel, int i) {
        return channel == 0 ? i : heads + (channel - 1) * kvHeads + i;
    }

    /** The key/value head (group) that query head h reads: h / (H/G), transformers' repeat_kv. */
    int groupOf(int head) {
        return head / (heads / kvHeads);
    }

    /** The sender nodes of group sg, in row order. */
    private List<Node> sendersOfGroup(int sg) {
        if (senderGroupSize[sg] == 0) return List.of();
        if (sg == 0) {
            return config.separateEmbeddingNodes() ? List.of(Node.tokEmbed(), Node.posEmbed()) : List.of(Node.embed());
        }
        int l = (sg - 1) / 2;
        if ((sg - 1) % 2 == 1) return List.of(Node.mlpOut(l));
        List<Node> hs = new ArrayList<>();
        for (int h = 0; h < heads; h++) hs.add(Node.head(l, h));
        return hs;
    }

    /** The sender row of a sender node. */
    int rowOf(Node s) {
        return switch (s.kind()) {
            case EMBED, TOK_EMBED -> 0;
            case POS_EMBED -> 1;
            case HEAD_OUTPUT -> headRow(s.layer(), s.head());
            case MLP_OUT -> mlpRow(s.layer());
            default -> throw new IllegalStateException("not a sender: " + s);
        };
    }

    /** The q input of head i, or the k (v) input of key/value head i (per group under grouped-query attention). */
    private Node input(int layer, int i, Node.Channel ch) {
        return grouped && ch != Node.Channel.Q ? Node.kvInput(layer, i, ch) : Node.headInput(layer, i, ch);
    }

    private ReceiverGroup group(CircuitGraph graph, NodeKind kind, int layer) {
        List<Node> receivers = new ArrayList<>();
        if (kind == NodeKind.HEAD_INPUT) {
            for (Node.Channel ch : Node.Channel.values()) {
                for (int h = 0; h < channelHeads(ch.ordinal()); h++) receivers.add(input(layer, h, ch));
            }
        } else if (kind == NodeKind.MLP_IN) {
            receivers.add(Node.mlpIn(layer));
        } else {
            receivers.add(Node.output());
        }
        // a head group reads every sender of the earlier layers; an MLP also its own layer's heads (not with a parallel
        // residual, where it reads the block's input as the heads do); the output everything
        int senderRows = switch (kind) {
            case HEAD_INPUT -> firstRowOfLayer(layer);
            case MLP_IN -> parallel ? firstRowOfLayer(layer) : mlpRow(layer);
            default -> senderRows();
        };
        int[][] ids = new int[receivers.size()][senderRows];
        for (int[] row : ids) Arrays.fill(row, -1);
        List<Integer> all = new ArrayList<>();
        for (int r = 0; r < receivers.size(); r++) {
            for (Edge e : graph.inEdges(receivers.get(r))) {
                int s = rowOf(e.sender());
                if (s >= senderRows) throw new IllegalStateException("edge " + e + " comes from a sender after its receiver");
                ids[r][s] = e.id();
                all.add(e.id());
            }
        }
        int[][] direct = null;
        if (kind == NodeKind.HEAD_INPUT) {
            direct = new int[3][];
            for (Node.Channel ch : Node.Channel.values()) {
                direct[ch.ordinal()] = new int[channelHeads(ch.ordinal())];
                for (int h = 0; h < channelHeads(ch.ordinal()); h++) {
                    Node qkv = grouped && ch != Node.Channel.Q ? Node.kvQkv(layer, h, ch) : Node.headQkv(layer, h, ch);
                    List<Edge> in = graph.inEdges(qkv);
                    if (in.size() != 1 || in.get(0).kind() != EdgeKind.DIRECT) {
                        throw new IllegalStateException("expected one direct-computation edge into " + qkv + ", found " + in);
                    }
                    direct[ch.ordinal()][h] = in.get(0).id();
                    all.add(in.get(0).id());
                }
            }
        }
        int firstOwn = switch (kind) {
            case HEAD_INPUT -> firstRowOfLayer(layer);
            case MLP_IN -> mlpRow(layer);
            default -> senderRows();
        };
        int own = switch (kind) {
            case HEAD_INPUT -> heads;
            case MLP_IN -> 1;
            default -> 0;
        };
        return new ReceiverGroup(kind, layer, receivers.size(), senderRows, ids, direct,
                all.stream().mapToInt(Integer::intValue).toArray(), firstOwn, own);
    }
}
