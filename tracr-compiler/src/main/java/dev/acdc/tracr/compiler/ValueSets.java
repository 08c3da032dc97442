package dev.acdc.tracr.compiler;

import java.util.List;
import java.util.Map;

/**
 * The possible non-None values of every SOp label, sorted by {@link dev.acdc.tracr.rasp.Values#ORDER},
 * and the input settings they were inferred for.
 */
public record ValueSets(Map<String, List<Object>> values, List<Object> vocab, int maxSeqLen) {
    public List<Object> of(String label) {
        List<Object> v = values.get(label);
        if (v == null) throw new IllegalArgumentException("no value set for " + label);
        return v;
    }
}
