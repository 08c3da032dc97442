package dev.acdc.experiments.interop;

import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.discover.AtomicFiles;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import dev.acdc.patching.graph.EdgeKind;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A MIB circuit-track submission folder of binary circuits ({@code hannamw/MIB-circuit-track} @ b759df3, README
 * l.108–114): one folder per task and model named {@code <task>_<model>} (the task's own {@code _} written {@code -}, e.g.
 * {@code ioi_gpt2}, {@code arc-easy_llama3}) holding nine circuits, "one circuit containing no more than each of the
 * following percentages of edges": 0.1, 0.2, 0.5, 1, 2, 5, 10, 20 and 50 % (the README lists a 0 as well and says nine;
 * 100 % is the full model). Each circuit is an EAP-IG graph JSON ({@link EapIgGraphJson}): "nearly identical [to the
 * importance-score format], but without the floating-point edge/node scores" (README l.122). MIB's own loader
 * ({@code circuit_loading.py}) reads {@code info['score']} of every edge, so each file still carries a score: 1 for an
 * edge in the circuit, 0 for one out of it.
 *
 * <p>Sizes count EAP-IG's edges, i.e. ours without the direct-computation edges (GPT-2 small: 32,491), and a circuit
 * at p % has at most floor(p/100 · E) of them. Circuits from scores take the top n by score (descending, ties by the
 * lower edge id, NaN last), each head input's direct edge implied when any of its edges is kept.
 *
 * <p>File names: MIB's README fixes the folder's name, the number of circuits and their sizes, not the files' names
 * (its example repository on the Hugging Face hub, {@code mib-bench/mib-circuits-example/multiple_circuits}, could not
 * be read here to copy its convention). This class names them {@code edges_<p>pct.json} ({@code edges_0.1pct.json} …
 * {@code edges_50pct.json}) and reads only those names back.
 */
public final class MibSubmission {
    private MibSubmission() {}

    /** MIB's sizes of binary circuits, in percent of the edges. */
    public static final List<String> PERCENTS = List.of("0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50");

    /** MIB's folder name: task and model separated by one underscore, neither containing another. */
    private static final Pattern FOLDER = Pattern.compile("[A-Za-z0-9.-]+_[A-Za-z0-9.-]+");

    /** The file of the circuit at {@code percent}. */
    public static String fileName(String percent) {
        return "edges_" + percent + "pct.json";
    }

    /** EAP-IG's edge count: our addition edges (direct-computation edges have no EAP-IG name). */
    public static int mibEdgeCount(CircuitGraph graph) {
        return (int) graph.edges().stream().filter(e -> e.kind() == EdgeKind.ADDITION).count();
    }

    /** floor(p/100 · E): the most EAP-IG edges the circuit at {@code percent} may keep. */
    public static int limit(String percent, int mibEdges) {
        return new BigDecimal(percent).multiply(BigDecimal.valueOf(mibEdges)).movePointLeft(2).setScale(0, RoundingMode.FLOOR).intValueExact();
    }

    /**
     * The nine circuits of a ranking: at each size the top n addition edges by score, with the direct edge of every
     * head input that keeps one, by percent in {@link #PERCENTS}' order.
     */
    public static Map<String, BitSet> fromScores(CircuitGraph graph, double[] scores) {
        List<Edge> ranked = new ArrayList<>(graph.edges().stream().filter(e -> e.kind() == EdgeKind.ADDITION).toList());
        ranked.sort((a, b) -> {
            double sa = Double.isNaN(scores[a.id()]) ? Double.NEGATIVE_INFINITY : scores[a.id()];
            double sb = Double.isNaN(scores[b.id()]) ? Double.NEGATIVE_INFINITY : scores[b.id()];
            int c = Double.compare(sb, sa);
            return c != 0 ? c : Integer.compare(a.id(), b.id());
        });
        Map<String, BitSet> out = new LinkedHashMap<>();
        for (String p : PERCENTS) {
            BitSet kept = new BitSet(graph.edgeCount());
            int n = limit(p, ranked.size());
            for (int i = 0; i < n; i++) kept.set(ranked.get(i).id());
            out.put(p, withImpliedDirectEdges(graph, kept));
        }
        return out;
    }

    /** The circuit with each head input's direct edge kept exactly when some edge into that input is. */
    static BitSet withImpliedDirectEdges(CircuitGraph graph, BitSet addition) {
        BitSet kept = (BitSet) addition.clone();
        for (Edge d : graph.edges()) {
            if (d.kind() != EdgeKind.DIRECT) continue;
            kept.clear(d.id());
            for (Edge in : graph.inEdges(d.sender())) {
                if (addition.get(in.id())) {
                    kept.set(d.id());
                    break;
                }
            }
        }
        return kept;
    }

    /**
     * Writes the nine circuits into {@code folder} (created if absent), each file by a temporary file and a rename.
     *
     * @throws BadInputException for a folder name that is not {@code <task>_<model>}, a folder holding other files,
     *                           or a circuit larger than its size allows
     */
    public static void write(Path folder, CircuitGraph graph, Map<String, BitSet> circuits) {
        checkFolderName(folder);
        if (!circuits.keySet().equals(new java.util.LinkedHashSet<>(PERCENTS))) {
            throw new IllegalArgumentException("expected circuits at " + PERCENTS + ", found " + circuits.keySet());
        }
        int e = mibEdgeCount(graph);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String p : PERCENTS) {
            BitSet kept = circuits.get(p);
            int n = additionEdges(graph, kept);
            if (n > limit(p, e)) {
                throw new BadInputException("the circuit at " + p + " % keeps " + n + " of " + e + " edges; MIB allows at most " + limit(p, e));
            }
            double[] membership = new double[graph.edgeCount()];
            kept.stream().forEach(id -> membership[id] = 1.0);
            files.put(fileName(p), EapIgGraphJson.write(graph, new EapIgGraphJson.Circuit(membership, kept)).getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (Files.exists(folder)) {
                try (Stream<Path> s = Files.list(folder)) {
                    List<String> foreign = s.map(x -> x.getFileName().toString()).filter(x -> !files.containsKey(x)).sorted().toList();
                    if (!foreign.isEmpty()) {
                        throw new BadInputException(folder + " holds files other than a MIB submission's (" + String.join(", ", foreign)
                                + "); give a new or empty folder");
                    }
                }
            }
            Files.createDirectories(folder);
        } catch (IOException ex) {
            throw new BadInputException(folder + ": cannot create: " + ex.getMessage());
        }
        files.forEach((name, bytes) -> AtomicFiles.write(folder.resolve(name), bytes));
    }

    /**
     * Reads the nine circuits of a folder written by {@link #write} (or by hand in the same layout) for {@code graph}.
     *
     * @throws BadInputException one line: a folder name that is not {@code <task>_<model>}, a missing circuit, a file
     *                           {@link EapIgGraphJson#read} refuses, or a circuit larger than its size allows
     */
    public static Map<String, BitSet> read(Path folder, CircuitGraph graph) {
        checkFolderName(folder);
        int e = mibEdgeCount(graph);
        Map<String, BitSet> out = new LinkedHashMap<>();
        for (String p : PERCENTS) {
            Path f = folder.resolve(fileName(p));
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException ex) {
                throw new BadInputException(folder + ": no circuit at " + p + " % (" + f.getFileName() + "): " + ex.getMessage());
            }
            BitSet kept = EapIgGraphJson.read(text, graph, f.toString()).kept();
            int n = additionEdges(graph, kept);
            if (n > limit(p, e)) {
                throw new BadInputException(f + ": keeps " + n + " of " + e + " edges; the circuit at " + p + " % may keep at most " + limit(p, e));
            }
            out.put(p, kept);
        }
        return out;
    }

    private static int additionEdges(CircuitGraph graph, BitSet kept) {
        return (int) kept.stream().filter(id -> graph.edge(id).kind() == EdgeKind.ADDITION).count();
    }

    private static void checkFolderName(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        if (name == null || !FOLDER.matcher(name.toString()).matches()) {
            throw new BadInputException("MIB folder " + folder + ": expected a name <task>_<model> (e.g. ioi_gpt2, arc-easy_llama3;"
                    + " a task's own _ written as -)");
        }
    }
}
