package dev.acdc.discovery;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything that determines an ACDC run's decisions, as named text fields in a fixed order: the task, the identity
 * of its model, tokenizer and data (fingerprints of their contents), every task and ACDC option, and the graph's
 * edges in the order ACDC tests them. The journal's header and {@code circuit.json} carry it, so a resumed run can
 * say which field differs instead of replaying decisions made under other settings.
 *
 * <p>Values are compared as text; numbers are written with {@link Double#toString}, which round-trips exactly.
 *
 * @param fields field name → value, in the order they were added
 */
public record RunDescription(Map<String, String> fields) {

    public RunDescription {
        Map<String, String> copy = new LinkedHashMap<>();
        for (var e : fields.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) throw new IllegalArgumentException("a run description field needs a name");
            copy.put(e.getKey(), String.valueOf(e.getValue()));
        }
        fields = Collections.unmodifiableMap(copy);
    }

    /** Builds a description field by field. */
    public static Builder builder() {
        return new Builder();
    }

    /** The first field, in this description's order, whose value differs from {@code other}'s (or that only one has). */
    public Optional<Difference> firstDifference(RunDescription other) {
        for (var e : fields.entrySet()) {
            String theirs = other.fields.get(e.getKey());
            if (!e.getValue().equals(theirs)) return Optional.of(new Difference(e.getKey(), e.getValue(), theirs));
        }
        for (var e : other.fields.entrySet()) {
            if (!fields.containsKey(e.getKey())) return Optional.of(new Difference(e.getKey(), null, e.getValue()));
        }
        return Optional.empty();
    }

    /**
     * One field that differs.
     *
     * @param field  its name
     * @param mine   its value in this description, null when absent
     * @param theirs its value in the other, null when absent
     */
    public record Difference(String field, String mine, String theirs) {}

    /** One line of JSON: {@code {"field": "value", ...}}. */
    public String toJson() {
        JsonObject o = new JsonObject();
        fields.forEach(o::addProperty);
        return o.toString();
    }

    /** Reads {@link #toJson()}'s output; malformed text is an {@link IllegalArgumentException}. */
    public static RunDescription fromJson(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            Map<String, String> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) m.put(e.getKey(), e.getValue().getAsString());
            return new RunDescription(m);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("not a run description: " + e.getMessage(), e);
        }
    }

    /** Adds fields in order; a repeated name is a programming error. */
    public static final class Builder {
        private final Map<String, String> fields = new LinkedHashMap<>();

        private Builder() {}

        public Builder put(String name, Object value) {
            if (fields.putIfAbsent(name, String.valueOf(value)) != null) {
                throw new IllegalArgumentException("run description field '" + name + "' given twice");
            }
            return this;
        }

        public RunDescription build() {
            return new RunDescription(fields);
        }
    }
}
