package dev.acdc.tracr.compiler;

import dev.acdc.tracr.craft.BasisDirection;
import dev.acdc.tracr.craft.Discretisation;
import dev.acdc.tracr.lib.Programs;
import dev.acdc.tracr.rasp.Comparison;
import dev.acdc.tracr.rasp.SOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.acdc.tracr.rasp.Rasp.*;
import static org.junit.jupiter.api.Assertions.*;

/** Each of Tracr's known defects, which this compiler must not have. */
class TracrDefectsTest {

    @Test
    void padKeysAreMaskedSoPaddingNeverChangesANumericalMean() {
        // mean over ALL positions: an unmasked PAD key would dilute it
        SOp isX = numerical(eq(tokens(), "x"));
        SOp mean = numerical(aggregate(select(indices(), indices(), Comparison.TRUE), isX, 0)).named("mean_x");
        CompiledModel m = RaspCompiler.compile("mean_x", mean, List.of("x", "y"), 6);
        ReferenceForward f = new ReferenceForward(m.weights());
        List<Object> input = List.of("x", "y", "y");
        List<Object> unpadded = ModelCheck.run(m, f, input, 4);
        List<Object> padded = ModelCheck.run(m, f, input, 7);
        assertTrue(ModelCheck.agree(List.of(1.0 / 3, 1.0 / 3, 1.0 / 3), unpadded), unpadded.toString());
        assertTrue(ModelCheck.agree(unpadded, padded), "padded " + padded + " vs unpadded " + unpadded);
    }

    @Test
    void selectorWidthIsExactUpToMaxSeqLen16WithGapChosenExactness() {
        CompiledModel m = RaspCompiler.compile("length", Programs.makeLength(), List.of("a"), 16);
        ReferenceForward f = new ReferenceForward(m.weights());
        for (int n = 1; n <= 16; n++) {
            List<Object> input = Collections.nCopies(n, "a");
            assertEquals(Collections.nCopies(n, n), ModelCheck.run(m, f, input, n + 1), "length " + n);
            assertEquals(Collections.nCopies(n, n), ModelCheck.run(m, f, input, 17), "length " + n + " padded");
        }
    }

    @Test
    void aFixedTracrStyleSlopeBreaksLongWidthsThatGapChosenSlopesGetRight() {
        // 1/n and 1/(n+1) are 1/(n(n+1)) apart: one ramp of width 1/100 straddles both once n(n+1) > 100,
        // i.e. from width 10 (Tracr's ramp is one-sided and fails there; ours is centred and fails a little later)
        CompiledModel m = RaspCompiler.compile("length", Programs.makeLength(), List.of("a"), 16,
                CompilerOptions.DEFAULT.withDiscretisation(Discretisation.fixed(100)));
        ReferenceForward f = new ReferenceForward(m.weights());
        int firstWrong = -1;
        for (int n = 1; n <= 16 && firstWrong < 0; n++) {
            List<Object> input = Collections.nCopies(n, "a");
            if (!ModelCheck.run(m, f, input, n + 1).equals(Collections.nCopies(n, n))) firstWrong = n;
        }
        assertTrue(firstWrong >= 10, "fixed slope 100 should be right below width 10, first failure at " + firstWrong);
    }

    @Test
    void twoSelectorWidthsInOneLayerGetDistinctHiddenNeurons() {
        SOp both = sequenceMap((a, b) -> num(a) * 10 + num(b), Programs.makeLength(), Programs.makeHist()).named("both");
        RaspGraph g = RaspToGraph.extract(both);
        ValueSets v = BasisInference.infer(g, List.of("a", "b"), 4);
        CraftGraph craft = ExprToCraftGraph.build(g, v, CompilerOptions.DEFAULT);
        LayerPlan plan = LayerAllocation.allocate(g, craft);
        assertEquals(List.of("length", "hist"), plan.mlpsByLayer().get(0).stream().sorted(Collections.reverseOrder()).toList());
        Set<BasisDirection> hidden = new HashSet<>();
        int total = 0;
        for (String label : plan.mlpsByLayer().get(0)) {
            List<BasisDirection> h = craft.blocks().get(label).mlp().hidden().basis();
            hidden.addAll(h);
            total += h.size();
        }
        assertEquals(total, hidden.size(), "hidden neuron names collide");
        CompiledModel m = RaspCompiler.compile("both", both, List.of("a", "b"), 4);
        assertEquals(List.of(), ModelCheck.exhaustive(m, List.of("a", "b"), 4).mismatches());
    }

    @Test
    void numericalAggregateValueSetHoldsEveryMeanSoLaterMapsSeeTwoFifths() {
        SOp frac = Programs.makeFracPrevs(eq(tokens(), "x"));
        RaspGraph g = RaspToGraph.extract(frac);
        List<Object> values = BasisInference.infer(g, List.of("x", "y"), 5).of("frac_prevs");
        assertTrue(values.contains(0.4), "2/5 missing from " + values);
        assertTrue(values.contains(0.6), "3/5 missing from " + values);
        // a categorical Map that distinguishes 2/5 from its neighbours compiles and is exact
        SOp twoFifths = map(x -> Math.abs(num(x) - 0.4) < 1e-9, frac).named("is_two_fifths");
        CompiledModel m = RaspCompiler.compile("two_fifths", twoFifths, List.of("x", "y"), 5);
        assertEquals(List.of(), ModelCheck.exhaustive(m, List.of("x", "y"), 5).mismatches());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"categorical_to_numerical", "numerical_to_numerical"})
    void numericalMapWithNegativeOutputsIsExactNotClipped(String kind) {
        SOp program = kind.equals("categorical_to_numerical")
                ? numerical(map(x -> 1 - 2 * num(x), tokens())).named("neg")
                : numerical(map(x -> num(x) - 0.75, Programs.makeFracPrevs(eq(tokens(), 1)))).named("neg");
        CompiledModel m = RaspCompiler.compile("neg", program, List.of(1, 2, 3), 4);
        assertEquals(List.of(), ModelCheck.exhaustive(m, List.of(1, 2, 3), 4).mismatches());
    }

    @Test
    void categoricalAggregateThatCanSelectSeveralKeysIsRejectedAtCompileTime() {
        SOp bad = aggregate(select(indices(), indices(), Comparison.LEQ), tokens()).named("prefix_token");
        CompileException e = assertThrows(CompileException.class,
                () -> RaspCompiler.compile("bad", bad, List.of("a", "b"), 4));
        assertTrue(e.getMessage().contains("prefix_token") && e.getMessage().contains("at most one"), e.getMessage());
    }

    @Test
    void categoricalAggregateWithUnprovableUniquenessIsWarnedAndCheckedOnInputs() {
        CompiledModel m = RaspCompiler.compile("sort_unique", Programs.makeSortUnique(tokens(), tokens()), List.of(1, 2, 3), 4);
        assertEquals(1, m.warnings().size(), m.warnings().toString());
        assertTrue(DynamicValidator.check(m.output(), List.of(3, 1, 2)).isEmpty());
        String problem = DynamicValidator.check(m.output(), List.of(2, 2, 1)).orElseThrow();
        assertTrue(problem.contains("sort") && problem.contains("selects 2 keys"), problem);
    }

    @Test
    void headsAreSizedFromTheLargerOfKeyAndValueSpace() {
        List<Object> vocab = new ArrayList<>();
        for (int i = 0; i < 12; i++) vocab.add(i);
        // key space: indices (2) + BOS + PAD = 4; value space: 12 token values
        SOp shifted = Programs.shiftBy(1, tokens());
        CompiledModel m = RaspCompiler.compile("shift", shifted, vocab, 2);
        assertTrue(m.config().dHead() >= 12, "d_head " + m.config().dHead());
        assertEquals(List.of(), ModelCheck.exhaustive(m, vocab, 2).mismatches());
    }
}
