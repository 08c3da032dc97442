package dev.acdc.tracr.craft;

import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * Attention heads for Aggregate and SelectorWidth, with the BOS trick.
 *
 * <p>Why BOS: softmax cannot attend to nothing. Every query therefore also sees the BOS key, through
 * the pair (query {@link BasisDirection#ONE}, key {@link BasisDirection#BOS}):
 * <ul>
 *   <li>a selected key scores {@code c} (coldness), an unselected one 0, BOS {@code c·bonus};</li>
 *   <li>for Aggregate the bonus is 1/2: when some key is selected BOS gets weight ≈ e^{-c/2} ≈ 0 and the
 *       head averages the selected values; when none is, BOS takes all the weight and, since every SOp
 *       direction is 0 at BOS, the head writes 0 (the default: None, or 0 for numerical);</li>
 *   <li>for SelectorWidth the bonus is 1: BOS ties with the w selected keys and gets weight 1/(w+1),
 *       which the head copies out (value = the BOS direction) for an MLP to decode into w;</li>
 *   <li>PAD keys score −2c whatever they match: padding never enters a mean or a width (Tracr did not
 *       mask PAD);</li>
 *   <li>the BOS query has no query value, so it attends only to BOS and writes 0 (or 1 for a selector
 *       width's private direction, which only its own MLP reads, gated at BOS).</li>
 * </ul>
 * The coldness is folded into the bilinear form, so the runtime's attention scale is 1.
 */
public final class AttentionConstructions {
    private AttentionConstructions() {}

    /**
     * A head for Aggregate: selects with {@code predicate(key value, query value)} and copies the value
     * directions through {@code valueToOutput} (categorical: the one-hot of the same value in the output
     * SOp; numerical: the output SOp's direction).
     */
    public static AttentionHead aggregate(String name, VectorSpace querySpace, VectorSpace keySpace,
                                          BiPredicate<Object, Object> predicate, VectorSpace valueSpace,
                                          VectorSpace outputSpace, Function<BasisDirection, BasisDirection> valueToOutput,
                                          double coldness) {
        BilinearForm qk = scores(querySpace, keySpace, predicate, coldness, 0.5);
        LinearMap ov = LinearMap.fromAction(valueSpace, outputSpace, d -> Map.of(valueToOutput.apply(d), 1.0));
        return new AttentionHead(name, qk, ov);
    }

    /**
     * The attention half of SelectorWidth: BOS ties with the selected keys; the value is the BOS
     * direction, copied to {@code widthDirection}, which then holds 1/(w+1) at every non-BOS position.
     */
    public static AttentionHead selectorWidth(String name, VectorSpace querySpace, VectorSpace keySpace,
                                              BiPredicate<Object, Object> predicate, BasisDirection widthDirection,
                                              double coldness) {
        BilinearForm qk = scores(querySpace, keySpace, predicate, coldness, 1.0);
        LinearMap ov = LinearMap.fromAction(VectorSpace.of(BasisDirection.BOS), VectorSpace.of(widthDirection),
                d -> Map.of(widthDirection, 1.0));
        return new AttentionHead(name, qk, ov);
    }

    private static BilinearForm scores(VectorSpace querySpace, VectorSpace keySpace, BiPredicate<Object, Object> predicate,
                                       double coldness, double bosBonus) {
        VectorSpace left = VectorSpace.join(querySpace, VectorSpace.of(BasisDirection.ONE));
        VectorSpace right = VectorSpace.join(keySpace, VectorSpace.of(BasisDirection.BOS, BasisDirection.PAD));
        return BilinearForm.fromAction(left, right, (q, k) -> {
            if (q.equals(BasisDirection.ONE)) {
                if (k.equals(BasisDirection.BOS)) return coldness * bosBonus;
                if (k.equals(BasisDirection.PAD)) return -2 * coldness;
                return 0.0;
            }
            if (!querySpace.contains(q) || !keySpace.contains(k)) return 0.0;
            return predicate.test(k.value(), q.value()) ? coldness : 0.0;
        });
    }
}
