package dev.acdc.experiments.reproduce;

import dev.acdc.experiments.cells.CellJson;
import dev.acdc.metrics.RocCurve;
import dev.acdc.metrics.RocPoint;

import java.util.List;

/**
 * What one {@link ReproduceCell} computes: its {@link Cell} and the two curves its ROC plot draws (edges, and nodes
 * as the ACDC code counted them), as points, its faithfulness and its explorer page; a score-ranking method's curve is not its sweep points, so the plot
 * cannot be redrawn from the cell alone. Travels and is journaled as JSON ({@link #toJson}, {@link #fromJson}):
 * doubles are written in their shortest exact form, so a result read back is the result computed.
 */
public record CellResult(Cell cell, List<RocPoint> edgeCurve, List<RocPoint> nodeCurve, FaithfulnessTable.CellFaithfulness faithfulness,
                         String explorerHtml) {

    /**
     * @param faithfulness the cell's MIB faithfulness (row and plot series), from the same method run
     * @param explorerHtml the cell's explorer page (every circuit of its sweep), or null when the method found none
     */
    public CellResult {
        edgeCurve = List.copyOf(edgeCurve);
        nodeCurve = List.copyOf(nodeCurve);
    }

    public String toJson() {
        return CellJson.write(this);
    }

    public static CellResult fromJson(String json) {
        CellResult r = CellJson.read(json, CellResult.class);
        if (r == null || r.cell() == null) throw new IllegalArgumentException("not a cell result: " + json.strip());
        return r;
    }

    /** The curves as the plot draws them: [edge, node (ACDC code's counting)]. */
    RocCurve[] curves() {
        return new RocCurve[] {RocCurve.of(edgeCurve), RocCurve.of(nodeCurve)};
    }
}
