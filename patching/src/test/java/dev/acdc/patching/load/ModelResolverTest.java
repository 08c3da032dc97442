package dev.acdc.patching.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.acdc.patching.load.Messages.assertMentions;
import static org.junit.jupiter.api.Assertions.*;

/** The resolver against a fake hub on 127.0.0.1 that serves the tiny fixture; nothing leaves the machine. */
class ModelResolverTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final Pattern RESOLVE = Pattern.compile("^/(.+)/resolve/([^/]+)/([^/]+)$");

    @TempDir
    Path tmp;
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private URI endpoint;
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    /** Serves {@code tiny-org/gpt2-tiny} from the fixture; {@code gpt2-tiny} redirects there like the hub's renames. */
    @BeforeEach
    void startFakeHub() throws IOException {
        Path fixture = Gpt2TinyFixture.dir();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                requests.add(path);
                Matcher m = RESOLVE.matcher(path);
                if (!m.matches()) {
                    send(ex, 404, new byte[0]);
                } else if (m.group(1).equals("gpt2-tiny")) {
                    ex.getResponseHeaders().add("Location", "/tiny-org/gpt2-tiny/resolve/" + m.group(2) + "/" + m.group(3));
                    send(ex, 307, new byte[0]);
                } else if (m.group(1).equals("tiny-org/gpt2-tiny") && (m.group(2).equals("main") || m.group(2).equals(COMMIT))
                        && Files.isRegularFile(fixture.resolve(m.group(3))) && !m.group(3).equals("expected.json")) {
                    ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                    send(ex, 200, Files.readAllBytes(fixture.resolve(m.group(3))));
                } else {
                    send(ex, 404, "Entry not found".getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @AfterEach
    void stopFakeHub() {
        if (server != null) server.stop(0);
    }

    private ModelResolver resolver(URI hub) {
        return new ModelResolver(tmp.resolve("hub"), hub, false, ModelResolver.Progress.NEVER, err);
    }

    @Test
    void anExistingDirectoryIsUsedAsItIs() {
        Path dir = Gpt2TinyFixture.dir();
        assertEquals(dir.toAbsolutePath().normalize(), resolver(endpoint).resolve(dir.toString()));
        assertTrue(requests.isEmpty());
    }

    @Test
    void aMissingDirectoryPathIsNamed() {
        String p = tmp.resolve("no/such/model").toString();
        var ex = assertThrows(ModelLoadException.class, () -> resolver(endpoint).resolve(p));
        assertMentions(ex, "model directory " + p + " does not exist");
    }

    @Test
    void downloadFillsTheHfCacheLayoutAndLoads() throws IOException {
        Path snap = resolver(endpoint).resolve("tiny-org/gpt2-tiny");
        Path repoDir = tmp.resolve("hub/models--tiny-org--gpt2-tiny");
        assertEquals(repoDir.resolve("snapshots/" + COMMIT), snap);
        assertEquals(COMMIT, Files.readString(repoDir.resolve("refs/main")));
        assertArrayEquals(Files.readAllBytes(Gpt2TinyFixture.dir().resolve("model.safetensors")), Files.readAllBytes(snap.resolve("model.safetensors")));
        try (var s = Files.list(snap)) {
            assertEquals(List.of("config.json", "model.safetensors"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary files left, no tokenizer on this hub");
        }
        assertTrue(requests.contains("/tiny-org/gpt2-tiny/resolve/" + COMMIT + "/model.safetensors"), "files after config.json are pinned to its commit");
        assertEquals(101, ModelDirectory.load(snap).config().dVocab());
    }

    @Test
    void aCachedModelIsServedWithoutTheNetwork() {
        Path first = resolver(endpoint).resolve("tiny-org/gpt2-tiny");
        requests.clear();
        server.stop(0);
        server = null;
        assertEquals(first, resolver(endpoint).resolve("tiny-org/gpt2-tiny"));
        assertTrue(requests.isEmpty());
    }

    @Test
    void aHandMadeCacheEntryIsFoundThroughRefsMain() throws IOException {
        Path repo = tmp.resolve("hub/models--someone--tiny");
        Path snap = Files.createDirectories(repo.resolve("snapshots/" + COMMIT));
        Files.copy(Gpt2TinyFixture.dir().resolve("config.json"), snap.resolve("config.json"));
        Files.copy(Gpt2TinyFixture.dir().resolve("model.safetensors"), snap.resolve("model.safetensors"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT + "\n");
        assertEquals(snap, resolver(URI.create("http://127.0.0.1:9")).resolve("someone/tiny"));
        assertEquals("someone/tiny", ModelDirectory.load(snap).config().name());
        assertTrue(requests.isEmpty());
    }

    @Test
    void aRedirectedNameIsCachedUnderTheNameTheUserGave() {
        Path snap = resolver(endpoint).resolve("gpt2-tiny");
        assertEquals(tmp.resolve("hub/models--gpt2-tiny/snapshots/" + COMMIT), snap);
        assertTrue(requests.contains("/tiny-org/gpt2-tiny/resolve/main/config.json"), requests.toString());
    }

    @Test
    void unknownModelNamesTheUrlTheCacheAndTheFix() {
        var ex = assertThrows(ModelLoadException.class, () -> resolver(endpoint).resolve("nobody/nothing"));
        assertMentions(ex, "unknown model 'nobody/nothing'", endpoint + "/nobody/nothing/resolve/main/config.json returned HTTP 404",
                tmp.resolve("hub").toString(), "models--nobody--nothing", "pass its directory");
    }

    @Test
    void noNetworkNamesTheEndpointAndTheCache() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } // closed: connections to it are refused
        URI dead = URI.create("http://127.0.0.1:" + port);
        var ex = assertThrows(ModelLoadException.class, () -> resolver(dead).resolve("tiny-org/gpt2-tiny"));
        assertMentions(ex, "cannot download model 'tiny-org/gpt2-tiny'", "no connection to " + dead, "ConnectException",
                tmp.resolve("hub").toString(), "pass its directory");
    }

    @Test
    void offlineModeRefusesToDownload() {
        var r = new ModelResolver(tmp.resolve("hub"), endpoint, true, ModelResolver.Progress.NEVER, err);
        var ex = assertThrows(ModelLoadException.class, () -> r.resolve("tiny-org/gpt2-tiny"));
        assertMentions(ex, "not in the Hugging Face cache", "HF_HUB_OFFLINE");
        assertTrue(requests.isEmpty());
    }

    @Test
    void aNameThatIsNeitherPathNorModelIdIsRejected() {
        var ex = assertThrows(ModelLoadException.class, () -> resolver(endpoint).resolve("gpt 2!"));
        assertMentions(ex, "'gpt 2!' is neither an existing directory nor a Hugging Face model id");
    }

    @Test
    void progressBarIsDrawnWhenAsked() {
        var r = new ModelResolver(tmp.resolve("hub"), endpoint, false, ModelResolver.Progress.ALWAYS, err);
        r.resolve("tiny-org/gpt2-tiny");
        String drawn = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.contains("model.safetensors [") && drawn.contains("100%"), drawn);
    }

    @Test
    void cacheDirectoryFollowsHuggingFaceEnvironmentVariables() {
        assertEquals(Path.of("/x/hub-cache"), ModelResolver.defaultCacheDir(Map.of("HF_HUB_CACHE", "/x/hub-cache", "HF_HOME", "/y")));
        assertEquals(Path.of("/y/hub"), ModelResolver.defaultCacheDir(Map.of("HF_HOME", "/y")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache/huggingface/hub"), ModelResolver.defaultCacheDir(Map.of()));
        assertEquals("models--openai-community--gpt2", ModelResolver.folderName("openai-community/gpt2"));
        assertEquals("models--gpt2", ModelResolver.folderName("gpt2"));
    }

    @Test
    void hfEndpointAndOfflineComeFromTheEnvironment() {
        var r = ModelResolver.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_ENDPOINT", endpoint.toString()),
                ModelResolver.Progress.NEVER, err);
        assertEquals(tmp.resolve("hub"), r.cacheDir());
        assertEquals(tmp.resolve("hub/models--tiny-org--gpt2-tiny/snapshots/" + COMMIT), r.resolve("tiny-org/gpt2-tiny"));
        var off = ModelResolver.fromEnvironment(Map.of("HF_HOME", tmp.resolve("other").toString(), "HF_ENDPOINT", endpoint.toString(),
                "HF_HUB_OFFLINE", "1"), ModelResolver.Progress.NEVER, err);
        assertThrows(ModelLoadException.class, () -> off.resolve("tiny-org/gpt2-tiny"));
    }
}
