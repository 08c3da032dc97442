package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Comparison;
import dev.acdc.tracr.rasp.SOp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.acdc.tracr.rasp.Rasp.*;
import static org.junit.jupiter.api.Assertions.*;

class ValidatorTest {

    @Test
    void everyUnsupportedExpressionIsReportedAtOnceWithItsName() {
        SOp num = numerical(map(x -> num(x), tokens())).named("num_tok");
        SOp badSeq = sequenceMap((a, b) -> a, num, tokens()).named("bad_seq");
        SOp badSelect = aggregate(select(num, tokens(), Comparison.EQ), tokens()).named("bad_select_agg");
        SOp badDefault = numerical(aggregate(select(indices(), indices(), Comparison.EQ), num, 1)).named("bad_default");
        SOp all = sequenceMap((a, b) -> a, sequenceMap((a, b) -> a, badSeq, badSelect), map(x -> x, badDefault));
        CompileException e = assertThrows(CompileException.class, () -> RaspCompiler.compile("bad", all, List.of(1, 2), 3));
        String msg = e.getMessage();
        assertTrue(msg.contains("bad_seq") && msg.contains("LinearSequenceMap"), msg);
        assertTrue(msg.contains("categorical keys and queries"), msg);
        assertTrue(msg.contains("bad_default") && msg.contains("default 0"), msg);
        assertTrue(e.problems().size() >= 3, e.problems().toString());
    }

    @Test
    void selectorAlgebraOverDifferentSopsIsRejectedWithTheFix() {
        SOp w = selectorWidth(and(select(tokens(), tokens(), Comparison.EQ), select(indices(), indices(), Comparison.LT)));
        CompileException e = assertThrows(CompileException.class, () -> RaspCompiler.compile("w", w, List.of(1, 2), 3));
        assertTrue(e.getMessage().contains("same keys and the same queries"), e.getMessage());
    }

    @Test
    void reservedNamesAreRejected() {
        SOp one = map(x -> x, tokens()).named("one");
        CompileException e = assertThrows(CompileException.class, () -> RaspCompiler.compile("r", one, List.of(1), 2));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
    }

    @Test
    void nonNumericValuesOfANumericalSopAreRejected() {
        SOp bad = numerical(map(x -> "s" + x, tokens())).named("strings");
        CompileException e = assertThrows(CompileException.class, () -> RaspCompiler.compile("s", bad, List.of(1), 2));
        assertTrue(e.getMessage().contains("strings") && e.getMessage().contains("non-numerical"), e.getMessage());
    }
}
