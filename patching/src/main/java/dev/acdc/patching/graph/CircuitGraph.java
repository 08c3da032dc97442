package dev.acdc.patching.graph;

import dev.acdc.patching.model.HookNames;
import dev.acdc.patching.model.TransformerConfig;
import org.jgrapht.Graph;
import org.jgrapht.graph.AsUnmodifiableGraph;
import org.jgrapht.graph.DirectedAcyclicGraph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The computational graph of a transformer at edge granularity, exactly as ACDC builds it
 * ({@code TLACDCCorrespondence.setup_from_model}).
 *
 * <p>Construction walks the layers from the last down, as ACDC does: each MLP output sends to every
 * receiver already placed (the output and the inputs of later layers), then its input joins them; each
 * head (highest index first) sends to every receiver placed so far (which now includes its own layer's MLP
 * input, but not its own layer's heads), and its q/k/v inputs join after the whole layer; the embedding
 * node(s) finally send to every receiver. See the package documentation for counts and notation.
 *
 * <p>Ids: tested edges (addition and direct computation) get ids {@code 0 .. edgeCount()-1} in the order
 * ACDC tests them with the default {@link SenderOrder#ACDC}: receivers in {@link #receiversInOrder()},
 * and for each receiver its senders in ACDC order. Placeholder edges follow in construction order. The
 * ids depend only on the config's shape, so two graphs of the same config agree on them.
 *
 * <p>Immutable and thread-safe. The lookups used inside discovery loops are array based.
 */
public final class CircuitGraph {

    private final TransformerConfig config;
    private final List<Node> nodes;                 // topological order; a node's index is its position
    private final Map<Node, Integer> nodeIndex;
    private final List<Edge> edges;                 // every edge, by id
    private final int testedCount;
    private final int additionCount;
    private final int directCount;
    private final int[] edgeSender;                 // node index of each edge's sender, by edge id
    private final int[] edgeReceiver;               // node index of each edge's receiver, by edge id
    private final int[][] inEdges;                  // per node: tested in-edge ids, ACDC sender order
    private final int[][] outEdges;                 // per node: tested out-edge ids, ascending
    private final List<Node> receiversInOrder;
    private final Map<String, Edge> testedByName;
    private final Map<Long, Edge> byEndpoints;
    private final List<String> componentNames;
    private final List<String> acdcCodeNodeNames;
    private volatile Graph<Node, Edge> view;          // built on first use: discovery loops use the arrays

    private CircuitGraph(TransformerConfig config) {
        this.config = config;
        int nLayers = config.nLayers();
        int nHeads = config.nHeads();
        boolean mlp = !config.attentionOnly();
        // grouped-query attention: k and v receivers per key/value group; head h reads group h / (H/G) (HF repeat_kv)
        int groups = config.nKeyValueHeads();
        boolean grouped = groups != nHeads;
        int perGroup = nHeads / groups;
        // parallel residual: an MLP reads resid_pre, so its own layer's heads do not send to it
        boolean parallel = config.architecture().parallelResidual();
        List<Node.Channel> headChannels = grouped ? List.of(Node.Channel.Q) : List.of(Node.Channel.values());

        // ---- nodes, in topological order (senders before their receivers)
        List<Node> topo = new ArrayList<>();
        List<Node> embeds = config.separateEmbeddingNodes()
                ? List.of(Node.tokEmbed(), Node.posEmbed()) : List.of(Node.embed());
        topo.addAll(embeds);
        for (int layer = 0; layer < nLayers; layer++) {
            if (grouped) {
                for (int g = 0; g < groups; g++) {
                    for (Node.Channel c : List.of(Node.Channel.K, Node.Channel.V)) {
                        topo.add(Node.kvInput(layer, g, c));
                        topo.add(Node.kvQkv(layer, g, c));
                    }
                }
            }
            for (int h = 0; h < nHeads; h++) {
                for (Node.Channel c : headChannels) {
                    topo.add(Node.headInput(layer, h, c));
                    topo.add(Node.headQkv(layer, h, c));
                }
                topo.add(Node.head(layer, h));
            }
            if (mlp) {
                topo.add(Node.mlpIn(layer));
                topo.add(Node.mlpOut(layer));
            }
        }
        topo.add(Node.output());
        this.nodes = Collections.unmodifiableList(topo);
        this.nodeIndex = new HashMap<>(topo.size() * 2);
        for (int i = 0; i < topo.size(); i++) nodeIndex.put(topo.get(i), i);

        // ---- edges in ACDC's construction order; each receiver's list keeps ACDC's sender order
        //      (protos hold node indices; names are built once per node)
        String[] names = new String[topo.size()];
        for (int i = 0; i < names.length; i++) names[i] = topo.get(i).name();
        List<List<Proto>> incoming = new ArrayList<>(topo.size());
        for (int i = 0; i < topo.size(); i++) incoming.add(new ArrayList<>());
        List<Proto> placeholders = new ArrayList<>();
        List<Integer> downstream = new ArrayList<>();
        downstream.add(index(Node.output()));
        for (int layer = nLayers - 1; layer >= 0; layer--) {
            if (mlp) {
                int out = index(Node.mlpOut(layer));
                for (int r : downstream) incoming.get(r).add(new Proto(out, r, EdgeKind.ADDITION));
                placeholders.add(new Proto(index(Node.mlpIn(layer)), out, EdgeKind.PLACEHOLDER));
                if (!parallel) downstream.add(index(Node.mlpIn(layer)));
            }
            List<Integer> layerInputs = new ArrayList<>();
            for (int h = nHeads - 1; h >= 0; h--) {
                int head = index(Node.head(layer, h));
                for (int r : downstream) incoming.get(r).add(new Proto(head, r, EdgeKind.ADDITION));
                for (Node.Channel c : Node.Channel.values()) {
                    boolean ofGroup = grouped && c != Node.Channel.Q;
                    int qkv = index(ofGroup ? Node.kvQkv(layer, h / perGroup, c) : Node.headQkv(layer, h, c));
                    placeholders.add(new Proto(qkv, head, EdgeKind.PLACEHOLDER));
                    if (ofGroup) continue;
                    int input = index(Node.headInput(layer, h, c));
                    incoming.get(qkv).add(new Proto(input, qkv, EdgeKind.DIRECT));
                    layerInputs.add(input);
                }
            }
            if (grouped) {
                for (int g = groups - 1; g >= 0; g--) {
                    for (Node.Channel c : List.of(Node.Channel.K, Node.Channel.V)) {
                        int qkv = index(Node.kvQkv(layer, g, c));
                        int input = index(Node.kvInput(layer, g, c));
                        incoming.get(qkv).add(new Proto(input, qkv, EdgeKind.DIRECT));
                        layerInputs.add(input);
                    }
                }
            }
            if (mlp && parallel) downstream.add(index(Node.mlpIn(layer)));
            downstream.addAll(layerInputs);
        }
        for (Node e : embeds) {
            int embed = index(e);
            for (int r : downstream) incoming.get(r).add(new Proto(embed, r, EdgeKind.ADDITION));
        }

        // ---- receivers in ACDC's processing order: reverse_topologically_sort_corr walks the hook names in the
        //      reverse of TransformerLens 1.6.1's firing order, each hook name's nodes as the correspondence
        //      inserted them (highest head first). Per block TL fires hook_q_input, hook_k_input, hook_v_input,
        //      then attn.hook_q, hook_k, hook_v, …, hook_mlp_in, …, hook_resid_post.
        List<Node> order = new ArrayList<>();
        order.add(Node.output());
        List<Node.Channel> reversedFiring = List.of(Node.Channel.V, Node.Channel.K, Node.Channel.Q);
        for (int layer = nLayers - 1; layer >= 0; layer--) {
            if (mlp) order.add(Node.mlpIn(layer));
            for (boolean computed : new boolean[] {true, false}) {
                for (Node.Channel c : reversedFiring) {
                    if (grouped && c != Node.Channel.Q) {
                        for (int g = groups - 1; g >= 0; g--) order.add(computed ? Node.kvQkv(layer, g, c) : Node.kvInput(layer, g, c));
                    } else {
                        for (int h = nHeads - 1; h >= 0; h--) order.add(computed ? Node.headQkv(layer, h, c) : Node.headInput(layer, h, c));
                    }
                }
            }
        }
        this.receiversInOrder = Collections.unmodifiableList(order);

        // ---- ids: tested edges in ACDC's testing order, then placeholders
        List<Proto> byId = new ArrayList<>();
        int addition = 0;
        this.inEdges = new int[topo.size()][];
        for (Node r : order) {
            List<Proto> in = incoming.get(index(r));
            int[] ids = new int[in.size()];
            for (int i = 0; i < in.size(); i++) {
                ids[i] = byId.size();
                byId.add(in.get(i));
                if (in.get(i).kind == EdgeKind.ADDITION) addition++;
            }
            inEdges[index(r)] = ids;
        }
        this.testedCount = byId.size();
        this.additionCount = addition;
        this.directCount = testedCount - addition;
        for (int i = 0; i < inEdges.length; i++) if (inEdges[i] == null) inEdges[i] = new int[0];
        byId.addAll(placeholders);

        Edge[] all = new Edge[byId.size()];
        this.edgeSender = new int[all.length];
        this.edgeReceiver = new int[all.length];
        int[] outDegree = new int[topo.size()];
        this.testedByName = new HashMap<>(testedCount * 2);
        this.byEndpoints = new HashMap<>(all.length * 2);
        for (int id = 0; id < all.length; id++) {
            Proto p = byId.get(id);
            all[id] = new Edge(id, topo.get(p.sender), topo.get(p.receiver), p.kind);
            edgeSender[id] = p.sender;
            edgeReceiver[id] = p.receiver;
            byEndpoints.put(key(p.sender, p.receiver), all[id]);
            if (id < testedCount) {
                outDegree[p.sender]++;
                String name = names[p.sender] + "->" + names[p.receiver];
                if (testedByName.put(name, all[id]) != null) {
                    throw new IllegalStateException("two tested edges are named " + name);
                }
            }
        }
        this.edges = List.of(all);
        this.outEdges = new int[topo.size()][];
        for (int i = 0; i < topo.size(); i++) outEdges[i] = new int[outDegree[i]];
        int[] fill = new int[topo.size()];
        for (int id = 0; id < testedCount; id++) {
            int sender = edgeSender[id];
            outEdges[sender][fill[sender]++] = id;
        }

        this.componentNames = mergedNames(topo, NodeMerging.COMPONENTS);
        this.acdcCodeNodeNames = mergedNames(topo, NodeMerging.ACDC_CODE);
    }

    private static List<String> mergedNames(List<Node> nodes, NodeMerging merging) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Node n : nodes) {
            String m = merging.mergedName(n);
            if (m != null) names.add(m);
        }
        return List.copyOf(names);
    }

    private record Proto(int sender, int receiver, EdgeKind kind) {}

    private int index(Node n) {
        return nodeIndex.get(n);
    }

    /** Builds the graph of a model with ACDC's conventions. */
    public static CircuitGraph of(TransformerConfig config) {
        Objects.requireNonNull(config, "config");
        return new CircuitGraph(config);
    }

    private static long key(int sender, int receiver) {
        return ((long) sender << 32) | (receiver & 0xffffffffL);
    }

    // ------------------------------------------------------------------ sizes

    public TransformerConfig config() { return config; }

    /** Number of tested (and counted) edges: addition plus direct computation. */
    public int edgeCount() { return testedCount; }

    public int additionEdgeCount() { return additionCount; }

    public int directEdgeCount() { return directCount; }

    /** Number of placeholder edges (kept in the graph, never tested nor counted). */
    public int placeholderEdgeCount() { return edges.size() - testedCount; }

    public int nodeCount() { return nodes.size(); }

    // ------------------------------------------------------------------ nodes

    /** Every node, in a topological order (each sender before its receivers). */
    public List<Node> nodes() { return nodes; }

    /** The node's position in {@link #nodes()}. */
    public int nodeIndex(Node node) {
        Integer i = nodeIndex.get(node);
        if (i == null) throw notInGraph(node);
        return i;
    }

    public boolean contains(Node node) { return nodeIndex.containsKey(node); }

    /** The node a sender name denotes ({@code mL} is the MLP output), checked to be in this graph. */
    public Node sender(String name) { return checked(Node.parseSender(name)); }

    /** The node a receiver name denotes ({@code mL} is the MLP input), checked to be in this graph. */
    public Node receiver(String name) { return checked(Node.parseReceiver(name)); }

    /**
     * Names of the model components, as node-level ROC counts them ({@code embed} or {@code tok_embed},
     * {@code pos_embed}; {@code aL.H}; {@code mL}; {@code output}), in topological order.
     */
    public List<String> componentNames() { return componentNames; }

    /** Every merged node name under a merging, in topological order: the universe of node-level ROC. */
    public List<String> mergedNodeNames(NodeMerging merging) {
        return merging == NodeMerging.COMPONENTS ? componentNames : acdcCodeNodeNames;
    }

    /**
     * The TransformerLens hook point where a node's activation lives ({@link HookNames}); heads and their
     * q/k/v are slices {@code [:, :, head]} of it. The embedding is {@code blocks.0.hook_resid_pre}, the
     * output {@code blocks.<last>.hook_resid_post}, as in ACDC.
     */
    public String hookName(Node node) {
        checked(node);
        int l = node.layer();
        return switch (node.kind()) {
            case EMBED -> HookNames.residPre(0);
            case TOK_EMBED -> HookNames.EMBED;
            case POS_EMBED -> HookNames.POS_EMBED;
            case HEAD_OUTPUT -> HookNames.result(l);
            case HEAD_INPUT -> switch (node.channel()) {
                case Q -> HookNames.qInput(l);
                case K -> HookNames.kInput(l);
                case V -> HookNames.vInput(l);
            };
            case HEAD_QKV -> switch (node.channel()) {
                case Q -> HookNames.q(l);
                case K -> HookNames.k(l);
                case V -> HookNames.v(l);
            };
            case MLP_IN -> HookNames.mlpIn(l);
            case MLP_OUT -> HookNames.mlpOut(l);
            case OUTPUT -> HookNames.residPost(config.nLayers() - 1);
        };
    }

    /** The receivers of tested edges in ACDC's processing order (reverse topological); see the package docs. */
    public List<Node> receiversInOrder() { return receiversInOrder; }

    // ------------------------------------------------------------------ edges

    /** The tested (and counted) edges, by id: {@code edges().get(i).id() == i}. */
    public List<Edge> edges() { return edges.subList(0, testedCount); }

    /** Every edge including placeholders, by id. */
    public List<Edge> allEdges() { return edges; }

    /** The edge with this id (placeholders included). */
    public Edge edge(int id) {
        if (id < 0 || id >= edges.size()) {
            throw new IndexOutOfBoundsException("edge id " + id + " is outside 0.." + (edges.size() - 1)
                    + " of graph '" + config.name() + "'");
        }
        return edges.get(id);
    }

    /** The tested edge with this name, e.g. {@code a0.1->a3.0.k} or {@code a3.0.k->a3.0.hook_k}. */
    public Edge edge(String name) {
        Objects.requireNonNull(name, "name");
        Edge e = testedByName.get(name.strip());
        if (e != null) return e;
        String[] parts = name.split("->", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("'" + name + "' is not an edge name; expected sender->receiver, "
                    + "e.g. a0.1->a3.0.k (residual) or a3.0.k->a3.0.hook_k (direct computation)");
        }
        Node s;
        Node r;
        try {
            s = Node.parseSender(parts[0]);
            r = Node.parseReceiver(parts[1]);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("edge '" + name + "': " + ex.getMessage(), ex);
        }
        throw new IllegalArgumentException("no tested edge " + s + "->" + r + " in graph '" + config.name() + "'"
                + (contains(s) ? "" : " (" + s + " is not a node of it)")
                + (contains(r) ? "" : " (" + r + " is not a node of it)"));
    }

    /** The edge between two nodes, placeholders included, if there is one. */
    public Optional<Edge> find(Node sender, Node receiver) {
        Integer s = nodeIndex.get(sender);
        Integer r = nodeIndex.get(receiver);
        if (s == null || r == null) return Optional.empty();
        return Optional.ofNullable(byEndpoints.get(key(s, r)));
    }

    /** The tested edges into a receiver, senders in ACDC's default order. Empty for non-receivers. */
    public List<Edge> inEdges(Node receiver) {
        return inEdges(receiver, SenderOrder.ACDC);
    }

    /** The tested edges into a receiver, senders in the given order. */
    public List<Edge> inEdges(Node receiver, SenderOrder order) {
        int[] ids = inEdgeIds(receiver, order);
        List<Edge> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(edges.get(id));
        return out;
    }

    /** The senders of a receiver's tested in-edges, in the given order. */
    public List<Node> sendersOf(Node receiver, SenderOrder order) {
        int[] ids = inEdgeIds(receiver, order);
        List<Node> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(edges.get(id).sender());
        return out;
    }

    /** Ids of the tested edges into a receiver, senders in the given order (a fresh array). */
    public int[] inEdgeIds(Node receiver, SenderOrder order) {
        Objects.requireNonNull(order, "order");
        int[] ids = inEdges[nodeIndex(receiver)];
        if (order == SenderOrder.ACDC || ids.length == 0) return ids.clone();
        // split into ACDC's sender groups (one hook name each): runs of heads of one layer, or single nodes
        List<int[]> groups = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= ids.length; i++) {
            if (i == ids.length || !sameGroup(edges.get(ids[start]).sender(), edges.get(ids[i]).sender())) {
                groups.add(Arrays.copyOfRange(ids, start, i));
                start = i;
            }
        }
        if (order.reverseGroups()) Collections.reverse(groups);
        int[] out = new int[ids.length];
        int k = 0;
        for (int[] g : groups) {
            if (order.reverseWithinGroups()) for (int i = g.length - 1; i >= 0; i--) out[k++] = g[i];
            else for (int id : g) out[k++] = id;
        }
        return out;
    }

    private static boolean sameGroup(Node a, Node b) {
        return a.kind() == NodeKind.HEAD_OUTPUT && b.kind() == NodeKind.HEAD_OUTPUT && a.layer() == b.layer();
    }

    /** The tested edges out of a sender, by ascending id. Empty for nodes that send nothing tested. */
    public List<Edge> outEdges(Node sender) {
        int[] ids = outEdges[nodeIndex(sender)];
        List<Edge> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(edges.get(id));
        return out;
    }

    /** Ids of the tested edges out of a sender, ascending (a fresh array). */
    public int[] outEdgeIds(Node sender) {
        return outEdges[nodeIndex(sender)].clone();
    }

    /** Index in {@link #nodes()} of an edge's sender; array backed, for inner loops. */
    public int senderIndex(int edgeId) { return edgeSender[edgeId]; }

    /** Index in {@link #nodes()} of an edge's receiver; array backed, for inner loops. */
    public int receiverIndex(int edgeId) { return edgeReceiver[edgeId]; }

    /**
     * A read-only JGraphT view of the whole graph (placeholder edges included), a
     * {@link DirectedAcyclicGraph}; built on the first call.
     */
    public Graph<Node, Edge> asGraph() {
        Graph<Node, Edge> v = view;
        if (v == null) {
            synchronized (this) {
                v = view;
                if (v == null) {
                    DirectedAcyclicGraph<Node, Edge> dag = new DirectedAcyclicGraph<>(null, null, false);
                    for (Node n : nodes) dag.addVertex(n);     // topological insertion keeps edge additions cheap
                    for (Edge e : edges) dag.addEdge(e.sender(), e.receiver(), e);
                    v = new AsUnmodifiableGraph<>(dag);
                    view = v;
                }
            }
        }
        return v;
    }

    private Node checked(Node n) {
        if (!contains(n)) throw notInGraph(n);
        return n;
    }

    private IllegalArgumentException notInGraph(Node n) {
        return new IllegalArgumentException("node " + n + " is not an element of graph '" + config.name() + "' ("
                + config.nLayers() + " layers, " + config.nHeads() + " heads"
                + (config.attentionOnly() ? ", attention-only" : "")
                + (config.separateEmbeddingNodes() ? ", tok_embed/pos_embed" : ", one embed node") + ")");
    }

    @Override
    public String toString() {
        return "CircuitGraph[" + config.name() + ": " + nodes.size() + " nodes, " + testedCount + " edges ("
                + additionCount + " addition, " + directCount + " direct), " + placeholderEdgeCount() + " placeholder]";
    }
}
