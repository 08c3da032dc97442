package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.RaspExpr;
import dev.acdc.tracr.rasp.SOp;
import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;

import java.util.List;
import java.util.Map;

/**
 * The program as a DAG of labels (edges child → parent, i.e. along the data flow), the expression of
 * each label, and the topological order. Labels are unique: a second expression that reuses a name gets
 * {@code name_id}.
 */
public record RaspGraph(Graph<String, DefaultEdge> graph, Map<String, RaspExpr> nodes,
                        Map<RaspExpr, String> labels, String output, List<String> topologicalOrder) {

    /** The graph label of an expression of this program. */
    public String labelOf(RaspExpr e) {
        String l = labels.get(e);
        if (l == null) throw new IllegalArgumentException("expression " + e.label() + " is not part of this program");
        return l;
    }

    public RaspExpr expr(String label) {
        return nodes.get(label);
    }

    public SOp outputSop() {
        return (SOp) nodes.get(output);
    }
}
