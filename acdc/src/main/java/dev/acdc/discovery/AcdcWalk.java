package dev.acdc.discovery;

import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Node;
import dev.acdc.patching.graph.SenderOrder;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * ACDC's walk over the receivers with the decisions given in advance: which edges it tests, in which order, and the
 * mask each test evaluates. {@link Acdc} decides from the metric; a replay with a known circuit's decisions (keep an
 * edge exactly when the circuit has it) tells how many edges a run that finds that circuit tests, and what its
 * passes look like, without evaluating any.
 */
public final class AcdcWalk {
    private AcdcWalk() {}

    /** Sees every test of a replay. */
    public interface TestVisitor {
        /**
         * Test number {@code index} (from 0) of the edge {@code edgeId} into {@code receiver}; {@code mask} is the mask
         * the test evaluates (the decisions so far, this edge removed), valid only during the call.
         */
        void test(int index, Node receiver, int edgeId, float[] mask);
    }

    /**
     * Replays the walk: receivers in ACDC's order, each one that still feeds a surviving edge tested edge by edge in
     * the sender order, every tested edge kept exactly when {@code keep} says so, every edge of a skipped receiver
     * removed untested. Returns the number of tested edges.
     */
    public static int replay(CircuitGraph graph, SenderOrder order, IntPredicate keep, TestVisitor visitor) {
        return replay(graph, order, new BitSet(), keep, visitor);
    }

    /**
     * The replay of a run whose prefilter removed {@code removedBeforeWalk} before the walk
     * ({@link Acdc#run(BitSet, AcdcJournal, java.util.function.Consumer)}): those edges start removed and are never
     * tested.
     */
    public static int replay(CircuitGraph graph, SenderOrder order, BitSet removedBeforeWalk, IntPredicate keep, TestVisitor visitor) {
        float[] mask = new float[graph.edgeCount()];
        Arrays.fill(mask, 1f);
        removedBeforeWalk.stream().forEach(id -> mask[id] = 0f);
        int tested = 0;
        for (Node r : graph.receiversInOrder()) {
            int[] ids = graph.inEdgeIds(r, order);
            if (!feedsSurvivingEdge(graph, r, mask)) {
                for (int id : ids) mask[id] = 0f;
                continue;
            }
            for (int id : ids) {
                if (removedBeforeWalk.get(id)) continue;
                mask[id] = 0f;
                visitor.test(tested++, r, id, mask);
                mask[id] = keep.test(id) ? 1f : 0f;
            }
        }
        return tested;
    }

    /**
     * Whether a receiver still matters: the output always; an MLP input when the MLP sends a surviving
     * edge; a head's q/k/v when the head sends one; a head's q/k/v input when, in addition, its
     * direct-computation edge survives.
     */
    static boolean feedsSurvivingEdge(CircuitGraph graph, Node r, float[] mask) {
        return switch (r.kind()) {
            case OUTPUT -> true;
            case MLP_IN -> anyKept(graph.outEdgeIds(Node.mlpOut(r.layer())), mask);
            case HEAD_QKV -> anyKept(graph.outEdgeIds(Node.head(r.layer(), r.head())), mask);
            case HEAD_INPUT -> anyKept(graph.outEdgeIds(r), mask)
                    && anyKept(graph.outEdgeIds(Node.head(r.layer(), r.head())), mask);
            default -> throw new IllegalStateException("not a receiver: " + r);
        };
    }

    private static boolean anyKept(int[] ids, float[] mask) {
        for (int id : ids) if (mask[id] == 1f) return true;
        return false;
    }
}
