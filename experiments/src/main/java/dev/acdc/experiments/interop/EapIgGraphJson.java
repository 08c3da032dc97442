package dev.acdc.experiments.interop;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonWriter;
import dev.acdc.experiments.BadInputException;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;
import dev.acdc.patching.model.TransformerConfig;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * hannamw/EAP-IG's graph JSON, as {@code Graph.to_json} writes it and {@code Graph.from_json} reads it (the version
 * MIB's circuit track pins, 7af394a, {@code graph.py} l.692–774): {@code {"cfg": {n_layers, n_heads,
 * parallel_attn_mlp, d_model}, "nodes": {name: {"in_graph": b}}, "edges": {name: {"score": x, "in_graph": b}}}}.
 * MIB's submissions of importance scores use the same file ({@code importances.json}).
 *
 * <p>Names, ours ↔ theirs: {@code embed} ↔ {@code input}; head {@code aL.H} ↔ {@code aL.hH}; MLP {@code mL} ↔ {@code
 * mL}; {@code output} ↔ {@code logits}; an edge into a head's q/k/v input, {@code X->aL.H.q}, ↔ {@code X'->aL.hH<q>}.
 * EAP-IG has no direct-computation edges ({@code aL.H.q->aL.H.hook_q}): an exported edge into a head's input is in the
 * graph when it and its head's direct edge both are; on import a direct edge is kept when any edge into its input is,
 * and scored with the largest score among them, so that it never ranks below an edge that needs it. An
 * import of an export gives back the circuit and the scores of every edge EAP-IG has, and of every direct edge when
 * that edge's score is the largest of its input's (as the importer sets it).
 *
 * <p>Where the two graphs differ, and what this class does about it:
 * <ul>
 *   <li>EAP-IG's {@code input} is {@code hook_embed} (token embeddings); ACDC's and our {@code embed} is {@code
 *       blocks.0.hook_resid_pre} (token plus position). Under resample ablation with prompts of equal length the two
 *       agree; under zero or mean ablation they do not. Names map one to one regardless.</li>
 *   <li>Compiled tracr models have two embedding nodes, {@code tok_embed} and {@code pos_embed}; EAP-IG has only
 *       {@code input}. They are written under our names, a file only this project reads.</li>
 *   <li>EAP-IG always builds MLP nodes; an attention-only model (induction) has none. Export writes our edges only;
 *       import accepts an MLP edge only when it is out of the graph with score 0.</li>
 *   <li>Grouped key/value heads (Llama, Qwen2, Gemma, Gemma 2 with G &lt; H): our graph has one k and one v input per
 *       key/value group ({@code aL.kvG.k}), EAP-IG's (as MIB runs these models, with TransformerLens's
 *       {@code ungroup_grouped_query_attention}) one per query head ({@code aL.hH<k>}). Export writes an edge
 *       {@code X->aL.kvG.k} as {@code X->aL.hH<k>} for each of the group's n = H/G query heads, with the group's
 *       {@code in_graph} and 1/n of its score each. Import requires the n heads of a group to agree on {@code in_graph}
 *       (our graph cannot keep a group's k for one of its heads and not another; a file that does is bad input, one
 *       line naming the edge) and scores the group's edge with the sum of its heads' scores: the group's input feeds
 *       every head of the group, so the derivative with respect to it is the sum of the derivatives with respect to the
 *       heads' copies, and a linear attribution (EAP, EAP-IG) of the group's edge is the sum of the heads' scores. An
 *       import of an export gives back the group's score exactly when n is a power of two (the fixtures, gemma-2-2b,
 *       llama-3.2-1b), within rounding otherwise (qwen2.5-0.5b: n = 7).</li>
 *   <li>Scores: ours are ACDC's effects or attribution scores, positive when removing the edge makes the metric
 *       worse; EAP-IG's (MIB's {@code loss=True} metric) are positive when the edge helps: the same sign. An edge ACDC
 *       never tested has no effect; it is written with score 0 (JSON has no NaN).</li>
 * </ul>
 */
public final class EapIgGraphJson {
    private EapIgGraphJson() {}

    /** Scores by tested edge id (NaN where a method gave none) and the kept edges. */
    public record Circuit(double[] scores, BitSet kept) {}

    private static final Pattern HEAD = Pattern.compile("a(\\d+)\\.h(\\d+)");
    private static final Pattern MLP = Pattern.compile("m(\\d+)");
    private static final Pattern RECEIVER_HEAD = Pattern.compile("a(\\d+)\\.h(\\d+)<([qkv])>");

    /** The file for {@code circuit} over {@code graph}, keys in the graph's edge order. */
    public static String write(CircuitGraph graph, Circuit circuit) {
        TransformerConfig c = graph.config();
        Map<String, Boolean> nodes = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            String name = theirSender(n);
            if (name != null) nodes.putIfAbsent(name, false);
        }
        nodes.put("logits", true);   // always in the graph, as from_model sets it
        StringWriter text = new StringWriter();
        try (JsonWriter w = new JsonWriter(text)) {
            w.setHtmlSafe(false);
            w.beginObject();
            w.name("cfg").beginObject();
            w.name("n_layers").value(c.nLayers());
            w.name("n_heads").value(c.nHeads());
            w.name("parallel_attn_mlp").value(c.architecture().parallelResidual());
            w.name("d_model").value(c.dModel());
            w.endObject();
            List<Object[]> edges = new ArrayList<>();
            for (Edge e : graph.edges()) {
                if (e.kind() != EdgeKind.ADDITION) continue;
                boolean in = circuit.kept().get(e.id()) && directKept(graph, e.receiver(), circuit.kept());
                double s = circuit.scores()[e.id()];
                List<String> receivers = theirReceivers(c, e.receiver());
                double share = Double.isFinite(s) ? s / receivers.size() : 0.0;   // a group's score split over its heads
                for (String r : receivers) edges.add(new Object[] {theirSender(e.sender()) + "->" + r, share, in});
                if (in) nodes.put(theirSender(e.sender()), true);
            }
            w.name("nodes").beginObject();
            for (var n : nodes.entrySet()) w.name(n.getKey()).beginObject().name("in_graph").value(n.getValue()).endObject();
            w.endObject();
            w.name("edges").beginObject();
            for (Object[] e : edges) {
                w.name((String) e[0]).beginObject().name("score").value((double) e[1]).name("in_graph").value((boolean) e[2]).endObject();
            }
            w.endObject();
            w.endObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return text + "\n";
    }

    /**
     * Reads a file written by EAP-IG (or by {@link #write}) for {@code graph}.
     *
     * @param source what to call the file in messages
     * @throws BadInputException one line naming the first problem: not JSON, a missing key, a config of another model,
     *                           an edge the graph lacks, a score that is not a finite number
     */
    public static Circuit read(String json, CircuitGraph graph, String source) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) throw new BadInputException(source + ": expected a JSON object with cfg, nodes and edges");
            o = e.getAsJsonObject();
        } catch (JsonParseException ex) {
            throw new BadInputException(source + ": not JSON: " + ex.getMessage());
        }
        for (String k : List.of("cfg", "nodes", "edges")) {
            if (!o.has(k) || !o.get(k).isJsonObject()) throw new BadInputException(source + ": missing object \"" + k + "\" (EAP-IG's graph JSON has cfg, nodes, edges)");
        }
        TransformerConfig c = graph.config();
        JsonObject cfg = o.getAsJsonObject("cfg");
        checkCfg(cfg, "n_layers", c.nLayers(), source, c);
        checkCfg(cfg, "n_heads", c.nHeads(), source, c);
        checkCfg(cfg, "d_model", c.dModel(), source, c);
        JsonElement parallel = cfg.get("parallel_attn_mlp");
        if (parallel != null && !(isBoolean(parallel) && parallel.getAsBoolean() == c.architecture().parallelResidual())) {
            throw new BadInputException(source + ": cfg parallel_attn_mlp is " + parallel + ", model " + c.name() + " has "
                    + c.architecture().parallelResidual());
        }
        double[] scores = new double[graph.edgeCount()];
        Arrays.fill(scores, 0.0);   // an edge the file leaves out keeps score 0 and stays out, as from_json leaves it
        BitSet kept = new BitSet(graph.edgeCount());
        // grouped key/value heads: the in_graph of the first head of a group seen for each of our edges, and its name
        Map<Integer, Boolean> groupIn = new java.util.HashMap<>();
        Map<Integer, String> groupFirst = new java.util.HashMap<>();
        Map<Integer, Integer> groupHeads = new java.util.HashMap<>();
        for (var entry : o.getAsJsonObject("edges").entrySet()) {
            String name = entry.getKey();
            if (!entry.getValue().isJsonObject()) throw new BadInputException(source + ": edge " + name + " should be {\"score\": x, \"in_graph\": b}");
            JsonObject info = entry.getValue().getAsJsonObject();
            JsonElement score = info.get("score"), in = info.get("in_graph");
            if (score == null || !score.isJsonPrimitive() || !score.getAsJsonPrimitive().isNumber() || !Double.isFinite(score.getAsDouble())) {
                throw new BadInputException(source + ": edge " + name + " has score " + score + ", expected a finite number");
            }
            if (in == null || !isBoolean(in)) throw new BadInputException(source + ": edge " + name + " has in_graph " + in + ", expected true or false");
            Edge e = ourEdge(graph, name, source);
            if (e == null) {
                // an MLP edge of EAP-IG's graph on an attention-only model: allowed only when it says nothing
                if (in.getAsBoolean() || score.getAsDouble() != 0.0) {
                    throw new BadInputException(source + ": edge " + name + " is in the graph or scored, but model " + c.name()
                            + " has no MLPs");
                }
                continue;
            }
            if (e.receiver().isKvGroup()) {
                Boolean before = groupIn.putIfAbsent(e.id(), in.getAsBoolean());
                if (before == null) {
                    groupFirst.put(e.id(), name);
                } else if (before != in.getAsBoolean()) {
                    throw new BadInputException(source + ": edges " + groupFirst.get(e.id()) + " and " + name + " disagree on"
                            + " in_graph, but both are the key/value group edge " + e.name() + " of model " + c.name()
                            + " (the heads of a group share their k and v input)");
                }
                groupHeads.merge(e.id(), 1, Integer::sum);
                scores[e.id()] += score.getAsDouble();   // the group's score: the sum of its heads'
            } else {
                scores[e.id()] = score.getAsDouble();
            }
            if (in.getAsBoolean()) kept.set(e.id());
        }
        int perGroup = c.nHeads() / c.nKeyValueHeads();
        for (var g : groupHeads.entrySet()) {
            if (g.getValue() != perGroup) {
                throw new BadInputException(source + ": lists " + g.getValue() + " of the " + perGroup + " query heads' edges of"
                        + " the key/value group edge " + graph.edge(g.getKey()).name() + " (e.g. " + groupFirst.get(g.getKey())
                        + "); a group's edge needs every head of the group");
            }
        }
        // direct edges: kept when any edge into their input is; scored with the largest of those scores
        for (Edge d : graph.edges()) {
            if (d.kind() != EdgeKind.DIRECT) continue;
            double max = Double.NEGATIVE_INFINITY;
            boolean any = false;
            for (Edge in : graph.inEdges(d.sender())) {
                max = Math.max(max, scores[in.id()]);
                any |= kept.get(in.id());
            }
            scores[d.id()] = max == Double.NEGATIVE_INFINITY ? 0.0 : max;
            if (any) kept.set(d.id());
        }
        return new Circuit(scores, kept);
    }

    /** A head input's direct edge is kept (any other receiver has none). */
    private static boolean directKept(CircuitGraph graph, Node receiver, BitSet kept) {
        if (receiver.kind() != NodeKind.HEAD_INPUT) return true;
        Node computed = receiver.isKvGroup() ? Node.kvQkv(receiver.layer(), receiver.head(), receiver.channel())
                : Node.headQkv(receiver.layer(), receiver.head(), receiver.channel());
        return kept.get(graph.find(receiver, computed).orElseThrow().id());
    }

    /** Their names of a receiver: one, or for a key/value group's k or v input that input of each query head of the group. */
    static List<String> theirReceivers(TransformerConfig c, Node n) {
        if (!n.isKvGroup()) return List.of(theirReceiver(n));
        int perGroup = c.nHeads() / c.nKeyValueHeads();
        List<String> names = new ArrayList<>(perGroup);
        for (int h = n.head() * perGroup; h < (n.head() + 1) * perGroup; h++) {
            names.add("a" + n.layer() + ".h" + h + "<" + n.channel().letter() + ">");
        }
        return names;
    }

    /** Their name of a sender, or null for a node that sends nothing (inputs, q/k/v, MLP inputs, the output). */
    static String theirSender(Node n) {
        return switch (n.kind()) {
            case EMBED -> "input";
            case TOK_EMBED, POS_EMBED -> n.name();   // no EAP-IG counterpart: kept under our names
            case HEAD_OUTPUT -> "a" + n.layer() + ".h" + n.head();
            case MLP_OUT -> "m" + n.layer();
            default -> null;
        };
    }

    /** Their name of a receiver of an addition edge. */
    static String theirReceiver(Node n) {
        return switch (n.kind()) {
            case OUTPUT -> "logits";
            case MLP_IN -> "m" + n.layer();
            case HEAD_INPUT -> "a" + n.layer() + ".h" + n.head() + "<" + n.channel().letter() + ">";
            default -> throw new IllegalArgumentException("not a receiver of an addition edge: " + n);
        };
    }

    /** Our edge for their name; null for an MLP edge on a model without MLPs; bad input for anything else unknown. */
    private static Edge ourEdge(CircuitGraph graph, String name, String source) {
        int arrow = name.indexOf("->");
        Node sender = arrow < 0 ? null : parseSender(graph, name.substring(0, arrow));
        Node receiver = arrow < 0 ? null : parseReceiver(graph.config(), name.substring(arrow + 2));
        if (sender != null && receiver != null) {
            var e = graph.find(sender, receiver);
            if (e.isPresent() && e.get().kind() == EdgeKind.ADDITION) return e.get();
        }
        if (graph.config().attentionOnly() && (name.matches("m\\d+->.*") || name.matches(".*->m\\d+"))) return null;
        throw new BadInputException(source + ": edge '" + name + "' is not an edge of model " + graph.config().name()
                + " (expected e.g. input->a0.h1<q>, a0.h1->a1.h0<k>, m0->logits)");
    }

    private static Node parseSender(CircuitGraph graph, String s) {
        if (s.equals("input")) return graph.config().separateEmbeddingNodes() ? null : Node.embed();
        if (s.equals("tok_embed")) return Node.tokEmbed();
        if (s.equals("pos_embed")) return Node.posEmbed();
        Matcher h = HEAD.matcher(s);
        if (h.matches()) return Node.head(Integer.parseInt(h.group(1)), Integer.parseInt(h.group(2)));
        Matcher m = MLP.matcher(s);
        if (m.matches()) return Node.mlpOut(Integer.parseInt(m.group(1)));
        return null;
    }

    private static Node parseReceiver(TransformerConfig config, String s) {
        if (s.equals("logits")) return Node.output();
        Matcher h = RECEIVER_HEAD.matcher(s);
        if (h.matches()) {
            Node.Channel c = switch (h.group(3)) {
                case "q" -> Node.Channel.Q;
                case "k" -> Node.Channel.K;
                default -> Node.Channel.V;
            };
            int layer = Integer.parseInt(h.group(1)), head = Integer.parseInt(h.group(2));
            boolean grouped = config.nKeyValueHeads() != config.nHeads();
            if (grouped && c != Node.Channel.Q) {
                // a query head's k (v) input is its key/value group's (transformers' repeat_kv: head h reads h / (H/G))
                if (head >= config.nHeads()) return null;
                return Node.kvInput(layer, head / (config.nHeads() / config.nKeyValueHeads()), c);
            }
            return Node.headInput(layer, head, c);
        }
        Matcher m = MLP.matcher(s);
        if (m.matches()) return Node.mlpIn(Integer.parseInt(m.group(1)));
        return null;
    }

    private static void checkCfg(JsonObject cfg, String key, int expected, String source, TransformerConfig c) {
        JsonElement v = cfg.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != expected) {
            throw new BadInputException(source + ": cfg " + key + " is " + v + ", model " + c.name() + " has " + expected);
        }
    }

    private static boolean isBoolean(JsonElement e) {
        return e.isJsonPrimitive() && ((JsonPrimitive) e).isBoolean();
    }
}
