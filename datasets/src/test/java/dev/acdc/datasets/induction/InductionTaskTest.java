package dev.acdc.datasets.induction;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.acdc.datasets.Task;
import dev.acdc.datasets.TaskOptions;
import dev.acdc.datasets.Tasks;
import dev.acdc.metrics.Metric;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.load.ModelDirectory;
import dev.acdc.patching.model.HookedTransformer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class InductionTaskTest {

    private static InductionModel.Loaded shipped;
    private static InductionTask task;

    @BeforeAll
    static void load() {
        shipped = InductionModel.shipped();
        task = InductionTask.shipped(0);
    }

    @Test
    void theRegistryServesTheShippedModelUnderTheNameInduction() {
        Task t = Tasks.get("induction", TaskOptions.defaults().withOffline(true));
        assertEquals("induction", t.name());
        assertArrayEquals(shipped.model().weights().get("embed.W_E").data(), t.weights().get("embed.W_E").data());
        assertEquals(List.of("kl", "nll"), t.metricNames());
        assertFalse(t.smokeRun());
    }

    @Test
    void cleanAndCorruptedHaveOneShapeAndCorruptedIsASeededShuffleOfTheCleanRows() {
        int[][] clean = task.clean().tokens(), corrupted = task.corrupted().tokens();
        assertEquals(InductionTask.SEQUENCES, clean.length);
        assertEquals(shipped.model().config().nCtx(), clean[0].length);
        assertEquals(clean.length, corrupted.length);
        int[] perm = task.permutation();
        Set<Integer> rows = new HashSet<>();
        int moved = 0;
        for (int i = 0; i < perm.length; i++) {
            assertArrayEquals(clean[perm[i]], corrupted[i]);
            rows.add(perm[i]);
            if (perm[i] != i) moved++;
        }
        assertEquals(clean.length, rows.size(), "not a permutation");
        assertTrue(moved > clean.length / 2, "the shuffle left most rows in place");
        assertArrayEquals(perm, InductionTask.shipped(0).permutation());
        assertFalse(java.util.Arrays.equals(perm, InductionTask.shipped(1).permutation()));
    }

    @Test
    void scoredPositionsAreExactlyThoseWhoseNextTokenFollowedAnEarlierOccurrence() {
        int[][] clean = task.clean().tokens();
        boolean[][] scored = task.scoredPositions();
        int count = 0;
        for (int b = 0; b < clean.length; b++) {
            int[] t = clean[b];
            for (int p = 0; p < t.length; p++) {
                boolean predictable = false;
                for (int q = 0; q < p && p + 1 < t.length; q++) predictable |= t[q] == t[p] && t[q + 1] == t[p + 1];
                assertEquals(predictable, scored[b][p], "row " + b + " position " + p);
                if (scored[b][p]) count++;
            }
        }
        assertTrue(count >= InductionTask.SEQUENCES * 4, "only " + count + " scored positions");
    }

    @Test
    void klOfTheCleanRunAgainstItselfIsZeroAndAgainstTheCorruptedRunIsLarge() {
        try (HookedTransformer m = new HookedTransformer(task.weights(), ai.djl.Device.cpu());
             NDManager scope = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            NDArray clean = m.forward(scope, task.clean());
            NDArray corrupted = m.forward(scope, task.corrupted());
            Metric kl = task.metric("kl", clean);
            assertEquals(0.0, kl.evaluate(clean), 1e-6);
            assertTrue(kl.evaluate(corrupted) > 1.0, "KL(clean ‖ corrupted) = " + kl.evaluate(corrupted));
            Metric nll = task.metric("nll", clean);
            // the model predicts repeated tokens almost surely; the corrupted run's rows continue other sequences
            assertTrue(nll.evaluate(clean) < 0.2, "clean nll " + nll.evaluate(clean));
            assertTrue(nll.evaluate(corrupted) > 2.0, "corrupted nll " + nll.evaluate(corrupted));
            assertThrows(IllegalArgumentException.class, () -> task.metric("l2", clean));
            // both metrics score the compact scored rows as they score the whole output
            for (Metric metric : java.util.List.of(kl, nll)) {
                NDArray rows = metric.scoredPositions().orElseThrow().select(corrupted);
                assertEquals(metric.evaluate(corrupted), metric.evaluateRows(rows), 1e-6, metric.name());
            }
        }
    }

    @Test
    void theShippedModelIsSmallAndReachesTheAccuracyItsProvenanceReports() throws Exception {
        long bytes = 0;
        for (String f : List.of("config.json", "model.safetensors", "provenance.json")) {
            try (var in = InductionModel.class.getResourceAsStream(InductionModel.RESOURCE_DIR + f)) {
                bytes += in.readAllBytes().length;
            }
        }
        assertTrue(bytes < 1_000_000, bytes + " bytes");
        Provenance p = shipped.provenance();
        InductionEvaluation eval = InductionEvaluation.of(shipped.model().weights(), p.training().data(), 300);
        assertTrue(eval.accuracy().repeated() >= 0.9, "accuracy on repeated tokens " + eval.accuracy().repeated());
        double chance = 1.0 / (p.training().vocab() - p.training().length());   // at most this many tokens seen
        assertTrue(eval.accuracy().first() < 3 * chance, "accuracy on first occurrences " + eval.accuracy().first());
        assertTrue(p.accuracyRepeated() >= 0.9);
        assertEquals(shipped.model().config(), p.training().modelConfig(shipped.model().config().name()));
    }

    @Test
    void theStoredCanonicalCircuitIsWhatTheHeadScoresOfTheShippedWeightsGive() {
        Provenance p = shipped.provenance();
        InductionHeads heads = InductionEvaluation.of(shipped.model().weights(), p.training().data()).heads();
        assertEquals(p.previousTokenHeads(), heads.previousTokenHeads());
        assertEquals(p.inductionHeads(), heads.inductionHeads());
        assertEquals(p.canonicalCircuit(), heads.canonicalCircuit());
        assertEquals(p.canonicalCircuit(), task.groundTruths().get("canonical"));
        assertFalse(heads.previousTokenHeads().isEmpty());
        assertFalse(heads.inductionHeads().isEmpty());
    }

    @Test
    void everyCanonicalEdgeIsAnEdgeOfTheModelsGraph() {
        CircuitGraph g = CircuitGraph.of(task.weights().config());
        for (String e : task.groundTruths().get("canonical")) assertEquals(e, g.edge(e).name(), e);
    }

    @Test
    void aModelDirectoryWithoutProvenanceGetsItsCanonicalCircuitDerivedFromItsWeights(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("m");
        ModelDirectory.save(dir, shipped.model().weights());
        assertFalse(Files.exists(dir.resolve(Provenance.FILE)));
        Task t = Tasks.get("induction", TaskOptions.defaults().withModel(dir.toString()).withOffline(true));
        assertEquals(new TreeSet<>(shipped.provenance().canonicalCircuit()), new TreeSet<>(t.groundTruths().get("canonical")));
    }
}
