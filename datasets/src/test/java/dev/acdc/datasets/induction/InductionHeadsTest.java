package dev.acdc.datasets.induction;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class InductionHeadsTest {

    private static double[][] scores(int layer, int head, double value) {
        double[][] s = new double[2][8];
        for (double[] row : s) java.util.Arrays.fill(row, 0.1);
        s[layer][head] = value;
        return s;
    }

    @Test
    void headsAreSelectedByLayerAndThresholdAndFormTheTextbookCircuit() {
        // a high previous-token score in layer 1 and a high induction score in layer 0 do not count
        double[][] prev = scores(0, 3, 0.9);
        prev[1][2] = 0.9;
        double[][] ind = scores(1, 5, 0.8);
        ind[0][4] = 0.9;
        InductionHeads h = new InductionHeads(prev, ind);
        assertEquals(List.of("a0.3"), h.previousTokenHeads());
        assertEquals(List.of("a1.5"), h.inductionHeads());
        assertEquals(List.of(
                "a0.3->a1.5.k",
                "a0.3.k->a0.3.hook_k", "a0.3.q->a0.3.hook_q", "a0.3.v->a0.3.hook_v",
                "a1.5->output",
                "a1.5.k->a1.5.hook_k", "a1.5.q->a1.5.hook_q", "a1.5.v->a1.5.hook_v",
                "embed->a0.3.k", "embed->a0.3.q", "embed->a0.3.v",
                "embed->a1.5.q", "embed->a1.5.v"), h.canonicalCircuit());
    }

    @Test
    void aScoreBelowTheThresholdIsNotAHead() {
        InductionHeads h = new InductionHeads(scores(0, 1, InductionHeads.THRESHOLD - 1e-9), scores(1, 1, InductionHeads.THRESHOLD));
        assertEquals(List.of(), h.previousTokenHeads());
        assertEquals(List.of("a1.1"), h.inductionHeads());
    }
}
