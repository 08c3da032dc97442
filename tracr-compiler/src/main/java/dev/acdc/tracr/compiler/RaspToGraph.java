package dev.acdc.tracr.compiler;

import dev.acdc.tracr.rasp.RaspExpr;
import dev.acdc.tracr.rasp.SOp;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedAcyclicGraph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pass 1: the expression DAG reachable from the output SOp. */
public final class RaspToGraph {
    private RaspToGraph() {}

    public static RaspGraph extract(SOp output) {
        Map<RaspExpr, String> labels = new IdentityHashMap<>();
        Map<String, RaspExpr> nodes = new LinkedHashMap<>();
        DirectedAcyclicGraph<String, DefaultEdge> g = new DirectedAcyclicGraph<>(DefaultEdge.class);
        Deque<RaspExpr> todo = new ArrayDeque<>();
        todo.push(output);
        label(output, labels, nodes, g);
        while (!todo.isEmpty()) {
            RaspExpr e = todo.pop();
            for (RaspExpr child : e.children()) {
                if (!labels.containsKey(child)) {
                    label(child, labels, nodes, g);
                    todo.push(child);
                }
                String from = labels.get(child), to = labels.get(e);
                if (!g.containsEdge(from, to)) g.addEdge(from, to);
            }
        }
        List<String> order = new ArrayList<>();
        g.iterator().forEachRemaining(order::add);
        return new RaspGraph(g, Collections.unmodifiableMap(nodes), Collections.unmodifiableMap(labels),
                labels.get(output), List.copyOf(order));
    }

    private static void label(RaspExpr e, Map<RaspExpr, String> labels, Map<String, RaspExpr> nodes,
                              DirectedAcyclicGraph<String, DefaultEdge> g) {
        String l = e.label();
        if (nodes.containsKey(l)) l = l + "_" + e.annotations().id();
        while (nodes.containsKey(l)) l = l + "'";
        labels.put(e, l);
        nodes.put(l, e);
        g.addVertex(l);
    }
}
