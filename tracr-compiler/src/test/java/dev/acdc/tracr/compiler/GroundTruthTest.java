package dev.acdc.tracr.compiler;

import dev.acdc.tracr.lib.Programs;
import dev.acdc.tracr.rasp.Rasp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.acdc.tracr.rasp.Rasp.tokens;
import static org.junit.jupiter.api.Assertions.*;

class GroundTruthTest {

    /** ACDC's published reverse circuit (edges into heads' q/k/v and MLPs). */
    private static final Set<String> ACDC_REVERSE = Set.of("a3.0->output", "m2->a3.0.q", "pos_embed->a3.0.k",
            "tok_embed->a3.0.v", "m1->m2", "m0->m1", "tok_embed->m1", "pos_embed->m1", "a0.0->m0", "tok_embed->m0",
            "tok_embed->a0.0.v");
    private static final Set<String> ACDC_PROPORTION = Set.of("a1.0->output", "tok_embed->a1.0.q", "pos_embed->a1.0.q",
            "tok_embed->a1.0.k", "pos_embed->a1.0.k", "m0->a1.0.v", "tok_embed->m0");

    @Test
    void reverseGroundTruthContainsAcdcsPublishedCircuit() {
        CompiledModel m = RaspCompiler.compile("reverse", Programs.makeReverse(tokens()), List.of(1, 2, 3), 5);
        Set<String> edges = new TreeSet<>(m.groundTruth().toEdgeStrings());
        assertTrue(edges.containsAll(ACDC_REVERSE), "missing " + minus(ACDC_REVERSE, edges));
        assertTrue(edges.contains("a3.0.q_input->a3.0.q"));
        assertEquals(List.of("reverse"), m.groundTruth().componentNodes().get("a3.0"));
        assertEquals(List.of("opp_idx"), m.groundTruth().componentNodes().get("m1"));
        // without bias/BOS/PAD edges, the reverse head reads only SOps
        Set<String> sop = new TreeSet<>(m.groundTruth().withoutStructural().toEdgeStrings());
        assertFalse(sop.contains("tok_embed->a3.0.q"), sop.toString());
        assertTrue(sop.contains("m2->a3.0.q"));
    }

    @Test
    void proportionGroundTruthIsExactlyAcdcsPublishedCircuitPlusDirectEdges() {
        CompiledModel m = RaspCompiler.compile("frac_prevs", Programs.makeFracPrevs(Rasp.eq(tokens(), "x")),
                List.of("w", "x", "y", "z"), 5);
        Set<String> residual = new TreeSet<>();
        for (GroundTruthEdge e : m.groundTruth().edges()) residual.add(e.toString());
        assertEquals(new TreeSet<>(ACDC_PROPORTION), residual);
        assertEquals(Set.of("q", "k", "v"), m.groundTruth().headInputs().get("a1.0"));
    }

    @Test
    void everyEdgeGoesFromAnEarlierSenderToALaterReceiver() {
        CompiledModel m = RaspCompiler.compile("shuffle_dyck2", Programs.makeShuffleDyck2(),
                List.of("(", ")", "{", "}"), 4);
        for (GroundTruthEdge e : m.groundTruth().edges()) {
            int s = layer(e.sender()), r = layer(e.receiver());
            boolean ok = s < r || (s == r && e.sender().startsWith("a") && e.receiver().startsWith("m"));
            assertTrue(ok, e + " goes backwards");
        }
    }

    private static int layer(String node) {
        if (node.endsWith("embed")) return -1;
        if (node.equals("output")) return Integer.MAX_VALUE;
        String digits = node.substring(1).split("\\.")[0];
        return Integer.parseInt(digits);
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
