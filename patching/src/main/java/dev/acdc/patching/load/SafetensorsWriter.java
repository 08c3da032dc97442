package dev.acdc.patching.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.Tensor;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors as a safetensors file that the Python {@code safetensors} library reads.
 *
 * <p>Tensors are laid out in name order, contiguous, after a JSON header padded with spaces so
 * that the data starts at an 8-byte-aligned offset. The file is written to a temporary file in the
 * same directory and then moved into place (atomically where the file system allows), so a reader
 * never sees a half-written checkpoint.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** Writes {@code tensors} with {@code {"format": "pt"}} metadata. */
    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of("format", "pt"));
    }

    /** Writes {@code tensors} (F32) with the given {@code __metadata__} string map. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        if (sorted.containsKey("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved, not a tensor name");
        byte[] header = header(sorted, metadata);
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = PlainFiles.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                    out.write(len.array());
                    out.write(header);
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                    for (Tensor t : sorted.values()) {
                        for (float f : t.data()) {
                            if (!chunk.hasRemaining()) {
                                out.write(chunk.array(), 0, chunk.position());
                                chunk.clear();
                            }
                            chunk.putFloat(f);
                        }
                    }
                    out.write(chunk.array(), 0, chunk.position());
                }
                moveIntoPlace(tmp, file);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write safetensors file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Moves a finished temporary file over {@code target}, atomically when supported. */
    static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException ex) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static byte[] header(Map<String, Tensor> sorted, Map<String, String> metadata) {
        JsonObject root = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            new TreeMap<>(metadata).forEach(meta::addProperty);
            root.add("__metadata__", meta);
        }
        long offset = 0;
        for (var e : sorted.entrySet()) {
            Tensor t = e.getValue();
            JsonObject o = new JsonObject();
            o.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) shape.add(d);
            o.add("shape", shape);
            long bytes = 4L * t.data().length;
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + bytes);
            o.add("data_offsets", off);
            root.add(e.getKey(), o);
            offset += bytes;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // 8 + padded is a multiple of 8
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }
}
