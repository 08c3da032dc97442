package dev.acdc.datasets;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the edge spelling used by the compiler's and the datasets' circuit lists for
 * direct-computation edges ({@code aL.H.q_input->aL.H.q}) into the graph's ({@code aL.H.q->aL.H.hook_q});
 * residual edges are spelled the same in both.
 */
public final class EdgeNotation {
    private EdgeNotation() {}

    private static final Pattern DIRECT = Pattern.compile("a(\\d+)\\.(\\d+)\\.([qkv])_input->a\\1\\.\\2\\.\\3");

    public static String toGraph(String edge) {
        Matcher m = DIRECT.matcher(edge.trim());
        if (m.matches()) {
            String head = "a" + m.group(1) + "." + m.group(2);
            return head + "." + m.group(3) + "->" + head + ".hook_" + m.group(3);
        }
        return edge.trim();
    }

    public static List<String> toGraph(List<String> edges) {
        return edges.stream().map(EdgeNotation::toGraph).sorted().toList();
    }
}
