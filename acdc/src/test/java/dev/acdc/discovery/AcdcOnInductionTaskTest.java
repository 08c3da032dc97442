package dev.acdc.discovery;

import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.induction.InductionTask;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.model.HookedTransformer;
import dev.acdc.patching.patch.Ablation;
import dev.acdc.patching.patch.EdgePatcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** ACDC on the shipped induction model keeps the previous-token head → induction head → output path. */
class AcdcOnInductionTaskTest {

    private static InductionTask task;
    private static AcdcResult result;

    @BeforeAll
    static void runAcdc() {
        task = InductionTask.shipped(0);
        try (HookedTransformer m = new HookedTransformer(task.weights());
             EdgePatcher p = EdgePatcher.create(m, CircuitGraph.of(task.weights().config()), task.clean(), Ablation.RESAMPLE,
                     task.corrupted(), task.corruptedHooks());
             NDManager scope = NDManager.newBaseManager()) {
            Metric kl = task.metric("kl", p.cleanLogits(scope));
            result = new Acdc(p, kl, AcdcOptions.fast(THRESHOLD)).run();
        }
    }

    /** A threshold in the middle of ACDC's sweep for KL tasks. */
    static final double THRESHOLD = 0.05;

    /**
     * The shipped model spreads induction over several heads (see its provenance: previous-token heads a0.0 and a0.1,
     * seven of the eight layer-1 heads induction heads), so ACDC, which removes an edge whenever the KL rises by less
     * than τ, may drop the weakest redundant copies. What must survive: every previous-token head K-composes with an
     * induction head whose output is kept, and most induction heads keep their output edge.
     */
    @Test
    void keepsAKCompositionPathFromEveryPreviousTokenHeadThroughAnInductionHeadToTheOutput() {
        Set<String> kept = Set.copyOf(result.circuit().edgeNames());
        List<String> previousToken = heads(0), induction = heads(1);
        assertFalse(previousToken.isEmpty() || induction.isEmpty(), "canonical circuit without both kinds of head");
        List<String> inductionKept = induction.stream().filter(i -> kept.contains(i + "->output")).toList();
        assertTrue(2 * inductionKept.size() >= induction.size(), "ACDC kept only " + inductionKept + " of " + induction
                + " to the output; kept " + kept);
        for (String p : previousToken) {
            assertTrue(inductionKept.stream().anyMatch(i -> kept.contains(p + "->" + i + ".k")),
                    p + " feeds no kept induction head's key; kept " + kept);
        }
    }

    @Test
    void dropsTheLayerOneHeadsThatAreNotInductionHeadsFromTheOutput() {
        Set<String> kept = Set.copyOf(result.circuit().edgeNames());
        List<String> induction = heads(1);
        for (int h = 0; h < task.weights().config().nHeads(); h++) {
            String head = "a1." + h;
            if (!induction.contains(head)) assertFalse(kept.contains(head + "->output"), head + " is not an induction head");
        }
    }

    /** The canonical circuit's heads of a layer, from its edges into the output (layer 1) or into keys (layer 0). */
    private static List<String> heads(int layer) {
        List<String> canonical = task.groundTruths().get("canonical");
        String pattern = layer == 1 ? "a1\\.\\d+->output" : "a0\\.\\d+->a1\\.\\d+\\.k";
        return canonical.stream().filter(e -> e.matches(pattern)).map(e -> e.substring(0, e.indexOf("->"))).distinct().toList();
    }

    @Test
    void findsASmallCircuit() {
        int edges = result.circuit().edgeNames().size();
        assertTrue(edges < CircuitGraph.of(task.weights().config()).edgeCount() / 4, "ACDC kept " + edges + " edges");
    }
}
