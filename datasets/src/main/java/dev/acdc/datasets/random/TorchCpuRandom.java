package dev.acdc.datasets.random;

/**
 * An emulation of torch's default CPU generator ({@code at::CPUGeneratorImpl}, torch 1.13.1, the version the
 * ACDC code pins): {@code torch.manual_seed(s)} seeds a standard MT19937 with {@code init_genrand(s)} and
 * forgets any cached normal sample; {@code random()} is one tempered 32-bit word and {@code random64()} two.
 * Successive calls continue the same stream, as calls on torch's global generator do.
 *
 * <p>What is reproduced, each consuming exactly the words its original consumes:
 * <ul>
 *   <li>{@link #randint}: {@code torch.randint(0, n, (size,))} with {@code n < 2^32}, one word per element
 *   reduced {@code % n} without rejection ({@code manual_seed(0); randint(0, 10, (5,)) == [4, 9, 3, 0, 3]});</li>
 *   <li>{@link #randperm}: {@code torch.randperm(n)} on the CPU;</li>
 *   <li>{@link #skipNormal}: the words {@code tensor.normal_()} draws for a float32 tensor, without computing
 *   its values (used to replay what {@code HookedTransformer.init_weights} consumes).</li>
 * </ul>
 */
public final class TorchCpuRandom {
    /**
     * Above this size newer torch releases (2.x) switch {@code randperm} to 64-bit draws; below it every
     * release from the TH era to 2.x runs the loop of {@link #randperm}. {@code n < UINT32_MAX / 20}.
     */
    public static final int RANDPERM_MAX_N = (int) (0xFFFFFFFFL / 20) - 1;

    private final Mt19937 mt;
    private boolean doubleNormalCached;

    /** As {@code torch.random.manual_seed(seed)}. */
    public TorchCpuRandom(long seed) {
        this.mt = Mt19937.initGenrand(seed);
    }

    /** The next raw 32-bit word, unsigned ({@code CPUGeneratorImpl::random()}). */
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

    /**
     * {@code torch.randperm(n)} on the CPU. ATen's {@code randperm_cpu} ({@code aten/src/ATen/native/TensorFactories.cpp})
     * fills {@code r = 0..n-1}, then for {@code i = 0 .. n-2} draws {@code z = generator->random() % (n - i)} and
     * swaps {@code r[i]} with {@code r[i + z]}: a forward Fisher–Yates shuffle on one 32-bit word per step,
     * reduced without rejection. With {@code manual_seed(49)} this gives [2, 3, 0, 1] for n = 4 and
     * [0, 2, 4, 1, 3] for n = 5 (the ACDC code's position scramble).
     *
     * @throws IllegalArgumentException when n is negative or above {@link #RANDPERM_MAX_N}, where torch versions differ
     */
    public int[] randperm(int n) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
        if (n > RANDPERM_MAX_N) {
            throw new IllegalArgumentException("randperm: n = " + n + " is above " + RANDPERM_MAX_N
                    + ", where torch 2.x draws 64-bit words and the releases no longer agree");
        }
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (mt.nextUnsigned() % (n - i));
            int saved = r[i];
            r[i] = r[i + z];
            r[i + z] = saved;
        }
        return r;
    }

    /**
     * Advances the generator as {@code tensor.normal_(mean, std)} does on a contiguous float32 CPU tensor of
     * {@code numel} elements ({@code aten/src/ATen/native/cpu/DistributionTemplates.h}, {@code normal_kernel}):
     * <ul>
     *   <li>{@code numel ≥ 16}: {@code normal_fill} (or its AVX2 twin, which draws the same) takes one float
     *   uniform, one 32-bit word, per element, then, when {@code numel % 16 ≠ 0}, redraws the last 16: 16 more
     *   words;</li>
     *   <li>{@code numel < 16}: one {@code at::normal_distribution<double>} sample per element. Box–Muller makes
     *   two samples from two double uniforms (one {@code random64()} each, so four words) and caches the second
     *   on the generator; a sample is served from that cache when one is there. The cache outlives the call.</li>
     * </ul>
     * The values are not computed: replaying the draws is all the ACDC data needs.
     */
    public void skipNormal(long numel) {
        if (numel < 0) throw new IllegalArgumentException("normal_: numel must be non-negative, got " + numel);
        if (numel >= 16) {
            long words = numel + (numel % 16 != 0 ? 16 : 0);
            for (long i = 0; i < words; i++) mt.nextInt();
            return;
        }
        for (long i = 0; i < numel; i++) {
            if (doubleNormalCached) {
                doubleNormalCached = false;
            } else {
                for (int w = 0; w < 4; w++) mt.nextInt();
                doubleNormalCached = true;
            }
        }
    }

    /** Whether a double normal sample is cached on the generator (torch's {@code next_double_normal_sample}). */
    public boolean hasCachedDoubleNormal() {
        return doubleNormalCached;
    }
}
