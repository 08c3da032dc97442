package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsWriterTest {
    @TempDir
    Path tmp;

    @Test
    void whatIsWrittenReadsBackBitForBit() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("z.last", new Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
        t.put("a.first", new Tensor(new int[] {1}, new float[] {42}));
        t.put("scalar", new Tensor(new int[] {}, new float[] {7}));
        t.put("empty", new Tensor(new int[] {0, 4}, new float[0]));
        Path f = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(f, t);
        assertEquals(t, SafetensorsReader.read(f));
    }

    @Test
    void dataStartsAtAnEightByteAlignedOffset() {
        for (int n = 1; n <= 9; n++) {
            Path f = tmp.resolve("a" + n + ".safetensors");
            SafetensorsWriter.write(f, Map.of("x".repeat(n), Tensor.zeros(n)));
            assertEquals(0, SafetensorsReader.readHeader(f).dataStart() % 8, "name length " + n);
        }
    }

    @Test
    void theFixtureSurvivesARoundTrip() {
        Path src = Gpt2TinyFixture.dir().resolve("model.safetensors");
        Map<String, Tensor> t = SafetensorsReader.read(src);
        Path f = tmp.resolve("copy.safetensors");
        SafetensorsWriter.write(f, t);
        assertEquals(t, SafetensorsReader.read(f));
    }

    @Test
    void overwritingLeavesNoTemporaryFileBehind() throws IOException {
        Path f = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(f, Map.of("a", Tensor.zeros(3)));
        SafetensorsWriter.write(f, Map.of("b", Tensor.zeros(2)));
        assertEquals(Map.of("b", Tensor.zeros(2)), SafetensorsReader.read(f));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "only the target file remains");
        }
    }

    @Test
    void metadataIsWrittenAndRead() {
        Path f = tmp.resolve("m.safetensors");
        SafetensorsWriter.write(f, Map.of("a", Tensor.zeros(1)), Map.of("format", "pt", "note", "hi"));
        assertEquals(Map.of("format", "pt", "note", "hi"), SafetensorsReader.readHeader(f).metadata());
    }
}
