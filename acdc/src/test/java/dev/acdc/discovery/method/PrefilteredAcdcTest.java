package dev.acdc.discovery.method;

import dev.acdc.datasets.Task;
import dev.acdc.datasets.tracr.TracrTask;
import dev.acdc.discovery.Acdc;
import dev.acdc.discovery.AcdcJournal;
import dev.acdc.discovery.AcdcOptions;
import dev.acdc.discovery.AcdcResult;
import dev.acdc.discovery.AcdcWalk;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.SenderOrder;
import dev.acdc.patching.patch.Ablation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class PrefilteredAcdcTest {

    static final double TAU = 1e-3;

    @Test
    void kAtLeastEveryEdgeRemovesNothingAndGivesPlainAcdcsCircuitAndEffects() {
        Task task = TracrTask.reverse(0, true);
        Problems.with(task, Ablation.RESAMPLE, "l2", 0, p -> {
            CircuitGraph g = p.graph();
            AttributionPrefilter all = new AttributionPrefilter("eap-ig", Integer.toString(g.edgeCount()));
            BitSet removed = all.removed(g, all.scores(p, null, 5).signed());
            assertTrue(removed.isEmpty());
            AcdcResult plain = new Acdc(p.patcher(), p.metric(), AcdcOptions.fast(TAU)).run();
            AcdcResult pre = new Acdc(p.patcher(), p.metric(), AcdcOptions.fast(TAU)).run(removed, AcdcJournal.none(), x -> {});
            assertEquals(plain.circuit().bits(), pre.circuit().bits());
            assertArrayEquals(plain.circuit().scores(), pre.circuit().scores());
            assertEquals(plain.testedEdges(), pre.testedEdges());
            assertEquals(plain.maskedForwards(), pre.maskedForwards());
            return null;
        });
    }

    @Test
    void aSmallKRemovesExactlyTheLowerRankedEdgesBeforeAcdcTestsAny() {
        Task task = TracrTask.reverse(0, true);
        Problems.with(task, Ablation.RESAMPLE, "l2", 0, p -> {
            CircuitGraph g = p.graph();
            AttributionPrefilter pre = new AttributionPrefilter("eap-ig", "20");
            double[] signed = pre.scores(p, null, 5).signed();
            BitSet removed = pre.removed(g, signed);
            // by hand: the 20 largest |score| (ties by the lower id) stay, every other edge is removed
            Integer[] order = IntStream.range(0, g.edgeCount()).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -Math.abs(signed[i])).thenComparingInt(i -> i));
            BitSet expected = new BitSet();
            for (int i = 20; i < order.length; i++) expected.set(order[i]);
            assertEquals(expected, removed);
            assertEquals(g.edgeCount() - 20, removed.cardinality());

            AcdcResult r = new Acdc(p.patcher(), p.metric(), AcdcOptions.fast(TAU)).run(removed, AcdcJournal.none(), x -> {});
            AcdcResult plain = new Acdc(p.patcher(), p.metric(), AcdcOptions.fast(TAU)).run();
            for (int id = removed.nextSetBit(0); id >= 0; id = removed.nextSetBit(id + 1)) {
                assertFalse(r.circuit().contains(id), "a prefiltered edge came back: " + g.edge(id).name());
                assertTrue(Double.isNaN(r.circuit().scores()[id]), "a prefiltered edge was tested: " + g.edge(id).name());
            }
            // the tests ACDC ran are exactly the walk's over the surviving edges, at most K, fewer than plain ACDC's
            int walk = AcdcWalk.replay(g, SenderOrder.ACDC, removed, r.circuit()::contains, (i, rc, id, m) -> assertFalse(removed.get(id)));
            assertEquals(walk, r.testedEdges());
            assertTrue(r.testedEdges() <= 20, r.testedEdges() + " tests");
            assertTrue(r.testedEdges() < plain.testedEdges(), r.testedEdges() + " vs plain " + plain.testedEdges());
            long scored = Arrays.stream(r.circuit().scores()).filter(s -> !Double.isNaN(s)).count();
            assertEquals(r.testedEdges(), scored);
            return null;
        });
    }

    @Test
    void theMethodSweepsAcdcOnThePrefilteredGraphAndNamesItselfAsSpelled() {
        Task task = TracrTask.proportion(0, true);
        Problems.with(task, Ablation.RESAMPLE, "l2", 0, p -> {
            AttributionPrefilter pre = PrefilteredAcdc.ofName("acdc-eap-ig:10");
            MethodResult r = new PrefilteredAcdc("acdc-eap-ig:10", pre, null, 5, new double[] {1e-4, 1e-2}, AcdcOptions.fast(0), s -> {})
                    .discover(p);
            assertEquals("acdc-eap-ig:10", r.method());
            assertNull(r.edgeScores());
            assertEquals(2, r.points().size());
            BitSet removed = pre.removed(p.graph(), pre.scores(p, null, 5).signed());
            for (SweepPoint sp : r.points()) {
                assertTrue(sp.circuit().edgeCount() <= 10);
                assertFalse(sp.circuit().bits().intersects(removed));
            }
            return null;
        });
    }

    @Test
    void percentagesKeepTheFloorOfTheirShareAndCountsAreCappedAtTheEdges() {
        assertEquals(26, new AttributionPrefilter("eap-ig", "25%").kept(106));
        assertEquals(0, new AttributionPrefilter("eap", "0.5%").kept(38));   // floor, as MIB's int(pct · n)
        assertEquals(38, new AttributionPrefilter("eap", "100%").kept(38));
        assertEquals(38, new AttributionPrefilter("eap", "1000").kept(38));
        assertEquals(3, new AttributionPrefilter("eap-ig", "2.5%").kept(120));
        assertEquals("eap-ig:2.5%", AttributionPrefilter.parse("eap-ig:2.5%").spelling());
        assertEquals(new AttributionPrefilter("eap-ig", PrefilteredAcdc.DEFAULT_K), PrefilteredAcdc.ofName("acdc-eap-ig"));
        assertNull(PrefilteredAcdc.ofName("acdc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eap-ig:0", "eap-ig:-3", "eap-ig:0%", "eap-ig:101%", "eap-ig:", "eap-ig:abc", "eap-ig:5.5", "eap-ig:05",
            "sp:5", "eap-ig", "eap-ig:5%%", "eap-ig:1e3", ":5"})
    void malformedSpecsAreRefusedWithTheirReason(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributionPrefilter.parse(spec));
        assertFalse(e.getMessage().contains("\n"));
    }
}
