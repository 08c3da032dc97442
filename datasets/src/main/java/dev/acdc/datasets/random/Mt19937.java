package dev.acdc.datasets.random;

/**
 * The Mersenne Twister MT19937 (Matsumoto and Nishimura 1998) with its standard tempering: the raw
 * 32-bit stream shared by CPython's {@code random}, NumPy's legacy {@code RandomState} and torch's CPU
 * generator. They differ only in how they seed it and how they turn words into numbers, which the
 * wrappers {@link PythonRandom}, {@link NumpyRandomState} and {@link TorchCpuRandom} reproduce.
 *
 * <p>Not thread-safe; a generator is a single stream.
 */
public final class Mt19937 {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int mti = N + 1;

    private Mt19937() {}

    /** Seeded by the reference {@code init_genrand(s)} (Knuth's linear seeding); {@code s} is taken mod 2^32. */
    public static Mt19937 initGenrand(long seed) {
        Mt19937 g = new Mt19937();
        g.seedLinear((int) seed);
        return g;
    }

    /** Seeded by the reference {@code init_by_array(key)}, as CPython's {@code random.seed} does. */
    public static Mt19937 initByArray(int[] key) {
        if (key.length == 0) throw new IllegalArgumentException("init_by_array needs a key of at least one word, got none");
        Mt19937 g = new Mt19937();
        g.seedLinear(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            g.mt[i] = (g.mt[i] ^ ((g.mt[i - 1] ^ (g.mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                g.mt[0] = g.mt[N - 1];
                i = 1;
            }
            if (j >= key.length) j = 0;
        }
        for (int k = N - 1; k > 0; k--) {
            g.mt[i] = (g.mt[i] ^ ((g.mt[i - 1] ^ (g.mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                g.mt[0] = g.mt[N - 1];
                i = 1;
            }
        }
        g.mt[0] = UPPER_MASK; // MSB is 1, assuring a non-zero initial array
        return g;
    }

    private void seedLinear(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        mti = N;
    }

    /** The next tempered word as a Java {@code int} (the bits of the unsigned value). */
    public int nextInt() {
        if (mti >= N) regenerate();
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** The next tempered word as an unsigned value in [0, 2^32). */
    public long nextUnsigned() {
        return Integer.toUnsignedLong(nextInt());
    }

    private void regenerate() {
        int kk = 0;
        for (; kk < N - M; kk++) {
            int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
            mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) * MATRIX_A);
        }
        for (; kk < N - 1; kk++) {
            int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
            mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) * MATRIX_A);
        }
        int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
        mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) * MATRIX_A);
        mti = 0;
    }
}
