package dev.acdc.datasets.tracr;

import dev.acdc.patching.graph.Circuit;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.NodeMerging;
import dev.acdc.patching.model.ModelInput;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class TracrTaskTest {

    @Test
    void reverseUsesTheSixPermutationsAfterBosAndADerangementOfThemAsCorruption() {
        TracrTask t = TracrTask.reverse(0, true);
        ModelInput clean = t.clean(), corrupted = t.corrupted();
        assertEquals(6, clean.batch());
        assertEquals(4, clean.length());
        Set<String> rows = new HashSet<>();
        int bos = clean.tokens()[0][0];
        for (int i = 0; i < 6; i++) {
            assertEquals(bos, clean.tokens()[i][0], "every row starts with BOS");
            rows.add(Arrays.toString(clean.tokens()[i]));
            assertFalse(Arrays.equals(clean.tokens()[i], corrupted.tokens()[i]), "row " + i + " is a fixed point of the corruption");
        }
        assertEquals(6, rows.size(), "the six permutations are distinct");
        Set<String> corruptedRows = new HashSet<>();
        for (int[] r : corrupted.tokens()) corruptedRows.add(Arrays.toString(r));
        assertEquals(rows, corruptedRows, "the corruption permutes the clean rows");
    }

    @Test
    void positionsAreScrambledWithTheReferencePermutationUnlessTurnedOff() {
        assertArrayEquals(new int[] {2, 3, 0, 1}, TracrTask.reverse(0, true).positionPermutation());
        assertEquals(1, TracrTask.reverse(0, true).corruptedHooks().size());
        assertNull(TracrTask.reverse(0, false).positionPermutation());
        assertTrue(TracrTask.reverse(0, false).corruptedHooks().isEmpty());
    }

    @Test
    void proportionsFivePositionsAreScrambledWithTorchsRandpermUnderSeed49WhateverTheDataSeed() {
        // BOS + 4 tokens: torch.manual_seed(49); torch.randperm(5) == [0, 2, 4, 1, 3], as the ACDC code would scramble
        assertArrayEquals(new int[] {0, 2, 4, 1, 3}, TracrTask.proportion(0, true).positionPermutation());
        assertArrayEquals(new int[] {0, 2, 4, 1, 3}, TracrTask.proportion(5, true).positionPermutation());
    }

    @Test
    void proportionHasFiftyDistinctRowsPlusFiftyHeldOutAndOnlyTheL2Metric() {
        TracrTask t = TracrTask.proportion(0, true);
        assertEquals(50, t.clean().batch());
        assertEquals(50, t.heldOut().batch());
        Set<String> all = new HashSet<>();
        for (int[] r : t.clean().tokens()) all.add(Arrays.toString(r));
        for (int[] r : t.heldOut().tokens()) all.add(Arrays.toString(r));
        assertEquals(100, all.size(), "clean and held-out rows are 100 distinct strings");
        assertEquals(List.of("l2"), t.metricNames(), "KL over a one-dimensional numerical output ranks nothing");
        assertEquals(List.of("l2", "kl"), TracrTask.reverse(0, true).metricNames());
    }

    @Test
    void publishedGroundTruthsHaveFifteenAndTenEdges() {
        assertEquals(15, TracrTask.reverse(0, true).groundTruths().get("published").size());
        assertEquals(10, TracrTask.proportion(0, true).groundTruths().get("published").size());
        assertEquals("published", TracrTask.reverse(0, true).defaultGroundTruth());
    }

    @Test
    void publishedCircuitsHaveTheNodeCountsTheAcdcCodeStoredForItsRocs() {
        // experiments/results/plots_data: node TPR 8/11 (proportion) and 5/16 (reverse), filter_nodes counting
        assertAcdcCodeNodeCounts(TracrTask.proportion(0, true), 11, 19);
        assertAcdcCodeNodeCounts(TracrTask.reverse(0, true), 16, 35);
    }

    private static void assertAcdcCodeNodeCounts(TracrTask t, int published, int universe) {
        CircuitGraph g = CircuitGraph.of(t.weights().config());
        assertEquals(published, Circuit.ofNames(g, t.groundTruths().get("published")).nodeNames(NodeMerging.ACDC_CODE).size(), t.name());
        assertEquals(universe, g.mergedNodeNames(NodeMerging.ACDC_CODE).size(), t.name());
    }
}
