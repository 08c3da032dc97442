package dev.acdc.patching.graph;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the computational graph, identified by its kind and position (layer, head, q/k/v channel).
 * Two nodes are equal when they denote the same place in the model, whichever graph they came from.
 *
 * <p>Names (see the package documentation for the whole notation):
 * <pre>
 * EMBED        embed          TOK_EMBED  tok_embed      POS_EMBED  pos_embed
 * HEAD_OUTPUT  aL.H           HEAD_INPUT aL.H.q|k|v     HEAD_QKV   aL.H.hook_q|hook_k|hook_v
 * MLP_IN       mL             MLP_OUT    mL             OUTPUT     output
 * HEAD_INPUT   aL.kvG.k|v     HEAD_QKV   aL.kvG.hook_k|hook_v      (grouped key/value heads: per group G)
 * </pre>
 * {@code mL} names the MLP's input as a receiver and its output as a sender; the role decides which.
 * With grouped-query attention the key and value nodes belong to a key/value group, not a head: {@code head} is
 * then the group's index and {@code kvGroup} is true.
 *
 * @param kind    what the node is
 * @param layer   the block index, or -1 for the embeddings and the output
 * @param head    the head index for the three head kinds, otherwise -1
 * @param channel q, k or v for {@link NodeKind#HEAD_INPUT} and {@link NodeKind#HEAD_QKV}, otherwise null
 * @param kvGroup true for the k or v input or computed k/v of a key/value group (grouped-query attention);
 *                {@code head} is then the group's index
 */
public record Node(NodeKind kind, int layer, int head, Channel channel, boolean kvGroup) {

    /** Which of a head's three inputs. */
    public enum Channel {
        Q, K, V;

        /** {@code q}, {@code k} or {@code v}. */
        public String letter() {
            return switch (this) {
                case Q -> "q";
                case K -> "k";
                case V -> "v";
            };
        }

        static Channel ofLetter(String letter) {
            return switch (letter) {
                case "q" -> Q;
                case "k" -> K;
                case "v" -> V;
                default -> throw new IllegalArgumentException("channel must be q, k or v, found '" + letter + "'");
            };
        }
    }

    private static final Node EMBED_NODE = new Node(NodeKind.EMBED, -1, -1, null);
    private static final Node TOK_EMBED_NODE = new Node(NodeKind.TOK_EMBED, -1, -1, null);
    private static final Node POS_EMBED_NODE = new Node(NodeKind.POS_EMBED, -1, -1, null);
    private static final Node OUTPUT_NODE = new Node(NodeKind.OUTPUT, -1, -1, null);

    private static final Pattern HEAD = Pattern.compile("a(\\d+)\\.(\\d+)(?:\\.(q|k|v|hook_q|hook_k|hook_v))?");
    private static final Pattern KV_GROUP = Pattern.compile("a(\\d+)\\.kv(\\d+)\\.(k|v|hook_k|hook_v)");

    /** A node of one head (or none): {@code kvGroup} false. */
    public Node(NodeKind kind, int layer, int head, Channel channel) {
        this(kind, layer, head, channel, false);
    }
    private static final Pattern MLP = Pattern.compile("m(\\d+)");

    public Node {
        Objects.requireNonNull(kind, "kind");
        boolean layered = kind != NodeKind.EMBED && kind != NodeKind.TOK_EMBED && kind != NodeKind.POS_EMBED
                && kind != NodeKind.OUTPUT;
        boolean headed = kind == NodeKind.HEAD_OUTPUT || kind == NodeKind.HEAD_INPUT || kind == NodeKind.HEAD_QKV;
        boolean channelled = kind == NodeKind.HEAD_INPUT || kind == NodeKind.HEAD_QKV;
        if (layered ? layer < 0 : layer != -1) {
            throw new IllegalArgumentException(kind + " node: layer must be " + (layered ? "≥ 0" : "-1") + ", found " + layer);
        }
        if (headed ? head < 0 : head != -1) {
            throw new IllegalArgumentException(kind + " node: head must be " + (headed ? "≥ 0" : "-1") + ", found " + head);
        }
        if (channelled != (channel != null)) {
            throw new IllegalArgumentException(kind + " node: channel must be " + (channelled ? "q, k or v" : "null")
                    + ", found " + channel);
        }
        if (kvGroup && !(channelled && channel != Channel.Q)) {
            throw new IllegalArgumentException("a key/value group has k and v inputs and computed k and v only, found " + kind
                    + (channel == null ? "" : " " + channel.letter()));
        }
    }

    public static Node embed() { return EMBED_NODE; }
    public static Node tokEmbed() { return TOK_EMBED_NODE; }
    public static Node posEmbed() { return POS_EMBED_NODE; }
    public static Node output() { return OUTPUT_NODE; }
    /** The output of head {@code H} of layer {@code L} ({@code blocks.L.attn.hook_result[:, :, H]}). */
    public static Node head(int layer, int head) { return new Node(NodeKind.HEAD_OUTPUT, layer, head, null); }
    /** The q/k/v input of a head ({@code blocks.L.hook_q_input[:, :, H]}), a residual receiver. */
    public static Node headInput(int layer, int head, Channel c) { return new Node(NodeKind.HEAD_INPUT, layer, head, c); }
    /** The computed q/k/v of a head ({@code blocks.L.attn.hook_q[:, :, H]}), a direct-computation receiver. */
    public static Node headQkv(int layer, int head, Channel c) { return new Node(NodeKind.HEAD_QKV, layer, head, c); }
    /** The k or v input of key/value group G ({@code blocks.L.hook_k_input[:, :, G]}), grouped-query attention. */
    public static Node kvInput(int layer, int group, Channel c) { return new Node(NodeKind.HEAD_INPUT, layer, group, c, true); }
    /** The computed k or v of key/value group G ({@code blocks.L.attn.hook_k[:, :, G]}), grouped-query attention. */
    public static Node kvQkv(int layer, int group, Channel c) { return new Node(NodeKind.HEAD_QKV, layer, group, c, true); }

    /** Whether the node is a key/value group's k or v (input or computed) rather than one head's. */
    public boolean isKvGroup() { return kvGroup; }

    /** The MLP's input ({@code blocks.L.hook_mlp_in}), a residual receiver. */
    public static Node mlpIn(int layer) { return new Node(NodeKind.MLP_IN, layer, -1, null); }
    /** The MLP's output ({@code blocks.L.hook_mlp_out}), a sender. */
    public static Node mlpOut(int layer) { return new Node(NodeKind.MLP_OUT, layer, -1, null); }

    /** The node's name in the project's notation, e.g. {@code a3.0.k}, {@code m2}, {@code embed}. */
    public String name() {
        return switch (kind) {
            case EMBED -> "embed";
            case TOK_EMBED -> "tok_embed";
            case POS_EMBED -> "pos_embed";
            case OUTPUT -> "output";
            case HEAD_OUTPUT -> "a" + layer + "." + head;
            case HEAD_INPUT -> prefix() + "." + channel.letter();
            case HEAD_QKV -> prefix() + ".hook_" + channel.letter();
            case MLP_IN, MLP_OUT -> "m" + layer;
        };
    }

    /**
     * The name of the model component the node belongs to, as node-level ROC counts them: a head's
     * inputs, computed q/k/v and output all merge into {@code aL.H}; the MLP's input and output into {@code mL}; a
     * key/value group's k, v and computed k, v (grouped-query attention) into {@code aL.kvG}, a component of its own
     * because it serves several heads.
     */
    public String componentName() {
        return switch (kind) {
            case HEAD_OUTPUT, HEAD_INPUT, HEAD_QKV -> prefix();
            default -> name();
        };
    }

    private String prefix() {
        return "a" + layer + "." + (kvGroup ? "kv" : "") + head;
    }

    /** True for nodes that write to the residual stream (embeddings, head outputs, MLP outputs). */
    public boolean isResidualSender() {
        return switch (kind) {
            case EMBED, TOK_EMBED, POS_EMBED, HEAD_OUTPUT, MLP_OUT -> true;
            default -> false;
        };
    }

    /** True for nodes that read a sum of residual senders (head q/k/v inputs, MLP inputs, the output). */
    public boolean isResidualReceiver() {
        return kind == NodeKind.HEAD_INPUT || kind == NodeKind.MLP_IN || kind == NodeKind.OUTPUT;
    }

    /**
     * Parses a node name as the sender of an edge: {@code mL} is the MLP output; {@code aL.H.q} is the
     * head's q input (the sender of a direct-computation edge).
     */
    public static Node parseSender(String name) {
        return parse(name, true);
    }

    /** Parses a node name as the receiver of an edge: {@code mL} is the MLP input. */
    public static Node parseReceiver(String name) {
        return parse(name, false);
    }

    private static Node parse(String name, boolean asSender) {
        String s = Objects.requireNonNull(name, "name").trim();
        switch (s) {
            case "embed": return EMBED_NODE;
            case "tok_embed": return TOK_EMBED_NODE;
            case "pos_embed": return POS_EMBED_NODE;
            case "output": return OUTPUT_NODE;
            default: break;
        }
        Matcher m = MLP.matcher(s);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            return asSender ? mlpOut(layer) : mlpIn(layer);
        }
        m = KV_GROUP.matcher(s);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            int group = Integer.parseInt(m.group(2));
            String suffix = m.group(3);
            if (suffix.startsWith("hook_")) return kvQkv(layer, group, Channel.ofLetter(suffix.substring(5)));
            return kvInput(layer, group, Channel.ofLetter(suffix));
        }
        m = HEAD.matcher(s);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            int head = Integer.parseInt(m.group(2));
            String suffix = m.group(3);
            if (suffix == null) return head(layer, head);
            if (suffix.startsWith("hook_")) return headQkv(layer, head, Channel.ofLetter(suffix.substring(5)));
            return headInput(layer, head, Channel.ofLetter(suffix));
        }
        throw new IllegalArgumentException("'" + name + "' is not a node name; expected embed, tok_embed, pos_embed, "
                + "output, aL.H, aL.H.q|k|v, aL.H.hook_q|hook_k|hook_v, aL.kvG.k|v, aL.kvG.hook_k|hook_v or mL (e.g. a3.0.k, m2)");
    }

    @Override
    public String toString() {
        return name();
    }
}
