package dev.acdc.datasets.file;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.acdc.datasets.EdgeNotation;
import dev.acdc.patching.graph.CircuitGraph;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ground-truth circuit from a file, checked against a model's graph: one edge per line ({@code #} starts a
 * comment, blank lines are skipped), or a JSON list of edge strings. Edges are in the graph's notation
 * ({@code a0.1->a1.2.k}, {@code embed->m0}, {@code a1.0->output}, {@code a1.0.q->a1.0.hook_q}); the compiler's
 * spelling of direct edges ({@code a1.0.q_input->a1.0.q}) is accepted too. An edge the graph lacks is refused
 * naming its line.
 */
public final class GroundTruthFile {
    /** Where Gson's reader stands, from its {@code toString()}: the only public access to its line. */
    private static final Pattern READER_LINE = Pattern.compile(" at line (\\d+) column \\d+");

    private GroundTruthFile() {}

    /** The file's edges in the graph's notation, sorted, each once. */
    public static List<String> read(Path file, CircuitGraph graph) {
        String text = text(file);
        List<Entry> entries = text.stripLeading().startsWith("[") ? jsonList(file, text) : lines(text);
        Set<String> edges = new LinkedHashSet<>();
        for (Entry e : entries) {
            String name = EdgeNotation.toGraph(e.edge());
            try {
                edges.add(graph.edge(name).name());
            } catch (IllegalArgumentException notAnEdge) {
                throw TaskFileException.line(file, e.line(), TaskFileException.quote(e.edge()) + " is not an edge of model '"
                        + graph.config().name() + "': " + notAnEdge.getMessage());
            }
        }
        if (edges.isEmpty()) throw TaskFileException.file(file, "lists no edges (one edge per line, e.g. a0.1->a1.2.k, or a JSON list)");
        if (edges.size() == graph.edgeCount()) {
            throw TaskFileException.file(file, "lists every one of the " + graph.edgeCount() + " edges; a ground truth needs edges outside it"
                    + " for a false-positive rate");
        }
        return edges.stream().sorted().toList();
    }

    private record Entry(int line, String edge) {}

    private static String text(Path file) {
        if (!Files.exists(file)) throw TaskFileException.file(file, "no such file");
        if (!Files.isRegularFile(file)) throw TaskFileException.file(file, "is not a regular file");
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw TaskFileException.file(file, "is not UTF-8 text");
        } catch (IOException e) {
            throw TaskFileException.file(file, "cannot be read: " + e.getMessage());
        }
    }

    private static List<Entry> lines(String text) {
        List<Entry> out = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int hash = l.indexOf('#');
            if (hash >= 0) l = l.substring(0, hash);
            l = l.strip();
            if (i == 0 && l.startsWith("\uFEFF")) l = l.substring(1).strip();
            if (!l.isEmpty()) out.add(new Entry(i + 1, l));
        }
        return out;
    }

    private static List<Entry> jsonList(Path file, String text) {
        List<Entry> out = new ArrayList<>();
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        int line = 1;
        try {
            r.beginArray();
            while (r.hasNext()) {
                JsonToken t = r.peek();   // after peek the reader stands on the element, so its line is the element's
                line = readerLine(r, line);
                if (t != JsonToken.STRING) {
                    throw TaskFileException.line(file, line, "expected an edge as a string, e.g. \"a0.1->a1.2.k\", found " + t.name().toLowerCase());
                }
                out.add(new Entry(line, r.nextString()));
            }
            r.endArray();
            if (r.peek() != JsonToken.END_DOCUMENT) throw TaskFileException.line(file, readerLine(r, line), "text after the JSON list");
        } catch (IOException | IllegalStateException e) {
            throw TaskFileException.line(file, readerLine(r, line), "malformed JSON list: " + TaskFileReader.gsonMessage(e));
        }
        return out;
    }

    private static int readerLine(JsonReader r, int fallback) {
        Matcher m = READER_LINE.matcher(r.toString());
        return m.find() ? Integer.parseInt(m.group(1)) : fallback;
    }
}
