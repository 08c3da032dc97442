package dev.acdc.datasets.random;

/**
 * NumPy's legacy global generator ({@code np.random.seed} / {@code np.random.randint}), for the calls
 * the IOI corruption makes. {@code seed(s)} is the plain {@code init_genrand(s)}, not
 * {@code init_by_array}; {@code randint(high)} masks words to the smallest {@code 2^b - 1 ≥ high - 1}
 * and rejects values above {@code high - 1}.
 */
public final class NumpyRandomState {
    private final Mt19937 mt;

    /** As {@code np.random.seed(seed)} for 0 ≤ seed < 2^32. */
    public NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xFFFFFFFFL) throw new IllegalArgumentException("numpy seed must be in [0, 2^32), got " + seed);
        this.mt = Mt19937.initGenrand(seed);
    }

    /** The next raw 32-bit word, unsigned. */
    public long nextUint32() {
        return mt.nextUnsigned();
    }

    /** {@code np.random.randint(high)}: uniform in [0, high) by masked rejection. */
    public int randint(int high) {
        if (high <= 0) throw new IllegalArgumentException("randint: high must be positive, got " + high);
        long rng = high - 1L;
        if (rng == 0) return 0; // numpy returns the low end without drawing
        long mask = rng;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        long v;
        do {
            v = mt.nextUnsigned() & mask;
        } while (v > rng);
        return (int) v;
    }
}
