package dev.acdc.discovery.method;

import dev.acdc.metrics.RocPoint;
import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MethodRocTest {

    /** A ranking's result as EAP returns it: scores, and top-k circuits that break the tie by id. */
    private static MethodResult ranking(CircuitGraph g, double[] scores) {
        List<SweepPoint> points = new ArrayList<>();
        for (int k = 1; k <= g.edgeCount(); k *= 2) points.add(new SweepPoint("k", k, Circuit.topK(g, scores, k)));
        return new MethodResult("eap", points, scores, null, 0);
    }

    @Test
    void edgeAndNodeCurvesOfARankingTreatTiedScoresAlike() {
        CircuitGraph g = CircuitGraph.of(TinyModel.CONFIG);
        // the truth holds the lowest ids, so a tie broken by id would look like a perfect ranking
        Circuit truth = Circuit.ofIds(g, 0, 1, 2);
        double[] tied = new double[g.edgeCount()];
        MethodRoc roc = MethodRoc.of(ranking(g, tied), truth);
        assertEquals(List.of(new RocPoint(1, 1)), roc.edge().points());
        assertEquals(List.of(new RocPoint(1, 1)), roc.node().points());
        assertEquals(roc.edge().pessimisticAuc(), roc.node().pessimisticAuc(), 0.0);

        // a partial tie: one truth edge on top, the rest tied; both levels step once for the top, once for the tie
        double[] scores = tied.clone();
        scores[2] = 1;
        MethodRoc partial = MethodRoc.of(ranking(g, scores), truth);
        assertEquals(2, partial.edge().points().size(), partial.edge().points().toString());
        assertEquals(2, partial.node().points().size(), partial.node().points().toString());
    }

    @Test
    void sweepMethodsAreScoredByTheirCircuitsAtBothLevels() {
        CircuitGraph g = CircuitGraph.of(TinyModel.CONFIG);
        Circuit truth = Circuit.ofIds(g, 0, 1, 2);
        List<SweepPoint> points = List.of(new SweepPoint("k", 1, truth), new SweepPoint("k", 2, Circuit.full(g)));
        MethodRoc roc = MethodRoc.of(new MethodResult("hisp", points, null, null, 0), truth);
        assertEquals(1.0, roc.edge().pessimisticAuc(), 1e-12);
        assertEquals(2, roc.edge().points().size());
        assertEquals(2, roc.node().points().size());
        assertThrows(IllegalArgumentException.class,
                () -> MethodRoc.of(new MethodResult("x", List.of(), null, null, 0), truth));
    }
}
