package dev.acdc.tracr.compiler;

import dev.acdc.tracr.lib.Programs;
import dev.acdc.tracr.rasp.Rasp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.acdc.tracr.rasp.Rasp.tokens;
import static org.junit.jupiter.api.Assertions.*;

class CompiledLayoutTest {

    @Test
    void reverseHasTracrsFourLayerLayoutAndReversesEveryInput() {
        CompiledModel m = RaspCompiler.compile("reverse", Programs.makeReverse(tokens()), List.of(1, 2, 3), 5);
        assertEquals(4, m.config().nLayers());
        assertEquals(1, m.config().nHeads());
        assertEquals(List.of("length"), m.plan().headsByLayer().get(0));
        assertEquals(List.of("length"), m.plan().mlpsByLayer().get(0));
        assertEquals(List.of("opp_idx"), m.plan().mlpsByLayer().get(1));
        assertEquals(List.of("opp_idx-1"), m.plan().mlpsByLayer().get(2));
        assertEquals(List.of("reverse"), m.plan().headsByLayer().get(3));
        var r = ModelCheck.exhaustive(m, List.of(1, 2, 3), 5);
        assertEquals(List.of(), r.mismatches());
        System.out.println(m.groundTruth().toEdgeStrings());
    }

    @Test
    void fracPrevsHasTwoLayersWithMlpThenAttention() {
        CompiledModel m = RaspCompiler.compile("frac_prevs", Programs.makeFracPrevs(Rasp.eq(tokens(), "x")),
                List.of("w", "x", "y", "z"), 5);
        assertEquals(2, m.config().nLayers());
        assertEquals(1, m.config().nHeads());
        assertTrue(m.plan().headsByLayer().get(0).isEmpty());
        assertEquals(1, m.plan().mlpsByLayer().get(0).size());
        assertEquals(List.of("frac_prevs"), m.plan().headsByLayer().get(1));
        var r = ModelCheck.exhaustive(m, List.of("w", "x", "y", "z"), 5);
        assertEquals(List.of(), r.mismatches());
        System.out.println(m.groundTruth().toEdgeStrings());
    }
}
