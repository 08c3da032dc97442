package dev.acdc.experiments.discover;

import dev.acdc.discovery.method.DiscoveryMethod;
import dev.acdc.discovery.method.DiscoveryProblem;
import dev.acdc.discovery.method.Eap;
import dev.acdc.discovery.method.EapIg;
import dev.acdc.discovery.method.EdgeAttribution;
import dev.acdc.discovery.method.FaithfulnessCurves;
import dev.acdc.discovery.method.MethodResult;
import dev.acdc.patching.graph.CircuitGraph;

/**
 * One method's MIB faithfulness curves on a problem, the one computation {@code faithfulness} and {@code reproduce}
 * share: EAP and EAP-IG rank edges, so their CPR curve takes the top n by signed score and their CMD curve the top n by
 * |score|, as MIB's {@code print_results.py} reports them; every other method (ACDC, SP, HISP, EAP-guided ACDC) is a
 * sweep, and both curves take the sweep's largest circuit with at most n edges ({@link FaithfulnessCurves}).
 */
public final class MethodFaithfulness {
    private MethodFaithfulness() {}

    /**
     * The curves of one method.
     *
     * @param cpr        the curve CPR is taken from
     * @param cprRanking {@code signed} (a ranking method) or {@code sweep}
     * @param cmd        the curve CMD is taken from; the same object as {@code cpr} for a sweep
     * @param cmdRanking {@code absolute} or {@code sweep}
     */
    public record Curves(FaithfulnessCurves.Curve cpr, String cprRanking, FaithfulnessCurves.Curve cmd, String cmdRanking) {
        /** Whether CPR and CMD come from one curve (a sweep). */
        public boolean oneCurve() {
            return cpr == cmd;
        }
    }

    /**
     * A method run once: its result (what ROC needs; for EAP and EAP-IG built from the same scores as the curves) and
     * its curves.
     */
    public record Run(MethodResult result, Curves curves) {}

    /** Runs the method on the problem and evaluates its curves at the fractions with {@code ev}. */
    public static Run run(DiscoveryMethod method, DiscoveryProblem problem, FaithfulnessCurves.Evaluator ev, double[] fractions) {
        CircuitGraph g = problem.graph();
        if (method instanceof Eap || method instanceof EapIg) {
            long start = System.nanoTime();
            EdgeAttribution.Scores s = method instanceof Eap e ? e.attribute(problem) : ((EapIg) method).attribute(problem);
            MethodResult r = EdgeAttribution.result(method.name(), g, s, (System.nanoTime() - start) / 1e9);
            double[] signed = s.signed(), abs = s.magnitudes();
            return new Run(r, new Curves(ev.curve(fractions, n -> FaithfulnessCurves.topN(g, signed, n)), "signed",
                    ev.curve(fractions, n -> FaithfulnessCurves.topN(g, abs, n)), "absolute"));
        }
        MethodResult r = method.discover(problem);
        FaithfulnessCurves.Curve c = ev.curve(fractions, n -> FaithfulnessCurves.fromSweep(g, r.points(), n));
        return new Run(r, new Curves(c, "sweep", c, "sweep"));
    }

    /**
     * The method's series for {@link FaithfulnessPlot}: one per curve, named by the method, the ranking (a ranking
     * method's two) and its area ({@code eap signed (CPR 0.188)}, {@code acdc (CPR 0.925)}).
     */
    public static void addPlotSeries(java.util.Map<String, double[]> plotted, String method, Curves c) {
        plotted.put(String.format(java.util.Locale.ROOT, "%s%s (CPR %.3f)", method, c.oneCurve() ? "" : " " + c.cprRanking(),
                c.cpr().area().cpr()), c.cpr().f());
        if (!c.oneCurve()) {
            plotted.put(String.format(java.util.Locale.ROOT, "%s %s (CMD %.3f)", method, c.cmdRanking(), c.cmd().area().cmd()), c.cmd().f());
        }
    }
}
