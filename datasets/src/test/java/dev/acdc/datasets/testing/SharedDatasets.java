package dev.acdc.datasets.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test-only access to the generated datasets in the test resources' {@code datasets/*.json} (copied from the ACDC code's generators). */
public final class SharedDatasets {
    private SharedDatasets() {}

    private static final Map<String, JsonObject> CACHE = new ConcurrentHashMap<>();

    /** The parsed JSON of {@code datasets/<file>} (parsed once; do not modify); a missing file fails the test. */
    public static JsonObject load(String file) {
        String rel = "datasets/" + file;
        Path p = Fixtures.path(rel);
        return CACHE.computeIfAbsent(rel, r -> {
            try {
                return JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static List<String> strings(JsonElement array) {
        List<String> out = new ArrayList<>();
        for (JsonElement e : array.getAsJsonArray()) out.add(e.getAsString());
        return out;
    }

    public static long[] longs(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
        return out;
    }

    public static int[] ints(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }
}
