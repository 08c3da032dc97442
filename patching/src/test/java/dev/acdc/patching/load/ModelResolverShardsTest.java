package dev.acdc.patching.load;

import com.sun.net.httpserver.HttpServer;
import dev.acdc.patching.model.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** A sharded checkpoint downloaded from a fake hub on 127.0.0.1 into the Hugging Face cache layout, and found there. */
class ModelResolverShardsTest {
    private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
    private static final Pattern RESOLVE = Pattern.compile("^/tiny-org/qwen2-sharded/resolve/([^/]+)/([^/]+)$");

    @TempDir
    Path tmp;
    private HttpServer server;
    private Path repo;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    /** The qwen2 fixture as two shards and an index, served as {@code tiny-org/qwen2-sharded}. */
    @BeforeEach
    void startFakeHub() throws IOException {
        HfFixture f = HfFixture.load("qwen2-tiny");
        repo = Files.createDirectories(tmp.resolve("served"));
        Files.copy(f.dir().resolve("config.json"), repo.resolve("config.json"));
        Map<String, Tensor> all = SafetensorsReader.read(f.dir().resolve("model.safetensors"));
        List<String> names = new ArrayList<>(all.keySet());
        StringBuilder map = new StringBuilder();
        for (int s = 0; s < 2; s++) {
            String file = "model-0000" + (s + 1) + "-of-00002.safetensors";
            Map<String, Tensor> part = new LinkedHashMap<>();
            for (int i = s * names.size() / 2; i < (s + 1) * names.size() / 2; i++) {
                part.put(names.get(i), all.get(names.get(i)));
                map.append(map.length() == 0 ? "" : ",").append('"').append(names.get(i)).append("\":\"").append(file).append('"');
            }
            SafetensorsWriter.write(repo.resolve(file), part);
        }
        Files.writeString(repo.resolve(CheckpointFiles.INDEX), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                requests.add(ex.getRequestURI().getPath());
                Matcher m = RESOLVE.matcher(ex.getRequestURI().getPath());
                Path file = m.matches() ? repo.resolve(m.group(2)) : null;
                if (file != null && Files.isRegularFile(file)) {
                    byte[] body = Files.readAllBytes(file);
                    ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                } else {
                    ex.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stopFakeHub() {
        if (server != null) server.stop(0);
    }

    private ModelResolver resolver() {
        return new ModelResolver(tmp.resolve("hub"), URI.create("http://127.0.0.1:" + server.getAddress().getPort()), false,
                ModelResolver.Progress.NEVER, err);
    }

    @Test
    void theIndexAndEveryShardAreDownloadedAndTheModelLoads() throws IOException {
        Path snap = resolver().resolve("tiny-org/qwen2-sharded");
        assertEquals(tmp.resolve("hub/models--tiny-org--qwen2-sharded/snapshots/" + COMMIT), snap);
        for (String f : List.of("config.json", CheckpointFiles.INDEX, "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")) {
            assertArrayEquals(Files.readAllBytes(repo.resolve(f)), Files.readAllBytes(snap.resolve(f)), f);
        }
        assertTrue(requests.contains("/tiny-org/qwen2-sharded/resolve/" + COMMIT + "/model.safetensors"), "the single file is tried first");
        assertEquals(ModelDirectory.load(HfFixture.load("qwen2-tiny").dir()).weights().tensors(), ModelDirectory.load(snap).weights().tensors());
    }

    @Test
    void aCachedShardedModelIsFoundOnlyWhenEveryShardIsThere() throws IOException {
        Path snap = resolver().resolve("tiny-org/qwen2-sharded");
        requests.clear();
        assertEquals(snap, resolver().resolve("tiny-org/qwen2-sharded"));
        assertTrue(requests.isEmpty(), "served from the cache: " + requests);
        Files.delete(snap.resolve("model-00002-of-00002.safetensors"));
        assertEquals(snap, resolver().resolve("tiny-org/qwen2-sharded"));
        // an incomplete snapshot is completed: the missing shard is fetched again, the files present are not
        String pinned = "/tiny-org/qwen2-sharded/resolve/" + COMMIT + "/";
        assertTrue(requests.contains(pinned + "model-00002-of-00002.safetensors"), requests.toString());
        assertFalse(requests.contains(pinned + "model-00001-of-00002.safetensors") || requests.contains(pinned + CheckpointFiles.INDEX),
                requests.toString());
        assertTrue(Files.isRegularFile(snap.resolve("model-00002-of-00002.safetensors")));
    }
}
