package dev.acdc.experiments.explorer;

import com.google.gson.GsonBuilder;
import dev.acdc.discovery.method.SweepPoint;
import dev.acdc.metrics.Roc;
import dev.acdc.metrics.RocPoint;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.NodeKind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The interactive circuit explorer: one self-contained HTML page (Cytoscape.js inlined, the data as JSON in the page,
 * nothing fetched when it is viewed) that draws one circuit, or every circuit of a sweep, over its model's edge graph.
 * A reader pans and zooms, hovers a node or an edge for its name, kind, effect and ground-truth status, filters by
 * layer, edge kind and |effect|, switches between the sweep's circuits, and sees false positives (kept, not in the
 * ground truth: red, dashed) and false negatives (in the ground truth, not kept: magenta, dotted) against the ground
 * truth. Only the edges that pass the filters reach the graph library, the largest |effect| first and at most a cap
 * (400 unless raised on the page), so GPT-2 small's 32,923 edges stay responsive.
 *
 * <p>Where the pages go: {@code discover} writes {@value #FILE} beside {@code circuit.json}; {@code roc} writes
 * {@link #rocPage(String) explorer-METHOD.html} per method (every threshold of its sweep); {@code reproduce} writes
 * {@link #cellPage(String, String, String, String) cells/TASK-METRIC-ABLATION-METHOD/explorer.html} per cell.
 *
 * <p>The page's data ({@code <script type="application/json" id="circuit-data">}, written with every {@code <}, {@code >}
 * and {@code &} escaped as {@code \u003c…}, so no string in it can close the script element): {@code title},
 * {@code facts} (label/value pairs), {@code effect_meaning}, {@code n_layers}, {@code n_heads}, {@code ground_truth}
 * (its name or null), {@code kinds} (edge kind codes: output, mlp, q, k, v, direct), {@code nodes} (each with
 * {@code name}, {@code label}, {@code role}, {@code description}, {@code layer}: -1 embeddings, {@code n_layers} output,
 * {@code x}, {@code y}), the tested edges by id as three parallel arrays {@code edge_sender}, {@code edge_receiver}
 * (indices into nodes) and {@code edge_kind}, {@code in_ground_truth} (edge ids, or null), {@code steps} (each with
 * {@code label}, {@code parameter}, {@code value}, {@code edges_kept}, {@code tpr}, {@code fpr}, {@code kept}: edge ids,
 * and {@code effects}: one per edge, null where untested, to six significant digits, or {@code effects_of_step}: the
 * earlier step whose effects are the same), {@code initial_step} and {@code default_cap}. An edge's name is its sender's
 * name, {@code ->}, its receiver's name, as in {@code circuit.json}.
 */
public final class CircuitExplorer {
    private CircuitExplorer() {}

    /** The page's file name in a run directory. */
    public static final String FILE = "explorer.html";

    /** How many edges the page shows at first, the largest |effect| first; the page has a control to raise it. */
    public static final int DEFAULT_CAP = 400;

    /** Cytoscape.js's version, as vendored in the resources (from npm, {@code dist/cytoscape.min.js}, MIT licence). */
    public static final String CYTOSCAPE_VERSION = "3.35.0";

    /** The edge kind codes of the page's data, in code order. */
    static final List<String> KINDS = List.of("output", "mlp", "q", "k", "v", "direct");

    /**
     * One circuit of the page.
     *
     * @param parameter the hyperparameter's name ({@code threshold}, {@code lambda}, {@code k})
     * @param value     its value
     * @param circuit   the circuit; its scores, when it has them, are the edges' effects
     */
    public record Step(String parameter, double value, Circuit circuit) {
        public Step {
            Objects.requireNonNull(parameter, "parameter");
            Objects.requireNonNull(circuit, "circuit");
        }
    }

    /**
     * What one page shows.
     *
     * @param title         the heading and the window's title
     * @param facts         label → value, shown under the title in this order (task, method, metric, ablation, …)
     * @param truth         the ground truth to mark false positives and false negatives against, or null
     * @param truthName     its name (null when there is none)
     * @param effectMeaning what a step's scores mean, e.g. ACDC's "metric change new − cur when the edge was removed"
     * @param steps         the circuits, at least one, all over the same graph (the sweep's order)
     * @param initialStep   the step shown first
     */
    public record Page(String title, Map<String, String> facts, Circuit truth, String truthName, String effectMeaning,
                       List<Step> steps, int initialStep) {
        public Page {
            Objects.requireNonNull(title, "title");
            facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
            steps = List.copyOf(steps);
            if (steps.isEmpty()) throw new IllegalArgumentException("an explorer page needs at least one circuit");
            CircuitGraph g = steps.get(0).circuit().graph();
            for (Step s : steps) {
                if (s.circuit().graph() != g) throw new IllegalArgumentException("every circuit of a page must be over one graph");
            }
            if (truth != null && truth.graph() != g) throw new IllegalArgumentException("the ground truth must be over the circuits' graph");
            if (initialStep < 0 || initialStep >= steps.size()) {
                throw new IllegalArgumentException("initialStep must be in 0.." + (steps.size() - 1) + ", found " + initialStep);
            }
        }
    }

    /** roc's page for one method: every circuit of its sweep. */
    public static String rocPage(String method) {
        return "explorer-" + method + ".html";
    }

    /** reproduce's page for one cell, relative to the report's directory. */
    public static String cellPage(String task, String metric, String ablation, String method) {
        // a task's name may hold ':' (tracr-proportion:acdc-code) or a file path: portable characters only, as the plots' names
        return "cells/" + (task + "-" + metric + "-" + ablation + "-" + method).replaceAll("[^A-Za-z0-9._-]+", "-") + "/" + FILE;
    }

    /** What ACDC's scores mean, for {@link Page#effectMeaning}. */
    public static final String ACDC_EFFECT = "ACDC's effect of removing the edge when it was tested: the metric's change"
            + " new − cur (kept when ≥ τ, or |new − cur| ≥ τ with --abs-value); – for edges never tested";

    /** The page for a sweep's circuits, the effect meaning chosen by the method ({@code acdc}, {@code eap}, …). */
    public static String effectMeaning(String method) {
        return switch (method) {
            case "acdc" -> ACDC_EFFECT;
            case "eap", "eap-ig" -> "|attribution score| of the edge (" + method + "): kept when ≥ the threshold";
            default -> "none: " + method + " scores components (heads' q, k, v and MLPs), not edges; its circuits keep the edges"
                    + " between kept components";
        };
    }

    /**
     * The page of a method's sweep: one step per circuit, in sweep order, shown first the circuit with the largest
     * TPR − FPR against the ground truth (the first of equals; the first circuit when there is no ground truth).
     *
     * @param points at least one
     */
    public static Page sweep(String title, Map<String, String> facts, Circuit truth, String truthName, String method,
                             List<SweepPoint> points) {
        List<Step> steps = points.stream().map(p -> new Step(p.parameter(), p.value(), p.circuit())).toList();
        int best = 0;
        if (truth != null) {
            double bestJ = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < steps.size(); i++) {
                RocPoint r = Roc.edgePoint(steps.get(i).circuit(), truth);
                if (r.tpr() - r.fpr() > bestJ) {
                    bestJ = r.tpr() - r.fpr();
                    best = i;
                }
            }
        }
        return new Page(title, facts, truth, truthName, effectMeaning(method), steps, best);
    }

    /** The whole page, deterministic: the same page gives the same bytes. */
    public static String html(Page page) {
        Map<String, String> parts = new HashMap<>();
        parts.put("TITLE", htmlText(page.title()));
        parts.put("CYTOSCAPE_VERSION", CYTOSCAPE_VERSION);
        parts.put("CSS", resource("explorer.css"));
        parts.put("DATA", new GsonBuilder().serializeNulls().create().toJson(data(page)));   // HTML-safe: < > & ' = escaped
        parts.put("CYTOSCAPE", scriptBody(resource("cytoscape.min.js"), "cytoscape.min.js"));
        parts.put("EXPLORER", scriptBody(resource("explorer.js"), "explorer.js"));
        // one pass over the template: nothing substituted is searched for placeholders again
        Matcher m = Pattern.compile("@([A-Z_]+)@").matcher(resource("explorer.html"));
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = parts.get(m.group(1));
            if (v == null) throw new IllegalStateException("explorer.html: unknown placeholder " + m.group());
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    static Map<String, Object> data(Page page) {
        CircuitGraph g = page.steps().get(0).circuit().graph();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", page.title());
        List<List<String>> facts = new ArrayList<>();
        page.facts().forEach((k, v) -> facts.add(List.of(k, v)));
        d.put("facts", facts);
        d.put("effect_meaning", page.effectMeaning());
        d.put("n_layers", g.config().nLayers());
        d.put("n_heads", g.config().nHeads());
        d.put("ground_truth", page.truth() == null ? null : page.truthName());
        d.put("kinds", KINDS);

        // the nodes that tested edges touch, in the order the graph's edges first name them
        Map<Node, Integer> index = new LinkedHashMap<>();
        List<Edge> edges = g.edges();
        int[] sender = new int[edges.size()], receiver = new int[edges.size()], kind = new int[edges.size()];
        for (Edge e : edges) {
            sender[e.id()] = index.computeIfAbsent(e.sender(), n -> index.size());
            receiver[e.id()] = index.computeIfAbsent(e.receiver(), n -> index.size());
            kind[e.id()] = KINDS.indexOf(kind(e));
        }
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (Node n : index.keySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            double[] p = ExplorerLayout.position(g.config(), n);
            m.put("name", n.name());
            m.put("label", ExplorerLayout.label(n));
            m.put("role", ExplorerLayout.role(n));
            m.put("description", ExplorerLayout.description(n, hook(g, n)));
            m.put("layer", ExplorerLayout.layer(g.config(), n));
            m.put("x", p[0]);
            m.put("y", p[1]);
            nodes.add(m);
        }
        d.put("nodes", nodes);
        d.put("edge_sender", sender);
        d.put("edge_receiver", receiver);
        d.put("edge_kind", kind);
        d.put("in_ground_truth", page.truth() == null ? null : page.truth().edgeIds());

        List<Map<String, Object>> steps = new ArrayList<>();
        double[] lastEffects = null;
        int lastOwner = -1;
        for (int s = 0; s < page.steps().size(); s++) {
            Step step = page.steps().get(s);
            Circuit c = step.circuit();
            RocPoint roc = page.truth() == null ? null : Roc.edgePoint(c, page.truth());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label(step, roc));
            m.put("parameter", step.parameter());
            m.put("value", step.value());
            m.put("edges_kept", c.edgeCount());
            m.put("tpr", roc == null ? null : roc.tpr());
            m.put("fpr", roc == null ? null : roc.fpr());
            m.put("kept", c.edgeIds());
            double[] effects = c.hasScores() ? rounded(c.scores()) : null;
            if (effects != null && lastEffects != null && Arrays.equals(effects, lastEffects)) {
                m.put("effects_of_step", lastOwner);   // EAP's sweep: one ranking, many thresholds
            } else if (effects != null) {
                List<Double> list = new ArrayList<>(effects.length);
                for (double x : effects) list.add(Double.isNaN(x) ? null : x);
                m.put("effects", list);
                lastEffects = effects;
                lastOwner = s;
            }
            steps.add(m);
        }
        d.put("steps", steps);
        d.put("initial_step", page.initialStep());
        d.put("default_cap", DEFAULT_CAP);
        return d;
    }

    /** The page's kind code of an edge: direct computation, or an addition edge named by what it feeds. */
    static String kind(Edge e) {
        if (e.kind() == EdgeKind.DIRECT) return "direct";
        if (e.kind() != EdgeKind.ADDITION) throw new IllegalArgumentException("the explorer shows tested edges only, found " + e);
        Node r = e.receiver();
        if (r.kind() == NodeKind.OUTPUT) return "output";
        if (r.kind() == NodeKind.MLP_IN) return "mlp";
        if (r.kind() == NodeKind.HEAD_INPUT) return r.channel().letter();
        throw new IllegalArgumentException("an addition edge into " + r.kind() + ": " + e);
    }

    private static String hook(CircuitGraph g, Node n) {
        String hook = g.hookName(n);
        return switch (n.kind()) {
            case HEAD_OUTPUT, HEAD_INPUT, HEAD_QKV -> hook + "[:, :, " + n.head() + "]";
            default -> hook;
        };
    }

    private static String label(Step step, RocPoint roc) {
        String value = step.parameter().equals("k") && step.value() == Math.rint(step.value())
                ? Long.toString((long) step.value()) : shortNumber(step.value());
        return step.parameter() + " " + value + ": " + step.circuit().edgeCount() + " edges"
                + (roc == null ? "" : String.format(Locale.ROOT, ", TPR %.3f FPR %.3f", roc.tpr(), roc.fpr()));
    }

    /** Four significant digits, plain between 0.001 and 10,000, else with an exponent. */
    static String shortNumber(double x) {
        if (x == 0 || !Double.isFinite(x)) return x == 0 ? "0" : Double.toString(x);
        double a = Math.abs(x);
        if (a >= 1e-3 && a < 1e4) return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
        return String.format(Locale.ROOT, "%.3e", x);
    }

    /** Effects to six significant digits (what a reader compares; the page's size matters on GPT-2); non-finite → NaN. */
    private static double[] rounded(double[] scores) {
        double[] r = new double[scores.length];
        MathContext six = new MathContext(6);
        for (int i = 0; i < r.length; i++) {
            r[i] = Double.isFinite(scores[i]) ? (scores[i] == 0 ? 0 : new BigDecimal(scores[i]).round(six).doubleValue()) : Double.NaN;
        }
        return r;
    }

    /**
     * A script's text, checked to be safe inside {@code <script>}: an HTML parser ends the element at the first
     * {@code </script} whatever the JavaScript around it, and {@code <!--} switches it into an escaped state.
     */
    static String scriptBody(String js, String what) {
        String lower = js.toLowerCase(Locale.ROOT);
        if (lower.contains("</script") || lower.contains("<!--")) {
            throw new IllegalStateException(what + " contains </script or <!-- and cannot be inlined as it is");
        }
        return js;
    }

    static String htmlText(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final Map<String, String> RESOURCES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String resource(String name) {
        return RESOURCES.computeIfAbsent(name, n -> {
            try (InputStream in = CircuitExplorer.class.getResourceAsStream(n)) {
                if (in == null) throw new IllegalStateException("resource missing from the build: " + CircuitExplorer.class.getPackageName() + "/" + n);
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the explorer's resource " + n, e);
            }
        });
    }
}
