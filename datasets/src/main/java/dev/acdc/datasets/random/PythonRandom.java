package dev.acdc.datasets.random;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CPython's {@code random.Random} (3.8 to 3.12), for the methods the ACDC dataset generators call:
 * {@code seed(int)}, {@code getrandbits(k ≤ 32)}, {@code _randbelow}, {@code choice}, {@code randrange},
 * {@code randint}, {@code shuffle} and {@code sample}. Every method consumes the stream exactly as
 * CPython does, so a generator ported call by call gives CPython's output.
 *
 * <p>Seeding: {@code random.seed(s)} for an int {@code s} feeds the 32-bit words of {@code |s|},
 * least significant first ({@code [0]} for zero), to {@code init_by_array}.
 */
public final class PythonRandom {
    private final Mt19937 mt;

    /** As {@code random.seed(seed)} with an int seed. */
    public PythonRandom(long seed) {
        this.mt = Mt19937.initByArray(keyOf(seed));
    }

    private static int[] keyOf(long seed) {
        // |Long.MIN_VALUE| does not fit a long; its magnitude 2^63 is still two words
        long low = seed == Long.MIN_VALUE ? 0L : Math.abs(seed);
        int hi = seed == Long.MIN_VALUE ? 0x80000000 : (int) (low >>> 32);
        return hi == 0 ? new int[] {(int) low} : new int[] {(int) low, hi};
    }

    /** {@code getrandbits(k)} for 1 ≤ k ≤ 32: the top {@code k} bits of one word. */
    public long getrandbits(int k) {
        if (k < 1 || k > 32) throw new IllegalArgumentException("getrandbits: k must be in 1..32, got " + k);
        return mt.nextUnsigned() >>> (32 - k);
    }

    /**
     * {@code _randbelow(n)}: a uniform int in [0, n) by rejection on {@code getrandbits(bit_length(n))}.
     * Note the bit length of {@code n}, not of {@code n - 1}: a one-element range still draws words.
     */
    public int randbelow(int n) {
        if (n <= 0) throw new IllegalArgumentException("randbelow: n must be positive, got " + n);
        int k = 32 - Integer.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) r = getrandbits(k);
        return (int) r;
    }

    /** {@code choice(seq)}. */
    public <T> T choice(List<T> seq) {
        if (seq.isEmpty()) throw new IllegalArgumentException("choice: cannot choose from an empty sequence");
        return seq.get(randbelow(seq.size()));
    }

    /** {@code randrange(start, stop)} with step 1. */
    public int randrange(int start, int stop) {
        int width = Math.subtractExact(stop, start);
        if (width <= 0) throw new IllegalArgumentException("randrange: empty range [" + start + ", " + stop + ")");
        return start + randbelow(width);
    }

    /** {@code randint(a, b)}: both ends inclusive. */
    public int randint(int a, int b) {
        return randrange(a, Math.addExact(b, 1));
    }

    /** {@code shuffle(x)} in place (Fisher-Yates from the end). */
    public <T> void shuffle(List<T> x) {
        for (int i = x.size() - 1; i > 0; i--) {
            int j = randbelow(i + 1);
            T tmp = x.get(i);
            x.set(i, x.get(j));
            x.set(j, tmp);
        }
    }

    /**
     * {@code sample(population, k)}: {@code k} distinct elements in selection order. CPython picks
     * between a pool method (small populations) and a set method with rejection of repeats; both are
     * reproduced, including the size threshold {@code 21 + 4^ceil(log4(3k))} for {@code k > 5}.
     */
    public <T> List<T> sample(List<T> population, int k) {
        int n = population.size();
        if (k < 0 || k > n) throw new IllegalArgumentException("sample: k must be in 0.." + n + ", got " + k);
        long setsize = 21;
        if (k > 5) setsize += (long) Math.pow(4, Math.ceil(Math.log(k * 3.0) / Math.log(4)));
        List<T> result = new ArrayList<>(k);
        if (n <= setsize) {
            List<T> pool = new ArrayList<>(population);
            for (int i = 0; i < k; i++) {
                int j = randbelow(n - i);
                result.add(pool.get(j));
                pool.set(j, pool.get(n - i - 1));
            }
        } else {
            Set<Integer> selected = new HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = randbelow(n);
                while (selected.contains(j)) j = randbelow(n);
                selected.add(j);
                result.add(population.get(j));
            }
        }
        return result;
    }
}
