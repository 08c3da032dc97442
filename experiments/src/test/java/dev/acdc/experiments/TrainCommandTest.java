package dev.acdc.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.datasets.induction.InductionModel;
import dev.acdc.datasets.induction.TrainingConfig;
import dev.acdc.patching.model.HookedTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.acdc.experiments.CliRun.run;
import static org.junit.jupiter.api.Assertions.*;

class TrainCommandTest {

    @Test
    void tinyTrainingPrintsTheDocumentedJsonAndSavesALoadableModelWithProvenance(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("model");
        CliRun r = run("train", "induction", "--tiny", "--steps", "20", "--seed", "3", "--out", dir.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        for (String k : new String[] {"seconds", "accuracy_repeated", "accuracy_first", "prev_token_heads", "induction_heads"}) {
            assertTrue(o.has(k), "missing " + k + " in " + r.out());
        }
        assertEquals(20, o.get("steps").getAsInt());
        assertEquals(3, o.get("seed").getAsLong());
        double acc = o.get("accuracy_repeated").getAsDouble();
        assertTrue(acc >= 0 && acc <= 1, r.out());
        // redirected (a test has no console): plain progress lines with the loss, an estimate and the total time
        assertTrue(r.err().lines().anyMatch(l -> l.matches("train: step 1/20 loss \\d+\\.\\d{4}, elapsed \\d+:\\d\\d, ETA \\d+:\\d\\d")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("train: step done: 20/20, elapsed ")), r.err());
        assertFalse(r.err().contains("\r"), "no carriage returns in a log");

        InductionModel.Loaded m = InductionModel.load(dir);
        assertEquals(TrainingConfig.tiny().modelConfig(m.model().config().name()), m.model().config());
        assertEquals(3, m.provenance().training().seed());
        assertEquals(20, m.provenance().training().steps());
        assertTrue(m.provenance().command().contains("--tiny"), m.provenance().command());
        try (HookedTransformer ht = new HookedTransformer(m.model().weights())) {
            assertEquals(TrainingConfig.tiny().vocab(), ht.config().dVocab());
        }
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "a temporary directory was left beside the model");
        }
    }

    @Test
    void anUnknownTaskIsBadInput() {
        CliRun r = run("train", "ioi", "--tiny");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("unknown task 'ioi'"), r.err());
    }

    @Test
    void nonPositiveStepsAreBadInput() {
        CliRun r = run("train", "induction", "--steps", "0");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--steps"), r.err());
    }

    @Test
    void anOccupiedOutputDirectoryIsRefusedBeforeTrainingAndLeftAlone(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        CliRun r = run("train", "induction", "--tiny", "--out", dir.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("already exists"), r.err());
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
        assertFalse(r.err().contains("train: step"), "trained before refusing: " + r.err());
    }
}
