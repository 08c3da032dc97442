package dev.acdc.patching.load;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of the tiny Hugging Face golden fixtures in the test resources ({@code fixtures/<name>/}: config.json,
 * model.safetensors, expected.json and the README that states their semantics), copied from the shared fixtures.
 *
 * @param name      e.g. {@code llama-tiny}
 * @param dir       the fixture directory
 * @param hookNames every activation key of expected.json, in forward order
 * @param cases     the prompts with their golden logits and activations
 */
record HfFixture(String name, Path dir, List<String> hookNames, List<Case> cases) {
    static final double TOL = 1e-4;
    static final List<String> NAMES = List.of("pythia-tiny", "llama-tiny", "qwen2-tiny", "gemma-tiny", "gemma2-tiny");

    /** A flat array and its shape (the batch dimension dropped, as expected.json stores it). */
    record Values(int[] shape, double[] data) {}

    /** One prompt: ids, logits [P][V], activations by hook name. */
    record Case(String name, int[] ids, Values logits, Map<String, Values> activations) {}

    static HfFixture load(String name) {
        Path dir = resource("/fixtures/" + name);
        JsonObject e = ConfigJson.readObject(dir.resolve("expected.json"));
        List<String> hooks = new ArrayList<>();
        e.getAsJsonArray("hook_names").forEach(h -> hooks.add(h.getAsString()));
        List<Case> cases = new ArrayList<>();
        for (JsonElement el : e.getAsJsonArray("cases")) {
            JsonObject c = el.getAsJsonObject();
            JsonArray idsJson = c.getAsJsonArray("input_ids");
            int[] ids = new int[idsJson.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = idsJson.get(i).getAsInt();
            Map<String, Values> acts = new LinkedHashMap<>();
            for (var a : c.getAsJsonObject("activations").entrySet()) acts.put(a.getKey(), values(a.getValue()));
            cases.add(new Case(c.get("name").getAsString(), ids, values(c.get("logits")), acts));
        }
        return new HfFixture(name, dir, List.copyOf(hooks), List.copyOf(cases));
    }

    static Path resource(String path) {
        URL url = HfFixture.class.getResource(path);
        if (url == null) throw new IllegalStateException("test resource " + path + " is missing");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A nested JSON array as shape and row-major data. */
    static Values values(JsonElement json) {
        List<Integer> shape = new ArrayList<>();
        JsonElement e = json;
        while (e.isJsonArray()) {
            shape.add(e.getAsJsonArray().size());
            e = e.getAsJsonArray().get(0);
        }
        List<Double> flat = new ArrayList<>();
        flatten(json, flat);
        return new Values(shape.stream().mapToInt(Integer::intValue).toArray(), flat.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void flatten(JsonElement e, List<Double> out) {
        if (e.isJsonArray()) e.getAsJsonArray().forEach(x -> flatten(x, out));
        else out.add(e.getAsDouble());
    }

    /**
     * max |a[row] − expected| for an activation a [B, …] whose row {@code row} must have the expected shape.
     *
     * @throws AssertionError naming both shapes when they differ
     */
    static double maxAbsDiff(NDArray a, int row, Values expected, String what) {
        long[] s = a.getShape().getShape();
        int[] rowShape = new int[s.length - 1];
        for (int i = 1; i < s.length; i++) rowShape[i - 1] = (int) s[i];
        if (!Arrays.equals(rowShape, expected.shape())) {
            throw new AssertionError(what + ": shape " + Arrays.toString(rowShape) + ", expected " + Arrays.toString(expected.shape()));
        }
        float[] got = a.get(row).toFloatArray();
        double m = 0;
        for (int i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - expected.data()[i]));
        return m;
    }
}
