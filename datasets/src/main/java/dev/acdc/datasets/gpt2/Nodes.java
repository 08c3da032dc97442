package dev.acdc.datasets.gpt2;

/** Layer arithmetic on node names ({@code embed}, {@code aL.H}, {@code aL.H.x}, {@code aL.H.x_input}, {@code mL}, {@code output}). */
final class Nodes {
    private Nodes() {}

    /** The node's layer; {@code embed} is -1 and {@code output} is above every layer. */
    static int layer(String node) {
        if (node.equals(AcdcGraphEdges.EMBED)) return -1;
        if (node.equals(AcdcGraphEdges.OUTPUT)) return Integer.MAX_VALUE;
        int end = node.indexOf('.');
        return Integer.parseInt(node.substring(1, end < 0 ? node.length() : end));
    }

    /** The head {@code aL.H} of a head node or head input. */
    static String headOf(String node) {
        int first = node.indexOf('.');
        int second = node.indexOf('.', first + 1);
        return second < 0 ? node : node.substring(0, second);
    }

    static boolean isHead(String node) {
        return node.startsWith("a");
    }
}
