package dev.acdc.tracr.compiler;

import dev.acdc.tracr.lib.Programs;
import dev.acdc.tracr.rasp.Comparison;
import dev.acdc.tracr.rasp.SOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.acdc.tracr.rasp.Rasp.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each construct the compiler supports, compiled and checked exhaustively against the evaluator. */
class CompiledConstructsTest {

    static Stream<Arguments> constructs() {
        return Stream.of(
                Arguments.of("categorical full", sequenceMap((a, b) -> num(a) + num(b), tokens(), full(1))),
                Arguments.of("numerical full", numerical(linearSequenceMap(numerical(map(x -> num(x), tokens())), numerical(full(2)), 1, 1))),
                Arguments.of("categorical linear sequence map", linearSequenceMap(tokens(), indices(), 2, -1)),
                Arguments.of("selector or/not", aggregate(or(select(indices(), indices(), Comparison.EQ),
                        not(select(indices(), indices(), Comparison.TRUE))), tokens())),
                Arguments.of("selector and", selectorWidth(and(select(tokens(), tokens(), Comparison.LEQ),
                        select(tokens(), tokens(), Comparison.NEQ)))),
                Arguments.of("numerical selector width", numerical(selectorWidth(select(tokens(), tokens(), Comparison.GT)))),
                Arguments.of("numerical length as output", numerical(Programs.makeLength()).named("num_length")),
                Arguments.of("sequence map of one SOp with itself", sequenceMap((a, b) -> num(a) * num(b), tokens(), tokens())),
                Arguments.of("map to None", map(x -> num(x) == 2 ? null : x, tokens())),
                Arguments.of("string-valued map", map(x -> "v" + x, tokens())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constructs")
    void compilesAndAgreesWithTheEvaluatorOnEveryInput(String what, SOp program) {
        List<Object> vocab = List.of(1, 2, 3);
        CompiledModel m = RaspCompiler.compile(what.replace(' ', '_'), program, vocab, 4);
        assertEquals(List.of(), ModelCheck.exhaustive(m, vocab, 4).mismatches());
    }
}
