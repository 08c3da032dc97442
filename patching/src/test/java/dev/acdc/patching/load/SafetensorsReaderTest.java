package dev.acdc.patching.load;

import dev.acdc.patching.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

class SafetensorsReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsEveryTensorOfTheFixtureWithItsShape() {
        Path file = Gpt2TinyFixture.dir().resolve("model.safetensors");
        var header = SafetensorsReader.readHeader(file);
        assertEquals(Map.of("format", "pt"), header.metadata());
        assertEquals(30, header.entries().size()); // 28 parameters + 2 attn.bias buffers
        Map<String, Tensor> t = SafetensorsReader.read(file, Gpt2CheckpointLoader.SKIP_BUFFERS);
        assertEquals(28, t.size());
        assertArrayEquals(new int[] {101, 32}, t.get("wte.weight").shape());
        assertArrayEquals(new int[] {32, 96}, t.get("h.0.attn.c_attn.weight").shape());
        assertEquals(0, (8 + header.headerLength()) % 8, "data starts 8-byte aligned");
    }

    @Test
    void missingFileIsNamed() {
        Path f = tmp.resolve("nope.safetensors");
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertTrue(ex.getMessage().contains("missing file") && ex.getMessage().contains(f.toString()), ex.getMessage());
    }

    @Test
    void truncatedFileNamesExpectedAndFoundBytes() throws IOException {
        Path src = Gpt2TinyFixture.dir().resolve("model.safetensors");
        Path f = Files.copy(src, tmp.resolve("model.safetensors"));
        long full = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(full - 100);
        }
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertTrue(ex.getMessage().startsWith("truncated safetensors file " + f), ex.getMessage());
        assertTrue(ex.getMessage().contains("expected " + full + " bytes"), ex.getMessage());
        assertTrue(ex.getMessage().contains("found " + (full - 100) + " bytes"), ex.getMessage());
    }

    @Test
    void fileCutInsideTheHeaderIsTruncated() throws IOException {
        Path f = tmp.resolve("cut.safetensors");
        byte[] all = Files.readAllBytes(Gpt2TinyFixture.dir().resolve("model.safetensors"));
        Files.write(f, java.util.Arrays.copyOf(all, 50));
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "truncated safetensors file " + f, "found 50 bytes");
    }

    @Test
    void fileShorterThanTheLengthFieldIsTruncated() throws IOException {
        Path f = Files.write(tmp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "expected at least 8 bytes", "found 3 bytes");
    }

    @Test
    void wrongDtypeNamesTensorAndDtypes() {
        Path f = RawSafetensors.write(tmp.resolve("i64.safetensors"),
                "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "tensor ids", f.toString(), "has dtype I64", "expected F32");
    }

    @Test
    void skippedBufferMayHaveAnyDtype() {
        Path f = RawSafetensors.write(tmp.resolve("bool.safetensors"),
                "{\"h.0.attn.bias\":{\"dtype\":\"BOOL\",\"shape\":[1,1,2,2],\"data_offsets\":[0,4]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                RawSafetensors.concat(new byte[] {1, 0, 1, 1}, RawSafetensors.floats(1.5f, -2f)));
        Map<String, Tensor> t = SafetensorsReader.read(f, Gpt2CheckpointLoader.SKIP_BUFFERS);
        assertEquals(Map.of("w", new Tensor(new int[] {2}, new float[] {1.5f, -2f})), t);
    }

    @Test
    void halfAndBfloat16AreWidenedToFloat32() {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 0x0001; BF16: 1.0 = 0x3F80, -0.5 = 0xBF00
        Path f = RawSafetensors.write(tmp.resolve("half.safetensors"),
                "{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}",
                RawSafetensors.concat(RawSafetensors.shorts(0x3C00, 0xC000, 0x7BFF, 0x0001), RawSafetensors.shorts(0x3F80, 0xBF00)));
        Map<String, Tensor> t = SafetensorsReader.read(f);
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, t.get("a").data());
        assertArrayEquals(new float[] {1f, -0.5f}, t.get("b").data());
    }

    @Test
    void byteSizeThatDisagreesWithTheShapeIsNamed() {
        Path f = RawSafetensors.write(tmp.resolve("size.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", RawSafetensors.floats(1, 2));
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "tensor w", "needs 12 bytes", "found 8 bytes");
    }

    @Test
    void gapBetweenTensorsIsRejected() {
        Path f = RawSafetensors.write(tmp.resolve("gap.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                new byte[12]);
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "tensor b starts at data byte 8, expected 4", "where a ends");
    }

    @Test
    void trailingBytesAfterTheLastTensorAreRejected() {
        Path f = RawSafetensors.write(tmp.resolve("long.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[10]);
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "6 bytes after the last tensor");
    }

    @Test
    void headerThatIsNotJsonIsNamed() {
        Path f = RawSafetensors.write(tmp.resolve("junk.safetensors"), "not json at all", new byte[0]);
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, f.toString(), "not a JSON object");
    }

    @Test
    void implausibleHeaderLengthSaysItIsNotSafetensors() throws IOException {
        Path f = Files.writeString(tmp.resolve("text.safetensors"), "this is a text file, not a checkpoint");
        var ex = assertThrows(ModelLoadException.class, () -> SafetensorsReader.read(f));
        assertMentions(ex, "header length field", "is this a safetensors file?");
    }
}
