package dev.acdc.datasets.file;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a task file line by line with a strict JSON reader (no comments, single quotes, NaN or trailing text,
 * which Gson's lenient default would accept), so that every problem is reported with its line and field.
 */
final class TaskFileReader {
    static final String DEFAULTS = "defaults";
    static final String CLEAN = "clean";
    static final String CORRUPTED = "corrupted";
    static final String ANSWER = "answer";
    static final String WRONG_ANSWER = "wrong_answer";
    static final String POSITIONS = "positions";
    static final String METRIC = "metric";
    static final String GROUND_TRUTH = "ground_truth";

    static final List<String> EXAMPLE_FIELDS = List.of(CLEAN, CLEAN + "_ids", CORRUPTED, CORRUPTED + "_ids", ANSWER, WRONG_ANSWER,
            POSITIONS);
    static final List<String> DEFAULT_FIELDS = List.of(METRIC, POSITIONS, GROUND_TRUTH);

    private static final TypeAdapter<JsonElement> ELEMENT = new Gson().getAdapter(JsonElement.class);
    private static final Pattern GSON_LOCATION = Pattern.compile(" at line \\d+ column (\\d+) path \\S+");

    private final Path path;

    private TaskFileReader(Path path) {
        this.path = path;
    }

    static TaskFile read(Path path) {
        return new TaskFileReader(path).read();
    }

    private TaskFile read() {
        List<String> lines = lines();
        Defaults defaults = Defaults.NONE;
        List<Example> examples = new ArrayList<>();
        boolean seenContent = false;
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String text = i == 0 && lines.get(0).startsWith("\uFEFF") ? lines.get(0).substring(1) : lines.get(i);
            if (text.isBlank()) continue;   // a trailing newline or a separating blank line carries nothing
            Map<String, JsonElement> fields = object(lineNo, text);
            if (fields.containsKey(DEFAULTS)) {
                if (seenContent) {
                    throw TaskFileException.field(path, lineNo, DEFAULTS, "a defaults line must be the file's first line");
                }
                if (fields.size() > 1) {
                    String other = fields.keySet().stream().filter(k -> !k.equals(DEFAULTS)).findFirst().orElseThrow();
                    throw TaskFileException.field(path, lineNo, other, "a defaults line holds only \"defaults\"; put examples on lines of their own");
                }
                defaults = defaults(lineNo, fields.get(DEFAULTS));
            } else {
                examples.add(example(lineNo, fields));
            }
            seenContent = true;
        }
        if (examples.isEmpty()) throw TaskFileException.file(path, "no examples (expected one JSON object per line with clean_ids and corrupted_ids, or clean and corrupted)");
        checkAnswersEverywhereOrNowhere(examples);
        TaskFile file = new TaskFile(path, defaults, examples);
        if (defaults.metric() != null && !file.offeredMetrics().contains(defaults.metric())) {
            List<String> offered = file.offeredMetrics();
            throw TaskFileException.field(path, defaults.line(), DEFAULTS + "." + METRIC, "'" + defaults.metric() + "' is not a metric this file offers; expected "
                    + String.join(" or ", offered) + (file.hasAnswers() ? "" : " (logit-diff and prob-diff need answer and wrong_answer on every line)"));
        }
        return file;
    }

    private List<String> lines() {
        if (!Files.exists(path)) throw TaskFileException.file(path, "no such file");
        if (!Files.isRegularFile(path)) throw TaskFileException.file(path, "is not a regular file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw TaskFileException.file(path, "cannot be read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw TaskFileException.file(path, "is not UTF-8 text");
        }
        return text.lines().toList();
    }

    /** One line as a JSON object, keys in file order; a key given twice is an error (Gson would keep the last silently). */
    private Map<String, JsonElement> object(int lineNo, String text) {
        JsonReader r = new JsonReader(new StringReader(text));
        r.setStrictness(Strictness.STRICT);
        Map<String, JsonElement> fields = new LinkedHashMap<>();
        try {
            JsonToken first = r.peek();
            if (first != JsonToken.BEGIN_OBJECT) {
                throw TaskFileException.line(path, lineNo, "expected a JSON object {...}, found " + describe(first));
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                JsonElement value = ELEMENT.read(r);
                if (fields.put(name, value) != null) throw TaskFileException.field(path, lineNo, name, "given twice");
            }
            r.endObject();
            if (!atEnd(r)) throw TaskFileException.line(path, lineNo, "text after the JSON object (one example per line)");
        } catch (IOException | IllegalStateException | com.google.gson.JsonParseException e) {
            throw TaskFileException.line(path, lineNo, "malformed JSON: " + gsonMessage(e));
        }
        return fields;
    }

    /** Whether only whitespace follows; a strict reader throws on a second value, which means the same here. */
    private static boolean atEnd(JsonReader r) {
        try {
            return r.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    private Defaults defaults(int lineNo, JsonElement value) {
        if (!value.isJsonObject()) {
            throw TaskFileException.field(path, lineNo, DEFAULTS, "expected an object such as {\"metric\": \"logit-diff\"}, found " + describe(value));
        }
        JsonObject o = value.getAsJsonObject();
        String metric = null;
        int[] positions = null;
        String groundTruth = null;
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String field = DEFAULTS + "." + e.getKey();
            switch (e.getKey()) {
                case METRIC -> metric = string(lineNo, field, e.getValue(), "a metric name (kl, logit-diff or prob-diff)");
                case POSITIONS -> positions = positions(lineNo, field, e.getValue());
                case GROUND_TRUTH -> groundTruth = string(lineNo, field, e.getValue(), "a file of edges, relative to this file");
                default -> throw TaskFileException.field(path, lineNo, field, "unknown field; expected one of " + String.join(", ", DEFAULT_FIELDS));
            }
        }
        return new Defaults(lineNo, metric, positions, groundTruth);
    }

    private Example example(int lineNo, Map<String, JsonElement> fields) {
        for (String name : fields.keySet()) {
            if (!EXAMPLE_FIELDS.contains(name)) {
                throw TaskFileException.field(path, lineNo, name, "unknown field; expected " + String.join(", ", EXAMPLE_FIELDS)
                        + " (or a first line {\"defaults\": {...}})");
            }
        }
        Prompt clean = prompt(lineNo, fields, CLEAN);
        Prompt corrupted = prompt(lineNo, fields, CORRUPTED);
        AnswerToken answer = fields.containsKey(ANSWER) ? answer(lineNo, ANSWER, fields.get(ANSWER)) : null;
        AnswerToken wrong = fields.containsKey(WRONG_ANSWER) ? answer(lineNo, WRONG_ANSWER, fields.get(WRONG_ANSWER)) : null;
        if (answer != null && wrong == null) {
            throw TaskFileException.field(path, lineNo, WRONG_ANSWER, "missing: answer and wrong_answer come together");
        }
        if (answer == null && wrong != null) {
            throw TaskFileException.field(path, lineNo, ANSWER, "missing: answer and wrong_answer come together");
        }
        int[] positions = fields.containsKey(POSITIONS) ? positions(lineNo, POSITIONS, fields.get(POSITIONS)) : null;
        return new Example(lineNo, clean, corrupted, answer, wrong, positions);
    }

    private Prompt prompt(int lineNo, Map<String, JsonElement> fields, String side) {
        String idsField = side + "_ids";
        boolean text = fields.containsKey(side);
        boolean ids = fields.containsKey(idsField);
        if (text && ids) throw TaskFileException.field(path, lineNo, side, "give " + side + " (text) or " + idsField + " (token ids), not both");
        if (!text && !ids) {
            throw TaskFileException.line(path, lineNo, "no " + side + " prompt: give " + side + " (text) or " + idsField + " (token ids)");
        }
        if (text) {
            String s = string(lineNo, side, fields.get(side), "the prompt's text");
            return new Prompt.Text(s);
        }
        JsonElement v = fields.get(idsField);
        if (!v.isJsonArray()) throw TaskFileException.field(path, lineNo, idsField, "expected a list of token ids, found " + describe(v));
        JsonArray a = v.getAsJsonArray();
        if (a.isEmpty()) throw TaskFileException.field(path, lineNo, idsField, "no token ids; a prompt needs at least one token");
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            Integer id = integer(a.get(i));
            if (id == null || id < 0) {
                throw TaskFileException.field(path, lineNo, idsField, "element " + i + " is " + a.get(i) + ", expected a token id (an integer ≥ 0)");
            }
            out[i] = id;
        }
        return new Prompt.Ids(out);
    }

    private AnswerToken answer(int lineNo, String field, JsonElement v) {
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
            String s = v.getAsString();
            if (s.isEmpty()) throw TaskFileException.field(path, lineNo, field, "an empty string is no token; give the token's text (e.g. \" Mary\") or its id");
            return new AnswerToken.Text(s);
        }
        Integer id = integer(v);
        if (id == null || id < 0) {
            throw TaskFileException.field(path, lineNo, field, "expected a token id (an integer ≥ 0) or a token's text, found " + describe(v));
        }
        return new AnswerToken.Id(id);
    }

    private int[] positions(int lineNo, String field, JsonElement v) {
        if (!v.isJsonArray()) throw TaskFileException.field(path, lineNo, field, "expected a list of positions such as [-1], found " + describe(v));
        JsonArray a = v.getAsJsonArray();
        if (a.isEmpty()) throw TaskFileException.field(path, lineNo, field, "no positions; leave the field out to score the last token");
        int[] out = new int[a.size()];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < out.length; i++) {
            Integer p = integer(a.get(i));
            if (p == null) {
                throw TaskFileException.field(path, lineNo, field, "element " + i + " is " + a.get(i)
                        + ", expected a position (an integer; negative counts from the end, -1 being the last token)");
            }
            if (!seen.add(p)) throw TaskFileException.field(path, lineNo, field, "position " + p + " is listed twice");
            out[i] = p;
        }
        return out;
    }

    private String string(int lineNo, String field, JsonElement v, String expected) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw TaskFileException.field(path, lineNo, field, "expected a string (" + expected + "), found " + describe(v));
        }
        String s = v.getAsString();
        if (s.isEmpty()) throw TaskFileException.field(path, lineNo, field, "empty; expected " + expected);
        return s;
    }

    /** An int when {@code v} is a JSON number with an integral value within int range, else null. */
    private static Integer integer(JsonElement v) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) return null;
        try {
            return new BigDecimal(v.getAsString()).intValueExact();
        } catch (ArithmeticException | NumberFormatException notAnInt) {
            return null;
        }
    }

    private void checkAnswersEverywhereOrNowhere(List<Example> examples) {
        Example first = examples.get(0);
        for (Example e : examples) {
            if (e.hasAnswers() != first.hasAnswers()) {
                Example with = e.hasAnswers() ? e : first;
                Example without = e.hasAnswers() ? first : e;
                throw TaskFileException.field(path, without.line(), ANSWER, "missing, while line " + with.line()
                        + " gives answer and wrong_answer; give them on every line or on none");
            }
        }
    }

    private static String describe(JsonElement v) {
        if (v.isJsonNull()) return "null";
        if (v.isJsonArray()) return "a list";
        if (v.isJsonObject()) return "an object";
        JsonPrimitive p = v.getAsJsonPrimitive();
        if (p.isString()) return "a string " + TaskFileException.quote(p.getAsString());
        if (p.isBoolean()) return p.getAsString();
        return "the number " + p.getAsString();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * Gson's message without its troubleshooting link and without its advice to parse leniently (which would
     * accept what is not JSON), the column kept (the line is ours).
     */
    static String gsonMessage(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        m = m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
                "not JSON (no single quotes, comments, unquoted names or NaN)");
        int see = m.indexOf("\nSee ");
        if (see >= 0) m = m.substring(0, see);
        see = m.indexOf(" See https://");
        if (see >= 0) m = m.substring(0, see);
        Matcher loc = GSON_LOCATION.matcher(m);
        return loc.find() ? loc.replaceFirst(" at column " + loc.group(1)) : m;
    }
}
