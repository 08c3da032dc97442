package dev.acdc.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.patching.model.TransformerWeights;
import dev.acdc.tracr.compiler.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class CompileCommandTest {

    @Test
    void reverseOfOneTwoThreeIsThreeTwoOneFromModelAndEvaluator() {
        CliRun r = run("compile", "--program", "reverse", "--vocab", "1,2,3", "--max-seq-len", "5", "--input", "1,2,3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model output: 3,2,1"), r.out());
        assertTrue(r.out().contains("rasp output:  3,2,1"), r.out());
        assertTrue(r.out().contains("layers: 4"), r.out());
    }

    @Test
    void jsonHasTheDocumentedKeysAndOutputsAsJsonValues() {
        CliRun r = run("compile", "--program", "frac_prevs", "--vocab", "w,x,y,z", "--max-seq-len", "5", "--input", "x,w,x", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        for (String k : new String[] {"program", "layers", "heads", "d_model", "mlp_hidden", "residual_labels", "ground_truth",
                "model_output", "rasp_output"}) {
            assertTrue(o.has(k), "missing " + k + " in " + r.out());
        }
        assertEquals(2, o.get("layers").getAsInt());
        assertEquals(0.5, o.getAsJsonArray("rasp_output").get(1).getAsDouble(), 1e-9);
        assertEquals(2.0 / 3, o.getAsJsonArray("model_output").get(2).getAsDouble(), 1e-5);
        assertTrue(o.getAsJsonArray("ground_truth").toString().contains("m0->a1.0.v"));
    }

    @Test
    void noneOutputsPrintAsJsonNull() {
        CliRun r = run("compile", "--program", "shift_by", "--input", "a,b", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.getAsJsonArray("model_output").get(0).isJsonNull(), r.out());
        assertEquals("a", o.getAsJsonArray("model_output").get(1).getAsString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown program|--program nope|unknown program 'nope'",
            "unknown parameter|--program reverse --arg foo=1|unknown parameter 'foo'",
            "unknown input value|--program reverse --vocab 1,2,3 --input 1,9|not in the vocabulary",
            "parameter token outside the vocabulary|--program frac_prevs --vocab a,b --arg token=x|not in the vocabulary",
            "bad encoding|--program length --arg encoding=fuzzy|categorical or numerical"})
    void badInputIsOneLineAndExitTwo(String what, String args, String message) {
        CliRun r = run(("compile " + args).split(" "));
        assertEquals(2, r.code(), what + ": " + r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void outSavesWeightsConfigAndGroundTruthThatLoadBack(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("reverse");
        CliRun r = run("compile", "--program", "reverse", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {ModelFiles.WEIGHTS, ModelFiles.CONFIG, ModelFiles.GROUND_TRUTH, ModelFiles.TRACR}) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        TransformerWeights w = ModelFiles.loadWeights(dir);
        assertEquals(4, w.config().nLayers());
        assertTrue(Files.readString(dir.resolve(ModelFiles.GROUND_TRUTH)).contains("m2->a3.0.q"));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no staging directory left behind");
        }
    }
}
