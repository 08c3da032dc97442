package dev.acdc.experiments.interop;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.acdc.experiments.BadInputException;
import dev.acdc.experiments.GraphCommand;
import dev.acdc.experiments.discover.AtomicFiles;
import dev.acdc.patching.graph.CircuitGraph;
import dev.acdc.patching.graph.Edge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code acdc convert --model M --from FILE --to FILE}: a circuit between our {@code circuit.json} and hannamw/EAP-IG's
 * graph JSON (also MIB's {@code importances.json}), either way; the direction follows from the file read
 * ({@link EapIgGraphJson} has the name mapping and what differs).
 */
@Command(name = "convert",
        mixinStandardHelpOptions = true,
        description = "Convert a circuit between this project's circuit.json and hannamw/EAP-IG's graph JSON (MIB's importances.json),"
                + " either way: a circuit.json becomes EAP-IG's format, an EAP-IG file becomes a circuit.json.")
public final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "the model whose graph the circuit is on: a preset (gpt2-small, attn-only-2l, …), a model directory, or tracr:PROGRAM")
    String model;

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "a circuit.json of discover, or an EAP-IG graph JSON")
    Path from;

    @Option(names = "--to", required = true, paramLabel = "FILE", description = "the file to write (replaced whole if it exists)")
    Path to;

    @Option(names = "--mib-binary", description = "MIB's submission of binary circuits: from a circuit.json, --to is a folder <task>_<model>"
            + " that receives nine circuits of at most 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50 %% of EAP-IG's edges, the top edges by"
            + " effect; from such a folder, --to is a JSON file listing each circuit's edges")
    boolean mibBinary;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (mibBinary) return mibBinary();
        if (!Files.isRegularFile(from)) throw new BadInputException("--from " + from + ": no such file");
        if (Files.isDirectory(to)) throw new BadInputException("--to " + to + ": is a directory; give a file name");
        if (to.toAbsolutePath().normalize().equals(from.toAbsolutePath().normalize())) {
            throw new BadInputException("--to " + to + " is the --from file; write the conversion elsewhere");
        }
        Path parent = to.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new BadInputException("--to " + to + ": directory " + parent + " does not exist");
        CircuitGraph graph = graph();
        String text;
        try {
            text = Files.readString(from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("--from " + from + ": cannot read: " + e.getMessage());
        }
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new BadInputException("--from " + from + ": not JSON: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (parsed.isJsonObject() && parsed.getAsJsonObject().has("cfg")) {
            EapIgGraphJson.Circuit c = EapIgGraphJson.read(text, graph, from.toString());
            AtomicFiles.write(to, circuitJson(graph, c, from));
            out.printf(Locale.ROOT, "convert: EAP-IG graph → circuit.json: %d/%d edges kept (direct edges implied) → %s%n",
                    c.kept().cardinality(), graph.edgeCount(), to);
        } else {
            EapIgGraphJson.Circuit c = readCircuitJson(parsed, graph, from.toString());
            String written = EapIgGraphJson.write(graph, c);
            AtomicFiles.write(to, written);
            long in = JsonParser.parseString(written).getAsJsonObject().getAsJsonObject("edges").entrySet().stream()
                    .filter(e -> e.getValue().getAsJsonObject().get("in_graph").getAsBoolean()).count();
            out.printf(Locale.ROOT, "convert: circuit.json → EAP-IG graph: %d edges in the graph (direct edges folded in) → %s%n", in, to);
        }
        out.flush();
        return 0;
    }

    /** {@code --mib-binary}: a circuit.json to MIB's nine binary circuits, or such a folder to a list of its circuits. */
    private int mibBinary() {
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(from)) {
            if (Files.isDirectory(to)) throw new BadInputException("--to " + to + ": is a directory; give the file to list the circuits in");
            CircuitGraph graph = graph();
            Map<String, BitSet> circuits = MibSubmission.read(from, graph);
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("source", from.toString());
            file.put("format", "MIB binary circuits");
            file.put("model", graph.config().name());
            file.put("mib_edges_total", MibSubmission.mibEdgeCount(graph));
            Map<String, Object> bySize = new LinkedHashMap<>();
            circuits.forEach((p, kept) -> {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("edges_at_most", MibSubmission.limit(p, MibSubmission.mibEdgeCount(graph)));
                c.put("edges", kept.stream().mapToObj(id -> graph.edge(id).name()).toList());
                bySize.put(p, c);
            });
            file.put("circuits", bySize);
            AtomicFiles.write(to, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(file) + "\n");
            out.printf(Locale.ROOT, "convert: MIB binary circuits → %s (%d circuits)%n", to, circuits.size());
        } else {
            if (!Files.isRegularFile(from)) throw new BadInputException("--from " + from + ": no such file or folder");
            if (Files.isRegularFile(to)) throw new BadInputException("--to " + to + ": is a file; --mib-binary writes a folder <task>_<model>");
            CircuitGraph graph = graph();
            EapIgGraphJson.Circuit c = readCircuitJson(parse(from), graph, from.toString());
            MibSubmission.write(to, graph, MibSubmission.fromScores(graph, c.scores()));
            out.printf(Locale.ROOT, "convert: circuit.json → MIB binary circuits (top edges by effect, at most %s) → %s%n",
                    String.join(", ", MibSubmission.PERCENTS) + " % of " + MibSubmission.mibEdgeCount(graph) + " edges", to);
        }
        out.flush();
        return 0;
    }

    private static JsonElement parse(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException("--from " + file + ": cannot read: " + e.getMessage());
        } catch (JsonParseException e) {
            throw new BadInputException("--from " + file + ": not JSON: " + e.getMessage());
        }
    }

    private CircuitGraph graph() {
        // grouped key/value heads map onto EAP-IG's per-query-head k and v inputs (EapIgGraphJson)
        return GraphCommand.graphOf("convert", model);
    }

    /** Scores ({@code effect}, null → NaN) and kept edges of a discover {@code circuit.json}. */
    static EapIgGraphJson.Circuit readCircuitJson(JsonElement parsed, CircuitGraph graph, String source) {
        if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("edges") || !parsed.getAsJsonObject().get("edges").isJsonArray()) {
            throw new BadInputException(source + ": expected discover's circuit.json (an \"edges\" list) or EAP-IG's graph JSON (with \"cfg\")");
        }
        JsonArray edges = parsed.getAsJsonObject().getAsJsonArray("edges");
        double[] scores = new double[graph.edgeCount()];
        Arrays.fill(scores, Double.NaN);
        BitSet kept = new BitSet(graph.edgeCount());
        BitSet seen = new BitSet(graph.edgeCount());
        for (JsonElement e : edges) {
            if (!e.isJsonObject() || !e.getAsJsonObject().has("edge") || !e.getAsJsonObject().has("kept")) {
                throw new BadInputException(source + ": every edge should be {\"edge\": name, \"effect\": x, \"kept\": b}, found " + e);
            }
            JsonObject o = e.getAsJsonObject();
            String name = o.get("edge").getAsString();
            Edge edge;
            try {
                edge = graph.edge(name);
            } catch (IllegalArgumentException ex) {
                throw new BadInputException(source + ": edge '" + name + "' is not an edge of model " + graph.config().name());
            }
            if (seen.get(edge.id())) throw new BadInputException(source + ": edge '" + name + "' appears twice");
            seen.set(edge.id());
            JsonElement effect = o.get("effect");
            if (effect != null && !effect.isJsonNull()) {
                if (!effect.isJsonPrimitive() || !effect.getAsJsonPrimitive().isNumber() || !Double.isFinite(effect.getAsDouble())) {
                    throw new BadInputException(source + ": edge '" + name + "' has effect " + effect + ", expected a finite number or null");
                }
                scores[edge.id()] = effect.getAsDouble();
            }
            JsonElement k = o.get("kept");
            if (!k.isJsonPrimitive() || !k.getAsJsonPrimitive().isBoolean()) {
                throw new BadInputException(source + ": edge '" + name + "' has kept " + k + ", expected true or false");
            }
            if (k.getAsBoolean()) kept.set(edge.id());
        }
        if (seen.cardinality() != graph.edgeCount()) {
            throw new BadInputException(source + ": lists " + seen.cardinality() + " of model " + graph.config().name() + "'s "
                    + graph.edgeCount() + " edges; a circuit.json lists every edge");
        }
        return new EapIgGraphJson.Circuit(scores, kept);
    }

    /** A circuit.json (the keys of discover's edge list) for an imported circuit. */
    static String circuitJson(CircuitGraph graph, EapIgGraphJson.Circuit c, Path source) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("source", source.toString());
        file.put("format", "converted from EAP-IG graph JSON");
        file.put("model", graph.config().name());
        file.put("edges_kept", c.kept().cardinality());
        file.put("edges_total", graph.edgeCount());
        List<Map<String, Object>> edges = new ArrayList<>();
        for (Edge e : graph.edges()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("edge", e.name());
            m.put("type", e.kind().name().toLowerCase(Locale.ROOT));
            m.put("effect", c.scores()[e.id()]);
            m.put("kept", c.kept().get(e.id()));
            edges.add(m);
        }
        file.put("edges", edges);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(file) + "\n";
    }
}
