package dev.acdc.tracr.compiler;

import java.util.List;
import java.util.Set;

/**
 * One residual edge of the ground-truth circuit: {@code sender} ({@code tok_embed}, {@code pos_embed},
 * {@code aL.H}, {@code mL}) writes residual directions that {@code receiver} ({@code aL.H.q|k|v},
 * {@code mL}, {@code output}) reads with non-zero weight; {@code via} lists those directions.
 */
public record GroundTruthEdge(String sender, String receiver, List<String> via) {
    /** Directions that carry no SOp: biases, the BOS trick and PAD masking. */
    public static final Set<String> STRUCTURAL = Set.of("one", "bos", "pad");

    public GroundTruthEdge {
        via = List.copyOf(via);
    }

    /** True when the edge only carries biases, BOS or PAD (no SOp value flows along it). */
    public boolean structural() {
        return STRUCTURAL.containsAll(via);
    }

    /** {@code sender->receiver}, DESIGN.md's notation. */
    @Override
    public String toString() {
        return sender + "->" + receiver;
    }
}
