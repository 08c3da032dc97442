package dev.acdc.datasets.random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/** torch's CPU randperm and the draws of normal_, as {@link TorchCpuRandom} replays them. */
class TorchCpuRandomTest {

    @Test
    void randpermUnderSeed49GivesTheAcdcCodesPositionScrambleAtLengthsFourAndFive() {
        assertArrayEquals(new int[] {2, 3, 0, 1}, new TorchCpuRandom(49).randperm(4));
        assertArrayEquals(new int[] {0, 2, 4, 1, 3}, new TorchCpuRandom(49).randperm(5));
    }

    @Test
    void randpermIsAForwardFisherYatesOnOneWordPerStepReducedModuloTheRemainingCount() {
        TorchCpuRandom words = new TorchCpuRandom(1234);
        int n = 256;
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) expected[i] = i;
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (words.nextUint32() % (n - i));
            int t = expected[i];
            expected[i] = expected[i + z];
            expected[i + z] = t;
        }
        TorchCpuRandom perm = new TorchCpuRandom(1234);
        assertArrayEquals(expected, perm.randperm(n));
        assertEquals(words.nextUint32(), perm.nextUint32(), "randperm(n) consumes exactly n - 1 words");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 7, 50, 256})
    void randpermIsAPermutation(int n) {
        int[] p = new TorchCpuRandom(n).randperm(n);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) assertEquals(i, sorted[i]);
    }

    @Test
    void randpermRejectsSizesWhereTorchReleasesDisagree() {
        TorchCpuRandom r = new TorchCpuRandom(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.randperm(TorchCpuRandom.RANDPERM_MAX_N + 1));
        assertTrue(e.getMessage().contains("randperm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.randperm(-1));
    }

    @Test
    void normalOnSixteenOrMoreFloatsDrawsOneWordPerElementPlusSixteenWhenNotAMultipleOfSixteen() {
        assertEquals(32, wordsDrawnBy(g -> g.skipNormal(32)));
        assertEquals(84 + 16, wordsDrawnBy(g -> g.skipNormal(84)));
        assertEquals(16, wordsDrawnBy(g -> g.skipNormal(16)));
        assertEquals(17 + 16, wordsDrawnBy(g -> g.skipNormal(17)));
    }

    @Test
    void normalOnFewerThanSixteenElementsDrawsFourWordsPerBoxMullerPairAndCachesTheSecondSample() {
        assertEquals(28, wordsDrawnBy(g -> g.skipNormal(14)), "seven pairs");
        assertEquals(12, wordsDrawnBy(g -> g.skipNormal(5)), "three pairs, one sample left in the cache");
        // The cached sample serves the next small tensor's first element.
        assertEquals(12 + 8, wordsDrawnBy(g -> {
            g.skipNormal(5);
            g.skipNormal(5);
        }));
        TorchCpuRandom g = new TorchCpuRandom(0);
        g.skipNormal(3);
        assertTrue(g.hasCachedDoubleNormal());
        g.skipNormal(100);
        assertTrue(g.hasCachedDoubleNormal(), "the float path neither reads nor clears the double cache");
        assertFalse(new TorchCpuRandom(0).hasCachedDoubleNormal(), "manual_seed starts with no cached sample");
    }

    /** How many words {@code use} draws from a fresh seed-0 generator. */
    private static long wordsDrawnBy(java.util.function.Consumer<TorchCpuRandom> use) {
        TorchCpuRandom g = new TorchCpuRandom(0);
        use.accept(g);
        long next = g.nextUint32();
        Mt19937 reference = Mt19937.initGenrand(0);
        for (long n = 0; n < 10_000; n++) {
            if (reference.nextUnsigned() == next) return n;
        }
        throw new AssertionError("next word not found in the first 10,000");
    }
}
