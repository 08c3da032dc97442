package dev.acdc.patching.load;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.acdc.patching.model.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The safetensors file(s) of a checkpoint directory: one {@code model.safetensors}, or the shards that a
 * {@code model.safetensors.index.json} lists ({@code {"metadata": {...}, "weight_map": {tensor: shard file}}}), as
 * transformers writes checkpoints above its shard size.
 *
 * <p>{@link #in} reads and checks only the headers: every shard exists and parses, every tensor the index assigns to a
 * shard is in that shard, no shard holds a tensor the index does not assign to it, and no tensor is in two shards. The
 * data is read by {@link #read}.
 */
public final class CheckpointFiles {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Path source;
    private final List<SafetensorsReader.Header> headers;

    private CheckpointFiles(Path source, List<SafetensorsReader.Header> headers) {
        this.source = source;
        this.headers = List.copyOf(headers);
    }

    /** Whether {@code dir} has a single file or an index. */
    public static boolean present(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE)) || Files.isRegularFile(dir.resolve(INDEX));
    }

    /**
     * The checkpoint files of {@code dir}, the single file preferred when both exist (as transformers does).
     *
     * @throws ModelLoadException naming the missing file, the bad index, or the shard that disagrees with it
     */
    public static CheckpointFiles in(Path dir) {
        if (Files.isRegularFile(dir.resolve(SINGLE))) {
            return new CheckpointFiles(dir.resolve(SINGLE), List.of(SafetensorsReader.readHeader(dir.resolve(SINGLE))));
        }
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("pytorch_model.bin.index.json"))
                    ? " (found pytorch_model.bin; only safetensors checkpoints are read: convert it, e.g. with transformers'"
                    + " save_pretrained(safe_serialization=True))" : "";
            throw new ModelLoadException("missing file: " + dir.resolve(SINGLE) + " (nor " + INDEX + ")" + hint);
        }
        Map<String, List<String>> byShard = shardsOf(index);
        List<SafetensorsReader.Header> headers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (var e : byShard.entrySet()) {
            Path shard = dir.resolve(e.getKey()).normalize();
            if (!shard.startsWith(dir.normalize()) || !Files.isRegularFile(shard)) {
                problems.add("shard " + e.getKey() + " (" + e.getValue().size() + " tensors) is missing");
                continue;
            }
            SafetensorsReader.Header h = SafetensorsReader.readHeader(shard);
            TreeSet<String> inFile = new TreeSet<>(h.byName().keySet());
            TreeSet<String> listed = new TreeSet<>(e.getValue());
            TreeSet<String> absent = new TreeSet<>(listed);
            absent.removeAll(inFile);
            TreeSet<String> extra = new TreeSet<>(inFile);
            extra.removeAll(listed);
            if (!absent.isEmpty()) problems.add("shard " + e.getKey() + " lacks " + absent + ", which the index assigns to it");
            if (!extra.isEmpty()) problems.add("shard " + e.getKey() + " holds " + extra + ", which the index does not assign to it");
            headers.add(h);
        }
        if (!problems.isEmpty()) throw new ModelLoadException(index + ": " + String.join("; ", problems));
        return new CheckpointFiles(index, headers);
    }

    /** weight_map inverted: shard file → its tensors, in file order. */
    private static Map<String, List<String>> shardsOf(Path index) {
        JsonObject o = ConfigJson.readObject(index);
        JsonElement map = o.get("weight_map");
        if (map == null || !map.isJsonObject() || map.getAsJsonObject().size() == 0) {
            throw new ModelLoadException(index + ": expected a non-empty \"weight_map\" object {tensor name: shard file}, found "
                    + (map == null ? "none" : map));
        }
        Map<String, List<String>> byShard = new TreeMap<>();
        for (var e : map.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new ModelLoadException(index + ": weight_map entry " + e.getKey() + " should name a shard file, found " + e.getValue());
            }
            byShard.computeIfAbsent(e.getValue().getAsString(), f -> new ArrayList<>()).add(e.getKey());
        }
        return byShard;
    }

    /** The file named in error messages: the single file or the index. */
    public Path source() {
        return source;
    }

    public int shardCount() {
        return headers.size();
    }

    /** Bytes of tensor data in every file. */
    public long dataBytes() {
        long n = 0;
        for (var h : headers) for (var e : h.entries()) n += e.byteLength();
        return n;
    }

    /** Elements of every tensor by dtype, e.g. {@code {BF16=494032768}}. */
    public Map<String, Long> elementsByDtype() {
        Map<String, Long> m = new TreeMap<>();
        for (var h : headers) for (var e : h.entries()) m.merge(e.dtype(), e.elementCount(), Long::sum);
        return m;
    }

    /** Every tensor {@code skip} rejects, widened to float32, by name, shard after shard. */
    public Map<String, Tensor> read(Predicate<String> skip) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var h : headers) {
            for (var e : SafetensorsReader.read(h.file(), skip).entrySet()) {
                if (out.put(e.getKey(), e.getValue()) != null) {
                    throw new ModelLoadException(source + ": tensor " + e.getKey() + " is in two shards");
                }
            }
        }
        return out;
    }
}
