package dev.acdc.patching.load;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.acdc.patching.model.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A strict, pure-Java reader of the safetensors format.
 *
 * <p>Layout: 8 bytes little-endian u64 header length N; N bytes of UTF-8 JSON
 * {@code {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}};
 * then the data, with offsets relative to its start. The reader checks, before reading any tensor,
 * that the header fits in the file, that it is a JSON object, that the offsets are contiguous from 0
 * with no gap or overlap, and that the file ends exactly where the last tensor ends (a shorter file
 * is reported as truncated, naming the expected and the found byte counts). Each tensor read must be
 * F32, F16 or BF16 (the last two are widened to float32), with a byte size that matches its shape.
 *
 * <p>Buffers that are not parameters (e.g. GPT-2's {@code h.N.attn.bias} causal masks, stored as
 * F32, U8 or BOOL depending on the exporter) are skipped by name through a predicate, before any
 * dtype check.
 */
public final class SafetensorsReader {
    /** The safetensors library refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private SafetensorsReader() {}

    /** One tensor's header entry; offsets are relative to the start of the data section. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        public long byteLength() {
            return end - begin;
        }

        public long elementCount() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    /** A parsed and validated header. */
    public record Header(Path file, long headerLength, Map<String, String> metadata, List<Entry> entries) {
        public Header {
            metadata = Map.copyOf(metadata);
            entries = List.copyOf(entries);
        }

        /** Absolute file offset of the first data byte. */
        public long dataStart() {
            return 8 + headerLength;
        }

        public Map<String, Entry> byName() {
            Map<String, Entry> m = new LinkedHashMap<>();
            for (Entry e : entries) m.put(e.name(), e);
            return m;
        }
    }

    /** Reads every tensor. */
    public static Map<String, Tensor> read(Path file) {
        return read(file, name -> false);
    }

    /**
     * Reads every tensor whose name {@code skip} rejects, in header order.
     *
     * @throws ModelLoadException naming the file (and tensor) with what was expected and found
     */
    public static Map<String, Tensor> read(Path file, Predicate<String> skip) {
        Header header = readHeader(file);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Entry e : header.entries()) {
                if (skip.test(e.name())) continue;
                out.put(e.name(), readTensor(ch, header, e));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read safetensors file " + file + ": " + ex.getMessage(), ex);
        }
        return out;
    }

    /** Parses and validates the header and the file length without reading tensor data. */
    public static Header readHeader(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException ex) {
            throw new ModelLoadException("missing file: " + file + " (expected a safetensors checkpoint there)");
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
        if (Files.isDirectory(file)) {
            throw new ModelLoadException("expected a safetensors file, found a directory: " + file);
        }
        if (size < 8) {
            throw new ModelLoadException("truncated safetensors file " + file + ": expected at least 8 bytes (the header length), found "
                    + size + " bytes");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > MAX_HEADER_BYTES) {
                throw new ModelLoadException("invalid safetensors file " + file + ": header length field is " + Long.toUnsignedString(n)
                        + ", expected between 2 and " + MAX_HEADER_BYTES + " bytes; is this a safetensors file?");
            }
            if (8 + n > size) {
                throw new ModelLoadException("truncated safetensors file " + file + ": expected at least " + (8 + n)
                        + " bytes (8 + a " + n + "-byte JSON header), found " + size + " bytes");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(ch, json, 8);
            String text = new String(json.array(), StandardCharsets.UTF_8);
            Header h = parseHeader(file, n, text);
            checkOffsets(h, size);
            return h;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static Header parseHeader(Path file, long n, String text) {
        JsonObject root;
        try {
            JsonElement el = JsonParser.parseString(text);
            if (!el.isJsonObject()) throw new JsonParseException("top level is not an object");
            root = el.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException ex) {
            throw new ModelLoadException("invalid safetensors file " + file + ": the " + n + "-byte header is not a JSON object ("
                    + ConfigJson.jsonProblem(ex) + ")");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var kv : root.entrySet()) {
            String name = kv.getKey();
            if (name.equals("__metadata__")) {
                if (kv.getValue().isJsonObject()) {
                    for (var m : kv.getValue().getAsJsonObject().entrySet()) {
                        metadata.put(m.getKey(), m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString());
                    }
                }
                continue;
            }
            entries.add(parseEntry(file, name, kv.getValue()));
        }
        return new Header(file, n, metadata, entries);
    }

    private static Entry parseEntry(Path file, String name, JsonElement value) {
        String where = "safetensors file " + file + ": tensor " + name;
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            JsonArray s = o.getAsJsonArray("shape");
            int[] shape = new int[s.size()];
            for (int i = 0; i < shape.length; i++) {
                long d = s.get(i).getAsLong();
                if (d < 0 || d > Integer.MAX_VALUE) throw new ModelLoadException(where + " has dimension " + d + " in its shape");
                shape[i] = (int) d;
            }
            JsonArray off = o.getAsJsonArray("data_offsets");
            if (off.size() != 2) throw new ModelLoadException(where + ": data_offsets has " + off.size() + " numbers, expected 2");
            long begin = off.get(0).getAsLong(), end = off.get(1).getAsLong();
            if (begin < 0 || end < begin) {
                throw new ModelLoadException(where + ": data_offsets [" + begin + ", " + end + "] are not an ordered pair of byte offsets");
            }
            return new Entry(name, dtype, shape, begin, end);
        } catch (ModelLoadException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw new ModelLoadException("invalid " + where + ": expected {\"dtype\", \"shape\", \"data_offsets\"}, found " + value);
        }
    }

    /** Offsets must tile [0, dataLength) exactly, and the file must end where the data ends. */
    private static void checkOffsets(Header h, long fileSize) {
        List<Entry> sorted = new ArrayList<>(h.entries());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long next = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() != next) {
                String prev = previous == null ? "the data section starts there" : "where " + previous.name() + " ends";
                throw new ModelLoadException("invalid safetensors file " + h.file() + ": tensor " + e.name() + " starts at data byte "
                        + e.begin() + ", expected " + next + " (" + prev + "); offsets must be contiguous without gaps or overlap");
            }
            next = e.end();
            previous = e;
        }
        long expectedSize = h.dataStart() + next;
        if (fileSize < expectedSize) {
            throw new ModelLoadException("truncated safetensors file " + h.file() + ": expected " + expectedSize + " bytes (8 + "
                    + h.headerLength() + " header + " + next + " data), found " + fileSize + " bytes");
        }
        if (fileSize > expectedSize) {
            throw new ModelLoadException("invalid safetensors file " + h.file() + ": expected " + expectedSize + " bytes (8 + "
                    + h.headerLength() + " header + " + next + " data), found " + fileSize + " bytes (" + (fileSize - expectedSize)
                    + " bytes after the last tensor)");
        }
    }

    private static Tensor readTensor(FileChannel ch, Header h, Entry e) throws IOException {
        SafetensorsDtype dtype = SafetensorsDtype.parse(e.dtype()).orElse(null);
        if (dtype == null || !dtype.readable) {
            throw new ModelLoadException("tensor " + e.name() + " in " + h.file() + " has dtype " + e.dtype()
                    + ", expected F32 (or F16/BF16, widened to float32)");
        }
        long count = e.elementCount();
        if (count * dtype.bytes != e.byteLength()) {
            throw new ModelLoadException("tensor " + e.name() + " in " + h.file() + ": shape " + Arrays.toString(e.shape()) + " of "
                    + e.dtype() + " needs " + count * dtype.bytes + " bytes, found " + e.byteLength() + " bytes in data_offsets");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelLoadException("tensor " + e.name() + " in " + h.file() + " has " + count + " elements, more than a Java array holds");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) e.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, buf, h.dataStart() + e.begin());
        buf.flip();
        float[] data = new float[(int) count];
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().get(data);
            case F16 -> {
                for (int i = 0; i < data.length; i++) data[i] = halfToFloat(buf.getShort());
            }
            case BF16 -> {
                for (int i = 0; i < data.length; i++) data[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
            }
            default -> throw new IllegalStateException("unhandled readable dtype " + dtype);
        }
        return new Tensor(e.shape(), data);
    }

    /** IEEE 754 binary16 → binary32 (exact). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign); // ±0
            float v = mant * 0x1p-24f; // subnormal: mant · 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += r;
        }
    }
}
