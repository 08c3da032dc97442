package dev.acdc.datasets.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.acdc.datasets.testing.SharedDatasets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ports against values printed by the originals (CPython 3.11, NumPy 2.4 legacy, torch docs). */
class RngCheckValuesTest {

    private static long[] pythonWords(long seed, int n) {
        PythonRandom r = new PythonRandom(seed);
        return IntStream.range(0, n).mapToLong(i -> r.getrandbits(32)).toArray();
    }

    @Test
    void python_seed_9_and_0_match_the_shared_check_values() {
        JsonObject ioi = SharedDatasets.load("ioi.json").getAsJsonObject("rng_check_values");
        JsonObject doc = SharedDatasets.load("docstring.json").getAsJsonObject("rng_check_values");
        assertArrayEquals(SharedDatasets.longs(ioi.get("python_random_seed_9_first_5_getrandbits32")), pythonWords(9, 5));
        assertArrayEquals(SharedDatasets.longs(doc.get("python_random_seed_0_first_5_getrandbits32")), pythonWords(0, 5));
    }

    @Test
    void numpy_seed_3252_and_init_genrand_54_match_the_shared_check_values() {
        JsonObject ioi = SharedDatasets.load("ioi.json").getAsJsonObject("rng_check_values");
        JsonObject gt = SharedDatasets.load("greaterthan.json").getAsJsonObject("rng_check_values");
        NumpyRandomState np = new NumpyRandomState(3252);
        assertArrayEquals(SharedDatasets.longs(ioi.get("numpy_legacy_seed_3252_first_5_raw_uint32")),
                IntStream.range(0, 5).mapToLong(i -> np.nextUint32()).toArray());
        TorchCpuRandom t = new TorchCpuRandom(54);
        assertArrayEquals(SharedDatasets.longs(gt.get("mt19937_init_genrand_54_first_5_raw_uint32")),
                IntStream.range(0, 5).mapToLong(i -> t.nextUint32()).toArray());
    }

    @ParameterizedTest(name = "random.seed({0}) first word is {1}")
    @CsvSource({
        "0, 3626764237",
        "9, 1988601454",
        "1099511627781, 2166296868", // 2**40 + 5: a two-word key
        "-3, 1022050301", // the key is |s|
    })
    void python_seeding_uses_init_by_array_on_the_words_of_the_absolute_value(long seed, long first) {
        assertEquals(first, new PythonRandom(seed).getrandbits(32));
    }

    @Test
    void python_sample_takes_the_set_method_on_large_populations() {
        PythonRandom r = new PythonRandom(42);
        List<Integer> pop = IntStream.range(0, 1000).boxed().toList();
        assertEquals(List.of(654, 114, 25, 759, 281, 250, 228, 142, 754, 104), r.sample(pop, 10));
    }

    @Test
    void python_sample_takes_the_pool_method_on_small_populations() {
        PythonRandom r = new PythonRandom(42);
        List<Integer> pop = IntStream.range(0, 30).boxed().toList();
        assertEquals(List.of(20, 3, 0, 23, 8, 7, 24, 4, 28, 17), r.sample(pop, 10));
    }

    @Test
    void python_shuffle_matches_cpython() {
        List<Integer> xs = new ArrayList<>(IntStream.range(0, 10).boxed().toList());
        new PythonRandom(7).shuffle(xs);
        assertEquals(List.of(8, 3, 1, 4, 7, 0, 9, 6, 2, 5), xs);
    }

    @Test
    void python_randint_and_choice_continue_one_stream() {
        PythonRandom r = new PythonRandom(7);
        List<Integer> ints = IntStream.range(0, 10).map(i -> r.randint(0, 1)).boxed().toList();
        List<String> picks = IntStream.range(0, 5).mapToObj(i -> r.choice(List.of("a", "b", "c"))).toList();
        assertEquals(List.of(1, 0, 1, 0, 0, 0, 1, 0, 0, 0), ints);
        assertEquals(List.of("a", "b", "b", "a", "a"), picks);
    }

    @Test
    void python_choice_on_one_element_still_consumes_words() {
        PythonRandom r = new PythonRandom(123);
        for (int i = 0; i < 3; i++) assertEquals(1, r.choice(List.of(1)));
        assertEquals(3302642556L, r.getrandbits(32));
    }

    @Test
    void numpy_randint_masks_and_rejects_like_legacy_randomstate() {
        NumpyRandomState a = new NumpyRandomState(3252);
        assertArrayEquals(new int[] {32, 41, 35, 65, 43, 83, 66, 87, 95, 28},
                IntStream.range(0, 10).map(i -> a.randint(99)).toArray());
        NumpyRandomState b = new NumpyRandomState(5);
        assertArrayEquals(new int[] {3, 6, 5, 6, 6, 0, 1, 0, 4, 6}, IntStream.range(0, 10).map(i -> b.randint(7)).toArray());
        assertArrayEquals(new int[] {155, 112, 158}, IntStream.range(0, 3).map(i -> b.randint(256)).toArray());
    }

    @Test
    void torch_randint_seed_0_gives_the_documented_values() {
        assertArrayEquals(new int[] {4, 9, 3, 0, 3}, new TorchCpuRandom(0).randint(10, 5));
    }
}
