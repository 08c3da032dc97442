package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Comparison;
import dev.acdc.tracr.rasp.SOp;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;

import static dev.acdc.tracr.rasp.Rasp.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random well-typed RASP programs compile and agree with the evaluator on every input up to length 3.
 * A seed drives a small grammar: categorical maps and sequence maps over small integers, categorical
 * aggregates keyed by indices (unique by construction), numerical means of 0/1 maps, selector widths,
 * and numerical-to-categorical maps of those means.
 */
class RandomProgramsTest {
    private static final List<Object> VOCAB = List.of(0, 1, 2);
    private static final int MAX_LEN = 3;

    private static final List<Function<Object, Object>> MAPS = List.of(
            x -> (int) num(x) + 1, x -> (int) num(x) % 2, x -> Math.min((int) num(x), 2), x -> num(x) == 1, x -> 3 - (int) num(x));
    private static final List<BiFunction<Object, Object, Object>> SEQ_MAPS = List.of(
            (x, y) -> (int) num(x) + (int) num(y), (x, y) -> Math.max((int) num(x), (int) num(y)),
            (x, y) -> num(x) == num(y), (x, y) -> ((int) num(x) * (int) num(y)) % 3);
    private static final Comparison[] CMPS = Comparison.values();

    @Property(tries = 40)
    void randomProgramsCompileAndAgreeWithTheEvaluator(@ForAll @LongRange(min = 0, max = 1_000_000_000L) long seed) {
        SOp program = generate(new Random(seed), 3);
        CompiledModel m = RaspCompiler.compile("random_" + seed, program, VOCAB, MAX_LEN);
        assertEquals(List.of(), ModelCheck.exhaustive(m, VOCAB, MAX_LEN).mismatches(), "seed " + seed);
    }

    static SOp generate(Random r, int depth) {
        return generate(r, depth, false);
    }

    /**
     * A categorical SOp of small integers; {@code noneFree} excludes categorical aggregates (which yield
     * None where nothing is selected), for the inputs of numerical maps: a numerical encoding has no None.
     */
    static SOp generate(Random r, int depth, boolean noneFree) {
        if (depth == 0) return r.nextBoolean() ? tokens() : indices();
        int kind = r.nextInt(6);
        if (noneFree && kind == 2) kind = 0;
        switch (kind) {
            case 0:
                return map(MAPS.get(r.nextInt(MAPS.size())), generate(r, depth - 1, noneFree));
            case 1:
                return sequenceMap(SEQ_MAPS.get(r.nextInt(SEQ_MAPS.size())), generate(r, depth - 1, noneFree), generate(r, depth - 1, noneFree));
            case 2: {
                // indices as keys with EQ/shift predicates select at most one key
                SOp queries = generate(r, depth - 1, noneFree);
                int shift = r.nextInt(2);
                return aggregate(select(indices(), queries, "k + " + shift + " == q",
                        (k, q) -> num(k) + shift == num(q)), generate(r, depth - 1, noneFree));
            }
            case 3:
                return selectorWidth(select(generate(r, depth - 1, noneFree), generate(r, depth - 1, noneFree), CMPS[r.nextInt(CMPS.length)]));
            case 4: {
                SOp bools = numerical(map(x -> num(x) > 0, generate(r, depth - 1, true)));
                SOp mean = numerical(aggregate(select(generate(r, depth - 1, noneFree), generate(r, depth - 1, noneFree),
                        CMPS[r.nextInt(CMPS.length)]), bools, 0));
                return map(x -> num(x) > 0.5 ? 1 : 0, mean);
            }
            default: {
                SOp a = numerical(map(x -> num(x) - 1, generate(r, depth - 1, true)));
                SOp b = numerical(map(x -> num(x), generate(r, depth - 1, true)));
                return map(x -> (int) Math.round(num(x)), numerical(linearSequenceMap(a, b, 1, 2)));
            }
        }
    }

    static List<SOp> sample(int n) {
        List<SOp> out = new ArrayList<>();
        Random r = new Random(1);
        for (int i = 0; i < n; i++) out.add(generate(r, 3));
        return out;
    }
}
