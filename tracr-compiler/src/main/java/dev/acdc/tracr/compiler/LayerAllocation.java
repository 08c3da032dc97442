package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.Aggregate;
import dev.acdc.tracr.rasp.RaspExpr;
import dev.acdc.tracr.rasp.SOp;
import dev.acdc.tracr.rasp.Select;
import dev.acdc.tracr.rasp.SelectorWidth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pass 5: every block's layer, by the longest path in sequence operations, computed by dynamic
 * programming over the topological order. An SOp is placed in the earliest half-layer of its type
 * (attention even, MLP odd) after all the SOps it reads; a SelectorWidth takes an attention half-layer
 * and the MLP half-layer right after it. Blocks in one half-layer run in parallel: heads side by side,
 * MLPs merged into one MLP per layer (Tracr's merge of same-layer blocks). Placement is always the
 * earliest possible; Tracr's further choice between source-depth and sink-depth placement is not
 * reproduced, but the layouts of the ACDC tracr tasks are Tracr's: reverse 4 layers (selector-width
 * head in layer 0, MLPs in layers 0-2, the reversing head in layer 3), frac_prevs 2 layers (MLP in
 * layer 0, head in layer 1).
 */
public final class LayerAllocation {
    private LayerAllocation() {}

    public static LayerPlan allocate(RaspGraph graph, CraftGraph craft) {
        Map<String, Integer> half = new LinkedHashMap<>();
        int max = -1;
        for (String label : graph.topologicalOrder()) {
            if (!(graph.expr(label) instanceof SOp s)) continue;
            CraftGraph.NodeBlocks b = craft.blocks().get(label);
            if (b == null) {
                half.put(label, -1);
                continue;
            }
            int ready = -1;
            for (SOp in : sopInputs(s)) ready = Math.max(ready, half.get(graph.labelOf(in)));
            int h;
            if (b.attention() != null) {
                h = (ready + 1) % 2 == 0 ? ready + 1 : ready + 2;
                if (b.mlp() != null) h += 1;
            } else {
                h = (ready + 1) % 2 == 1 ? ready + 1 : ready + 2;
            }
            half.put(label, h);
            max = Math.max(max, h);
        }
        int nLayers = Math.max(1, max / 2 + 1);
        List<List<String>> heads = new ArrayList<>(), mlps = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            heads.add(new ArrayList<>());
            mlps.add(new ArrayList<>());
        }
        for (String label : graph.topologicalOrder()) {
            CraftGraph.NodeBlocks b = craft.blocks().get(label);
            if (b == null) continue;
            int h = half.get(label);
            if (b.attention() != null && b.mlp() != null) {
                heads.get((h - 1) / 2).add(label);
                mlps.get(h / 2).add(label);
            } else if (b.attention() != null) {
                heads.get(h / 2).add(label);
            } else {
                mlps.get(h / 2).add(label);
            }
        }
        List<List<String>> frozenHeads = new ArrayList<>(), frozenMlps = new ArrayList<>();
        for (int l = 0; l < nLayers; l++) {
            frozenHeads.add(List.copyOf(heads.get(l)));
            frozenMlps.add(List.copyOf(mlps.get(l)));
        }
        return new LayerPlan(nLayers, List.copyOf(frozenHeads), List.copyOf(frozenMlps), Collections.unmodifiableMap(half));
    }

    /** The SOps a SOp reads (through its selector, the keys and queries of every Select). */
    static List<SOp> sopInputs(SOp s) {
        List<SOp> out = new ArrayList<>();
        for (RaspExpr c : s.children()) {
            if (c instanceof SOp cs) out.add(cs);
        }
        if (s instanceof Aggregate a) addSelectInputs(a.selector(), out);
        if (s instanceof SelectorWidth w) addSelectInputs(w.selector(), out);
        return out;
    }

    private static void addSelectInputs(dev.acdc.tracr.rasp.Selector sel, List<SOp> out) {
        for (Select leaf : SelectorLogic.leaves(sel)) {
            out.add(leaf.keys());
            out.add(leaf.queries());
        }
    }
}
