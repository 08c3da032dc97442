package dev.acdc.experiments;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.acdc.experiments.output.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Training is reproducible bit for bit across processes (issue 19, problem 7). The two processes differ in what used
 * to matter: in one, a background thread keeps collecting garbage and overwriting freed native memory with NaN
 * ({@link HostileMemory}); the other hardly collects at all. Before the fix, a collection between the forward and the
 * backward pass freed scalars that autograd still read, so the two disagreed (or the first produced NaN).
 */
class TrainReproducibilityTest {

    @Test
    void twoProcessesTrainingWithTheSameSeedWriteTheSameBytes(@TempDir Path tmp) throws Exception {
        String[] a = {"train", "induction", "--tiny", "--steps", "40", "--seed", "2", "--json", "--out", tmp.resolve("a").toString()};
        String[] b = a.clone();
        b[b.length - 1] = tmp.resolve("b").toString();
        Process busyCollector = ChildJvm.start(List.of("-Xmx256m", "-Xmn2m", "-XX:+UseSerialGC"), HostileMemory.class, a);
        Process idleCollector = ChildJvm.start(List.of("-Xmx2g", "-Xms2g", "-Xmn1g"), AcdcCli.class, b);
        String ra = ChildJvm.finish(busyCollector), rb = ChildJvm.finish(idleCollector);
        assertTrue(ra.startsWith("0\n"), ra);
        assertTrue(rb.startsWith("0\n"), rb);
        for (String f : List.of("model.safetensors", "config.json")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
        assertEquals(withoutTimingAndPath(lastLine(ra)), withoutTimingAndPath(lastLine(rb)));
    }

    private static String lastLine(String output) {
        List<String> lines = output.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

    private static JsonObject withoutTimingAndPath(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        o.remove("seconds");
        o.remove("out");
        return o;
    }
}
