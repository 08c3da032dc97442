package dev.acdc.discovery.method;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * "Attribution proposes, exact patching decides": rank every edge by the absolute attribution score of EAP or EAP-IG
 * and keep the top K for ACDC to decide; the rest are removed before ACDC's walk. Spelled {@code eap-ig:K} or
 * {@code eap:K}, K a count of edges ({@code 40}) or a percentage of them ({@code 25%}, {@code 2.5%}).
 *
 * <p>ACDC++ (Syed, Rager and Conmy, {@code Aaquib111/edge-attribution-patching}, {@code ACDCPPExperiment.py}) prunes
 * by a threshold on |attribution| instead, with ACDC's τ; a top K fixes the search space's size independently of the
 * scores' scale, which differs between metrics and tasks by orders of magnitude. Ranking: |score| descending, ties by
 * the lower edge id, NaN last ({@link Circuit#topK}); every edge of the graph is ranked, direct-computation edges
 * included. A percentage keeps floor(p/100 · E) edges (MIB's {@code int(pct · n)}), so it may keep none; K ≥ E keeps
 * every edge, which is plain ACDC.
 *
 * @param attribution {@code eap} or {@code eap-ig}
 * @param k           K as spelled (a whole number ≥ 1, or a decimal in (0, 100] followed by {@code %})
 */
public record AttributionPrefilter(String attribution, String k) {

    /** The attribution methods a prefilter can rank by. */
    public static final List<String> ATTRIBUTIONS = List.of("eap-ig", "eap");

    private static final Pattern COUNT = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern PERCENT = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.[0-9]{1,6})?%");

    public AttributionPrefilter {
        Objects.requireNonNull(attribution, "attribution");
        Objects.requireNonNull(k, "k");
        if (!ATTRIBUTIONS.contains(attribution)) {
            throw new IllegalArgumentException("unknown attribution '" + attribution + "'; expected one of " + String.join(", ", ATTRIBUTIONS));
        }
        checkK(k);
    }

    private static void checkK(String k) {
        if (COUNT.matcher(k).matches()) return;
        if (!PERCENT.matcher(k).matches()) {
            throw new IllegalArgumentException("K '" + k + "': expected a whole number of edges ≥ 1 (e.g. 40) or a percentage"
                    + " in (0, 100] (e.g. 25%)");
        }
        BigDecimal p = new BigDecimal(k.substring(0, k.length() - 1));
        if (p.signum() <= 0 || p.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new IllegalArgumentException("K '" + k + "': a percentage must lie in (0, 100]");
        }
    }

    /** {@code eap-ig:K} or {@code eap:K}; anything else is an {@link IllegalArgumentException} naming what was wrong. */
    public static AttributionPrefilter parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + spec + "': expected METHOD:K with METHOD one of " + String.join(", ", ATTRIBUTIONS)
                    + " and K a count or a percentage of the edges (e.g. eap-ig:25%)");
        }
        return new AttributionPrefilter(spec.substring(0, colon), spec.substring(colon + 1));
    }

    /** As parsed: {@code eap-ig:25%}. */
    public String spelling() {
        return attribution + ":" + k;
    }

    public boolean isPercentage() {
        return k.endsWith("%");
    }

    /** How many of {@code edges} edges the prefilter keeps: K, at most every edge; a percentage's floor. */
    public int kept(int edges) {
        if (!isPercentage()) return Math.min(Integer.parseInt(k), edges);
        BigDecimal p = new BigDecimal(k.substring(0, k.length() - 1));
        return p.multiply(BigDecimal.valueOf(edges)).movePointLeft(2).setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    /** The attribution method with its settings ({@code gradientAt} null: the method's default). */
    public DiscoveryMethod method(GradientAt gradientAt, int igSteps) {
        if (attribution.equals("eap")) return gradientAt == null ? new Eap() : new Eap(gradientAt);
        return gradientAt == null ? new EapIg(igSteps) : new EapIg(igSteps, gradientAt);
    }

    /** The signed scores of {@link #method} on the problem. */
    public EdgeAttribution.Scores scores(DiscoveryProblem problem, GradientAt gradientAt, int igSteps) {
        DiscoveryMethod m = method(gradientAt, igSteps);
        return m instanceof Eap e ? e.attribute(problem) : ((EapIg) m).attribute(problem);
    }

    /** The edges outside the top K by |score|: what ACDC starts without. Empty when K ≥ the number of edges. */
    public BitSet removed(CircuitGraph graph, double[] signedScores) {
        double[] abs = new double[signedScores.length];
        for (int i = 0; i < abs.length; i++) abs[i] = Math.abs(signedScores[i]);
        BitSet removed = new BitSet(graph.edgeCount());
        removed.set(0, graph.edgeCount());
        removed.andNot(Circuit.topK(graph, abs, kept(graph.edgeCount())).bits());
        return removed;
    }
}
