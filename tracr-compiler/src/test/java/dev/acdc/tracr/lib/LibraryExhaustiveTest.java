package dev.acdc.tracr.lib;

import dev.acdc.tracr.compiler.CompiledModel;
import dev.acdc.tracr.compiler.RaspCompiler;
import dev.acdc.tracr.compiler.ModelCheck;
import dev.acdc.tracr.testing.RuntimeCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryExhaustiveTest {

    static Stream<Arguments> programs() {
        Stream<Arguments> defaults = Library.names().stream().map(n -> Arguments.of(n, Map.of()));
        Stream<Arguments> variants = Stream.of(
                Arguments.of("length", Map.of("encoding", "numerical")),
                Arguments.of("count_less_freq", Map.of("encoding", "numerical", "n", "1")),
                Arguments.of("shift_by", Map.of("offset", "2")),
                Arguments.of("detect_pattern", Map.of("pattern", "aba")),
                Arguments.of("frac_prevs", Map.of("token", "w")),
                Arguments.of("sort", Map.of("min_key", "2")));
        return Stream.concat(defaults, variants);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("programs")
    void compiledModelEqualsEvaluatorOnEveryInputWithAndWithoutPadding(String name, Map<String, String> args) {
        Library.Entry e = Library.get(name);
        long t0 = System.nanoTime();
        CompiledModel m = RaspCompiler.compile(name, e.build(args, e.defaultMaxSeqLen()), e.defaultVocab(), e.defaultMaxSeqLen());
        long t1 = System.nanoTime();
        ModelCheck.Result r = ModelCheck.exhaustive(m, e.defaultVocab(), e.defaultMaxSeqLen());
        long t2 = System.nanoTime();
        System.out.printf("%-18s %s layers=%d heads=%d d_model=%d d_mlp=%d d_head=%d compile=%.1fms exhaustive=%.1fms (%d inputs, %d undefined)%n",
                name, args, m.config().nLayers(), m.config().nHeads(), m.config().dModel(), m.config().dMlp(), m.config().dHead(),
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, r.checked(), r.skipped());
        assertEquals(List.of(), r.mismatches());
        assertTrue(r.checked() > 0, "no input was defined for " + name);
        if (!args.isEmpty()) return; // parameter variants: the reference forward pass only (keeps the suite fast)
        long t3 = System.nanoTime();
        ModelCheck.Result runtime = RuntimeCheck.exhaustive(m, e.defaultVocab(), e.defaultMaxSeqLen());
        System.out.printf("%-18s %s HookedTransformer exhaustive=%.1fms%n", name, args, (System.nanoTime() - t3) / 1e6);
        assertEquals(List.of(), runtime.mismatches());
    }
}
