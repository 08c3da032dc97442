package dev.acdc.tracr.rasp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static dev.acdc.tracr.rasp.Rasp.*;
import static org.junit.jupiter.api.Assertions.*;

class EvaluatorTest {

    @Test
    void nonePassesThroughMapsWithoutCallingTheFunction() {
        SOp shifted = aggregate(select(indices(), indices(), "q == k + 1", (k, q) -> num(q) == num(k) + 1), tokens());
        SOp plusOne = map(x -> num(x) + 1, shifted);
        SOp pair = sequenceMap((x, y) -> num(x) + num(y), plusOne, tokens());
        assertEquals(Arrays.asList(null, 2, 3), Evaluator.evaluate(plusOne, List.of(1, 2, 3)));
        assertEquals(Arrays.asList(null, 4, 6), Evaluator.evaluate(pair, List.of(1, 2, 3)));
    }

    @Test
    void aggregateReturnsDefaultWhenNothingIsSelected() {
        SOp none = aggregate(select(indices(), indices(), Comparison.FALSE), tokens());
        assertEquals(Arrays.asList(null, null), Evaluator.evaluate(none, List.of("a", "b")));
        SOp zero = numerical(aggregate(select(indices(), indices(), Comparison.FALSE), numerical(tokens()), 0));
        assertEquals(List.of(0, 0), Evaluator.evaluate(zero, List.of(1, 2)));
    }

    @Test
    void numericalAggregateIsTheMeanOfTheSelectedValues() {
        SOp mean = numerical(aggregate(select(indices(), indices(), Comparison.LEQ), numerical(tokens()), 0));
        assertEquals(List.of(1, 1.5, 2), Evaluator.evaluate(mean, List.of(1, 2, 3)));
    }

    @Test
    void categoricalAggregateSelectingTwoKeysIsAnErrorNamingTheAggregate() {
        SOp bad = aggregate(select(indices(), indices(), Comparison.TRUE), tokens()).named("everything");
        RaspEvaluationException e = assertThrows(RaspEvaluationException.class, () -> Evaluator.evaluate(bad, List.of(1, 2)));
        assertEquals("everything", e.expression());
        assertTrue(e.getMessage().contains("selects 2 keys"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}(key={1}, query={2}) = {3}")
    @CsvSource({"EQ,1,1,true", "LT,1,2,true", "LT,2,1,false", "LEQ,2,2,true", "GT,3,2,true", "GEQ,1,2,false",
            "NEQ,1,2,true", "TRUE,1,2,true", "FALSE,1,1,false"})
    void comparisonsAreEvaluatedAsPredicateOfKeyThenQuery(Comparison c, int key, int query, boolean expected) {
        assertEquals(expected, c.test(key, query));
    }

    @Test
    void selectorWidthCountsSelectedKeysAndSelectorAlgebraCombines() {
        Selector lt = select(tokens(), tokens(), Comparison.LT);
        Selector eq = select(tokens(), tokens(), Comparison.EQ);
        assertEquals(List.of(0, 1, 2), Evaluator.evaluate(selectorWidth(lt), List.of(1, 2, 3)));
        assertEquals(List.of(1, 2, 3), Evaluator.evaluate(selectorWidth(or(lt, eq)), List.of(1, 2, 3)));
        assertEquals(List.of(2, 1, 0), Evaluator.evaluate(selectorWidth(not(or(lt, eq))), List.of(1, 2, 3)));
        assertEquals(List.of(0, 0, 0), Evaluator.evaluate(selectorWidth(and(lt, eq)), List.of(1, 2, 3)));
    }

    @Test
    void namedReturnsAFreshExpressionAndKeepsTheOriginal() {
        SOp m = map(x -> x, tokens());
        SOp n = m.named("copy");
        assertEquals("copy", n.label());
        assertNotEquals(m.annotations().id(), n.annotations().id());
        assertTrue(m.label().startsWith("map_"));
    }
}
