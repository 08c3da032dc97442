package dev.acdc.patching.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a model name into a local directory the way users already keep models:
 * <ol>
 *   <li>an existing directory path is used as it is;</li>
 *   <li>a Hugging Face model id ({@code gpt2}, {@code openai-community/gpt2}) is looked up in the Hugging Face
 *       cache — {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub} — as
 *       {@code models--<org>--<name>/refs/main} → {@code snapshots/<commit>/};</li>
 *   <li>else it is downloaded over HTTPS from {@code {endpoint}/{repo}/resolve/{revision}/{file}} (endpoint
 *       {@code https://huggingface.co}, or {@code $HF_ENDPOINT}) into that cache layout: {@code config.json},
 *       {@code model.safetensors} (or {@code model.safetensors.index.json} and every shard it lists), and
 *       {@code tokenizer.json} (or {@code vocab.json} + {@code merges.txt}), each
 *       written to a temporary file and moved into place, with progress on stderr (a bar on a terminal, plain lines
 *       with an estimate of the time left when redirected).</li>
 * </ol>
 * Files are stored directly in the snapshot folder (no blob symlinks), which {@code huggingface_hub} also reads.
 * {@code HF_HUB_OFFLINE=1} forbids downloads.
 *
 * <p>A name never silently becomes a different model: the only aliases are the hub's own renames of the
 * same repository ({@code gpt2} is {@code openai-community/gpt2}; the hub redirects one to the other), which
 * are tried when looking in the cache. Failures (unknown model, no network, HTTP errors) throw a
 * {@link ModelLoadException} naming where it looked and how to provide the model.
 */
public final class ModelResolver {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    public static final String DEFAULT_REVISION = "main";

    /** When to draw the download progress bar. */
    public enum Progress {
        /** A bar when the JVM has a console (an interactive terminal), plain lines with an estimate otherwise. */
        AUTO,
        ALWAYS,
        NEVER
    }

    /** Hub repositories that were renamed; the old id redirects to the new one (the same model). */
    private static final Map<String, String> HUB_RENAMES = Map.of(
            "gpt2", "openai-community/gpt2",
            "gpt2-medium", "openai-community/gpt2-medium",
            "gpt2-large", "openai-community/gpt2-large",
            "gpt2-xl", "openai-community/gpt2-xl",
            "distilgpt2", "distilbert/distilgpt2");

    private static final Pattern REPO_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$");
    private static final Pattern COMMIT = Pattern.compile("^[0-9a-f]{40}$");
    private static final String COMMIT_HEADER = "X-Repo-Commit";

    private final Path cacheDir;
    private final URI endpoint;
    private final boolean offline;
    private final Progress progress;
    private final PrintStream err;
    private volatile HttpClient http;   // made on the first download: building one sets up TLS (~0.5 s of start-up)

    /**
     * @param cacheDir the hub cache folder (the one holding {@code models--…} folders)
     * @param endpoint the hub, e.g. {@link #DEFAULT_ENDPOINT} or a mirror
     * @param offline  whether downloads are forbidden
     * @param progress when to draw a progress bar on {@code err}
     */
    public ModelResolver(Path cacheDir, URI endpoint, boolean offline, Progress progress, PrintStream err) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath().normalize();
        String e = Objects.requireNonNull(endpoint, "endpoint").toString();
        this.endpoint = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
        this.offline = offline;
        this.progress = Objects.requireNonNull(progress, "progress");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** The HTTP client, made when the first download needs it. */
    private HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                h = http;
                if (h == null) {
                    http = h = HttpClient.newBuilder()
                            .connectTimeout(Duration.ofSeconds(15))
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .build();
                }
            }
        }
        return h;
    }

    /** A resolver configured like {@code huggingface_hub}: HF_HUB_CACHE, HF_HOME, HF_ENDPOINT, HF_HUB_OFFLINE. */
    public static ModelResolver fromEnvironment() {
        return fromEnvironment(System.getenv(), Progress.AUTO, System.err);
    }

    static ModelResolver fromEnvironment(Map<String, String> env, Progress progress, PrintStream err) {
        String ep = env.get("HF_ENDPOINT");
        URI endpoint = ep == null || ep.isBlank() ? DEFAULT_ENDPOINT : URI.create(ep.trim());
        String off = env.getOrDefault("HF_HUB_OFFLINE", "");
        boolean offline = Set.of("1", "true", "yes", "on").contains(off.trim().toLowerCase(java.util.Locale.ROOT));
        return new ModelResolver(defaultCacheDir(env), endpoint, offline, progress, err);
    }

    /** {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}. */
    public static Path defaultCacheDir(Map<String, String> env) {
        String hubCache = env.get("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) return Path.of(expandHome(hubCache.trim()));
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) return Path.of(expandHome(home.trim())).resolve("hub");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** The same resolver with another cache folder. */
    public ModelResolver withCacheDir(Path dir) {
        return new ModelResolver(dir, endpoint, offline, progress, err);
    }

    /** The same resolver, with downloads forbidden when {@code noDownloads} is true. */
    public ModelResolver withOffline(boolean noDownloads) {
        return new ModelResolver(cacheDir, endpoint, offline || noDownloads, progress, err);
    }

    /**
     * A local directory holding the model's {@code config.json} and {@code model.safetensors}.
     *
     * @throws ModelLoadException when the name is neither a directory nor a model that the cache or the hub has
     */
    public Path resolve(String name) {
        if (name == null || name.isBlank()) throw new ModelLoadException("empty model name: expected a directory path or a Hugging Face model id such as gpt2");
        Path asPath = Path.of(expandHome(name.trim()));
        if (Files.isDirectory(asPath)) return asPath.toAbsolutePath().normalize();
        if (Files.exists(asPath)) {
            throw new ModelLoadException("model " + asPath.toAbsolutePath().normalize() + " is a file, not a model directory"
                    + " (expected a directory with config.json and model.safetensors)");
        }
        if (looksLikePath(name)) {
            throw new ModelLoadException("model directory " + asPath.toAbsolutePath().normalize() + " does not exist"
                    + " (expected a directory with config.json and model.safetensors)");
        }
        String repo = name.trim();
        if (!REPO_ID.matcher(repo).matches() || repo.contains("--") || repo.contains("..")) {
            throw new ModelLoadException("'" + name + "' is neither an existing directory nor a Hugging Face model id"
                    + " (expected e.g. gpt2, openai-community/gpt2, or a path to a model directory)");
        }
        Optional<Path> cached = findInCache(repo);
        if (cached.isPresent()) return cached.get();
        if (offline) {
            throw new ModelLoadException("model '" + repo + "' is not in the Hugging Face cache " + cacheDir + " (looked for "
                    + String.join(", ", cacheFolders(repo)) + ") and downloads are off (offline mode: --offline or HF_HUB_OFFLINE); "
                    + howToProvide());
        }
        return download(repo, DEFAULT_REVISION);
    }

    /** A complete cached snapshot of {@code repo} (or of the same repo under its hub rename), if any. */
    public Optional<Path> findInCache(String repo) {
        for (String candidate : cacheCandidates(repo)) {
            Optional<Path> snap = cachedSnapshot(cacheDir.resolve(folderName(candidate)));
            if (snap.isPresent()) return snap;
        }
        return Optional.empty();
    }

    private Optional<Path> cachedSnapshot(Path repoDir) {
        Path snapshots = repoDir.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) return Optional.empty();
        Path ref = repoDir.resolve("refs").resolve(DEFAULT_REVISION);
        if (Files.isRegularFile(ref)) {
            try {
                Path snap = snapshots.resolve(Files.readString(ref, StandardCharsets.UTF_8).trim());
                return isComplete(snap) ? Optional.of(snap) : Optional.empty();
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read " + ref + ": " + ex.getMessage(), ex);
            }
        }
        List<Path> complete = new ArrayList<>();
        try (Stream<Path> s = Files.list(snapshots)) {
            s.filter(ModelResolver::isComplete).forEach(complete::add);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot list " + snapshots + ": " + ex.getMessage(), ex);
        }
        if (complete.size() == 1) return Optional.of(complete.get(0));
        if (complete.size() > 1) {
            throw new ModelLoadException(repoDir + " has no refs/" + DEFAULT_REVISION + " and " + complete.size()
                    + " complete snapshots " + complete.stream().map(p -> p.getFileName().toString()).toList()
                    + "; expected one: pass the snapshot directory you mean as the model path");
        }
        return Optional.empty();
    }

    /** A config and the weights: one file, or an index and every shard it lists (a download cut short has not all). */
    private static boolean isComplete(Path snapshot) {
        if (!Files.isRegularFile(snapshot.resolve(Gpt2CheckpointLoader.CONFIG_FILE))) return false;
        if (Files.isRegularFile(snapshot.resolve(CheckpointFiles.SINGLE))) return true;
        if (!Files.isRegularFile(snapshot.resolve(CheckpointFiles.INDEX))) return false;
        try {
            return shardNames(snapshot.resolve(CheckpointFiles.INDEX)).stream().allMatch(f -> Files.isRegularFile(snapshot.resolve(f)));
        } catch (ModelLoadException ex) {
            return false;
        }
    }

    /** The shard files a {@code model.safetensors.index.json} lists, each a plain file name. */
    private static Set<String> shardNames(Path index) {
        var map = ConfigJson.readObject(index).get("weight_map");
        if (map == null || !map.isJsonObject()) throw new ModelLoadException(index + ": expected a \"weight_map\" object");
        Set<String> files = new java.util.TreeSet<>();
        for (var e : map.getAsJsonObject().entrySet()) {
            String f = e.getValue().getAsString();
            if (!f.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) throw new ModelLoadException(index + ": shard name '" + f + "' is not a plain file name");
            files.add(f);
        }
        return files;
    }

    /**
     * Downloads {@code repo} at {@code revision} into the cache and returns its snapshot directory.
     * Files already in the snapshot are not fetched again.
     */
    public Path download(String repo, String revision) {
        Path repoDir = cacheDir.resolve(folderName(repo));
        String where = "looked in the Hugging Face cache " + cacheDir + " (" + folderName(repo) + ")";
        try {
            Fetch config = fetch(repo, revision, Gpt2CheckpointLoader.CONFIG_FILE);
            if (config.status() != 200) {
                String what = config.status() == 404 || config.status() == 401 || config.status() == 403
                        ? "unknown model '" + repo + "'" : "cannot download model '" + repo + "'";
                throw new ModelLoadException(what + ": " + config.url() + " returned HTTP " + config.status()
                        + " (expected 200); " + where + "; " + howToProvide());
            }
            String commit = config.commit().orElse(revision);
            Path snapshot = repoDir.resolve("snapshots").resolve(commit);
            Files.createDirectories(snapshot);
            store(config, snapshot);
            // Pin the remaining files to the commit the config came from.
            String pinned = COMMIT.matcher(commit).matches() ? commit : revision;
            if (!fetchOptional(repo, pinned, CheckpointFiles.SINGLE, snapshot)) {
                // a checkpoint above transformers' shard size: the index, then every shard it lists
                fetchRequired(repo, pinned, CheckpointFiles.INDEX, snapshot);
                for (String shard : shardNames(snapshot.resolve(CheckpointFiles.INDEX))) fetchRequired(repo, pinned, shard, snapshot);
            }
            if (!fetchOptional(repo, pinned, HfTokenizer.TOKENIZER_JSON, snapshot)) {
                fetchOptional(repo, pinned, HfTokenizer.VOCAB_JSON, snapshot);
                fetchOptional(repo, pinned, HfTokenizer.MERGES_TXT, snapshot);
            }
            if (!revision.equals(commit)) writeRef(repoDir, revision, commit);
            return snapshot;
        } catch (InterruptedIOException ex) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("download of model '" + repo + "' was interrupted", ex);
        } catch (IOException ex) {
            throw new ModelLoadException("cannot download model '" + repo + "': no connection to " + endpoint + " ("
                    + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()) + "); " + where
                    + "; " + howToProvide(), ex);
        }
    }

    private void fetchRequired(String repo, String revision, String file, Path snapshot) throws IOException {
        if (Files.isRegularFile(snapshot.resolve(file))) return;
        Fetch f = fetch(repo, revision, file);
        if (f.status() != 200) {
            throw new ModelLoadException("cannot download model '" + repo + "': " + f.url() + " returned HTTP " + f.status()
                    + " (expected 200; only safetensors checkpoints are read: model.safetensors, or model.safetensors.index.json and its shards)");
        }
        store(f, snapshot);
    }

    private boolean fetchOptional(String repo, String revision, String file, Path snapshot) throws IOException {
        if (Files.isRegularFile(snapshot.resolve(file))) return true;
        Fetch f = fetch(repo, revision, file);
        if (f.status() == 404) return false;
        if (f.status() != 200) {
            throw new ModelLoadException("cannot download " + file + " of model '" + repo + "': " + f.url() + " returned HTTP "
                    + f.status() + " (expected 200 or 404)");
        }
        store(f, snapshot);
        return true;
    }

    /** An HTTP response whose body has not been read yet (closed by {@link #store} or on error). */
    private record Fetch(String file, URI url, int status, long length, Optional<String> commit, InputStream body) {}

    private Fetch fetch(String repo, String revision, String file) throws IOException {
        URI url = URI.create(endpoint + "/" + repo + "/resolve/" + revision + "/" + file);
        HttpRequest req = HttpRequest.newBuilder(url).GET().header("User-Agent", "acdc-jvm/0.1").build();
        HttpResponse<InputStream> resp;
        try {
            resp = http().send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching " + url);
        }
        Optional<String> commit = resp.headers().firstValue(COMMIT_HEADER).map(String::trim).filter(COMMIT.asPredicate());
        long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (resp.statusCode() != 200) resp.body().close();
        return new Fetch(file, resp.uri(), resp.statusCode(), length, commit, resp.body());
    }

    /** Streams a response body to {@code snapshot/file} through a temporary file. */
    private void store(Fetch f, Path snapshot) throws IOException {
        Path target = snapshot.resolve(f.file());
        Path tmp = PlainFiles.createTempFile(snapshot, "." + f.file() + ".", ".incomplete");
        // a bar on a terminal; redirected (AUTO without a console), plain lines with an estimate instead of silence
        boolean terminal = progress == Progress.ALWAYS || (progress == Progress.AUTO && System.console() != null);
        DownloadProgress bar = progress == Progress.NEVER ? null : new DownloadProgress(err, f.file(), f.length(), terminal);
        long done = 0;
        try {
            try (InputStream in = f.body(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, r);
                    done += r;
                    if (bar != null) bar.update(done);
                }
            }
            if (bar != null) bar.finish(done);
            if (f.length() >= 0 && done != f.length()) {
                throw new ModelLoadException("download of " + f.url() + " was cut short: expected " + f.length() + " bytes, got " + done);
            }
            SafetensorsWriter.moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeRef(Path repoDir, String revision, String commit) throws IOException {
        Path refs = Files.createDirectories(repoDir.resolve("refs"));
        Path tmp = PlainFiles.createTempFile(refs, "." + revision + ".", ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            SafetensorsWriter.moveIntoPlace(tmp, refs.resolve(revision));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code models--org--name}, as huggingface_hub names a model repo's cache folder. */
    static String folderName(String repo) {
        return "models--" + repo.replace("/", "--");
    }

    private static List<String> cacheCandidates(String repo) {
        Set<String> c = new LinkedHashSet<>();
        c.add(repo);
        String renamed = HUB_RENAMES.get(repo);
        if (renamed != null) c.add(renamed);
        HUB_RENAMES.forEach((old, current) -> {
            if (current.equals(repo)) c.add(old);
        });
        return List.copyOf(c);
    }

    private static List<String> cacheFolders(String repo) {
        return cacheCandidates(repo).stream().map(ModelResolver::folderName).toList();
    }

    private static String howToProvide() {
        return "to use a model without the network, pass its directory (config.json + model.safetensors) as the model,"
                + " or put it in the Hugging Face cache (HF_HOME / HF_HUB_CACHE)";
    }

    private static boolean looksLikePath(String name) {
        return name.startsWith("/") || name.startsWith(".") || name.startsWith("~") || name.contains("\\")
                || name.endsWith("/") || name.contains(java.io.File.separator + java.io.File.separator);
    }

    private static String expandHome(String p) {
        if (p.equals("~")) return System.getProperty("user.home");
        if (p.startsWith("~/")) return System.getProperty("user.home") + p.substring(1);
        return p;
    }
}
