package dev.acdc.discovery;

import dev.acdc.patching.graph.SenderOrder;

import java.util.Objects;

/**
 * Settings of one ACDC run.
 *
 * @param threshold       τ: an edge is removed when removing it raises the metric by less than τ
 * @param absValue        compare |new − cur| &lt; τ instead of new − cur &lt; τ (ACDC's {@code --abs-value-threshold})
 * @param senderOrder     the order a receiver's senders are tested in
 * <p>Fast and reference paths compute the same sums in a different order (the fast path recomputes only the
 * receiver's layer and what lies downstream, batches variants, and on tiny models runs in plain Java), so an effect
 * may differ between them in the last float digits: up to about 1e-7 on the induction model and 1e-6 on GPT-2-sized
 * sums. A decision flips only when an effect lies within that rounding of τ; for every τ that is not within 1e-6
 * (relative) of a recorded effect the two paths give the identical circuit ({@code FastPathOnLayerNormModelsTest}).
 * The same holds between speculative batch sizes.
 *
 * @param speculativeBatch at most how many cumulative removals to evaluate in one batched forward (1 = none;
 *                        ACDC lowers it so a batch adds at most 256 MB of temporaries); the circuit is the same
 *                        for every value up to float rounding (see above)
 * @param reference       run the slow reference: one full, non-incremental masked forward per tested edge
 * @param receiverBudget  decide the in-edges of at most this many receivers (in ACDC's order, output first) and
 *                        keep every other edge; 0 = no budget. For benchmarks on models too large for a full run.
 */
public record AcdcOptions(double threshold, boolean absValue, SenderOrder senderOrder, int speculativeBatch, boolean reference,
                          int receiverBudget) {
    public AcdcOptions {
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a finite number ≥ 0, found " + threshold);
        }
        Objects.requireNonNull(senderOrder, "senderOrder");
        if (speculativeBatch < 1) throw new IllegalArgumentException("speculative batch must be ≥ 1, found " + speculativeBatch);
        if (receiverBudget < 0) throw new IllegalArgumentException("receiver budget must be ≥ 0, found " + receiverBudget);
    }

    public AcdcOptions(double threshold, boolean absValue, SenderOrder senderOrder, int speculativeBatch, boolean reference) {
        this(threshold, absValue, senderOrder, speculativeBatch, reference, 0);
    }

    public static AcdcOptions fast(double threshold) {
        return new AcdcOptions(threshold, false, SenderOrder.ACDC, 8, false);
    }

    public static AcdcOptions reference(double threshold) {
        return new AcdcOptions(threshold, false, SenderOrder.ACDC, 1, true);
    }

    public AcdcOptions withAbsValue(boolean abs) {
        return new AcdcOptions(threshold, abs, senderOrder, speculativeBatch, reference, receiverBudget);
    }

    public AcdcOptions withSenderOrder(SenderOrder order) {
        return new AcdcOptions(threshold, absValue, order, speculativeBatch, reference, receiverBudget);
    }

    public AcdcOptions withSpeculativeBatch(int k) {
        return new AcdcOptions(threshold, absValue, senderOrder, k, reference, receiverBudget);
    }

    public AcdcOptions withReceiverBudget(int receivers) {
        return new AcdcOptions(threshold, absValue, senderOrder, speculativeBatch, reference, receivers);
    }

    public AcdcOptions withThreshold(double tau) {
        return new AcdcOptions(tau, absValue, senderOrder, speculativeBatch, reference, receiverBudget);
    }
}
