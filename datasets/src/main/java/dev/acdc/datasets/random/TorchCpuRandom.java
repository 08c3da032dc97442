package dev.acdc.datasets.random;

/**
 * An emulation of torch's CPU generator for {@code torch.random.manual_seed(s)} followed by
 * {@code torch.randint(0, n, (size,))} with {@code n < 2^32}: {@code std::mt19937(s)} seeding
 * ({@code init_genrand}) and one word per element, reduced {@code % n} without rejection. Successive
 * calls continue the same stream. This reproduces torch's {@code manual_seed(0); randint(0, 10, (5,))
 * == [4, 9, 3, 0, 3]}; the shared greater-than prompts were made with this same emulation.
 */
public final class TorchCpuRandom {
    private final Mt19937 mt;

    /** As {@code torch.random.manual_seed(seed)}. */
    public TorchCpuRandom(long seed) {
        this.mt = Mt19937.initGenrand(seed);
    }

    /** The next raw 32-bit word, unsigned. */
    public long nextUint32() {
        return mt.nextUnsigned();
    }

    /** {@code torch.randint(0, high, (size,))}. */
    public int[] randint(int high, int size) {
        if (high <= 0) throw new IllegalArgumentException("randint: high must be positive, got " + high);
        if (size < 0) throw new IllegalArgumentException("randint: size must be non-negative, got " + size);
        int[] out = new int[size];
        for (int i = 0; i < size; i++) out[i] = (int) (mt.nextUnsigned() % high);
        return out;
    }
}
