package dev.acdc.patching.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.testsupport.Fixtures;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shared gpt2-tiny golden fixture: its directory, cases and activations (in the test resources). */
final class Gpt2TinyFixture {
    static final String REL = "fixtures/gpt2-tiny";
    static final double TOL = 1e-4;

    record Case(String name, int[] ids, double[][] logits) {}

    private Gpt2TinyFixture() {}

    static Path dir() {
        return Fixtures.path(REL);
    }

    static JsonObject expected() {
        return ConfigJson.readObject(dir().resolve("expected.json"));
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (JsonElement e : expected().getAsJsonArray("cases")) {
            JsonObject o = e.getAsJsonObject();
            out.add(new Case(o.get("name").getAsString(), ints(o.getAsJsonArray("input_ids")), matrix(o.getAsJsonArray("logits"))));
        }
        return out;
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    static double[] vector(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    static double[][] matrix(JsonArray a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = vector(a.get(i).getAsJsonArray());
        return out;
    }

    static double[][][] cube(JsonArray a) {
        double[][][] out = new double[a.size()][][];
        for (int i = 0; i < out.length; i++) out[i] = matrix(a.get(i).getAsJsonArray());
        return out;
    }

    /** Largest absolute difference; fails on a shape mismatch. */
    static double maxAbsDiff(double[][] a, double[][] b) {
        if (a.length != b.length) throw new AssertionError("rows: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) throw new AssertionError("row " + i + " columns: " + a[i].length + " vs " + b[i].length);
            for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        }
        return m;
    }
}
