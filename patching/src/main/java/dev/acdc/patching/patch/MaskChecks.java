package dev.acdc.patching.patch;

import java.util.List;
import java.util.function.Function;

/** What both patchers check of a batch of Java float masks, and where their evaluation may start. */
final class MaskChecks {
    private MaskChecks() {}

    /** Throws unless there is at least one mask and every mask has one entry per tested edge. */
    static void check(float[][] masks, int maskLength) {
        if (masks.length == 0) throw new IllegalArgumentException("at least one mask is needed");
        for (int k = 0; k < masks.length; k++) {
            if (masks[k].length != maskLength) {
                throw new IllegalArgumentException("mask " + k + " has " + masks[k].length + " entries, the graph has "
                        + maskLength + " tested edges");
            }
        }
    }

    /**
     * The first receiver group with an in-edge that some mask does not keep at 1 (every group before it sees clean
     * values), or groups.size() when every mask keeps every edge.
     */
    static <G> int firstChangedGroup(List<G> groups, Function<G, int[]> inEdgeIds, float[][] masks) {
        for (int g = 0; g < groups.size(); g++) {
            for (int id : inEdgeIds.apply(groups.get(g))) {
                for (float[] m : masks) if (m[id] != 1f) return g;
            }
        }
        return groups.size();
    }
}
