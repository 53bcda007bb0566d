package dev.espalier.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Downloads hub repositories into the huggingface_hub cache layout (see {@link HubCache}) and answers with the local
 * snapshot folder. The protocol is huggingface_hub's: the repo info API names the commit and the files, a HEAD on
 * each file's resolve URL gives its ETag ({@code X-Linked-Etag} for LFS files, the sha256 of the content) and size,
 * and a GET (redirects followed, Authorization kept only on the hub's host) fetches it into
 * {@code blobs/<etag>.incomplete}, resumed with {@code Range} after a cut.
 *
 * <p>Once a revision's files are all in the cache (as the tree listing {@code trees/<commit>.json} tells),
 * {@link #snapshot} answers from the cache without asking the hub, even for a branch: pass a commit sha, or clear
 * {@code refs/<branch>}, to pick up newer commits.
 *
 * <p>Threads and processes sharing a cache take turns per blob on huggingface_hub's lock files,
 * {@code .locks/<repo folder>/<etag>.lock} ({@link BlobLock}): one downloads it, the others wait and then find it
 * complete. Refs and tree listings are replaced whole (written aside, then moved), so a reader never sees half.
 */
public final class HubClient {

    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    private static final int MAX_ATTEMPTS = 5;
    private static final int MAX_REDIRECTS = 10;
    private static final Set<Integer> BUSY = Set.of(429, 500, 502, 503, 504);
    private static final long MAX_BACKOFF_S = 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final HubCache cache;
    private final Optional<String> token;
    private final boolean offline;
    private final HttpClient http;

    private HubClient(Builder b) {
        this.endpoint = URI.create(b.endpoint.toString().replaceAll("/+$", ""));
        this.cache = new HubCache(b.cacheDir);
        this.token = Optional.ofNullable(b.token).map(String::strip).filter(t -> !t.isEmpty());
        this.offline = b.offline;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, see send()
                .build();
    }

    /** Configured like huggingface_hub: HF_ENDPOINT, HF_HUB_CACHE / HF_HOME, HF_TOKEN / HF_TOKEN_PATH, HF_HUB_OFFLINE. */
    public static HubClient fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static HubClient fromEnvironment(Map<String, String> env, Path home) {
        Path hfHome = Optional.ofNullable(blankToNull(env.get("HF_HOME"))).map(Path::of)
                .orElseGet(() -> Optional.ofNullable(blankToNull(env.get("XDG_CACHE_HOME"))).map(Path::of)
                        .orElse(home.resolve(".cache")).resolve("huggingface"));
        Path cacheDir = Optional.ofNullable(blankToNull(env.get("HF_HUB_CACHE"))).map(Path::of)
                .orElse(hfHome.resolve("hub"));
        String token = blankToNull(env.get("HF_TOKEN"));
        if (token == null) {
            Path tokenPath = Optional.ofNullable(blankToNull(env.get("HF_TOKEN_PATH"))).map(Path::of)
                    .orElse(hfHome.resolve("token"));
            token = readToken(tokenPath);
        }
        String offline = Objects.requireNonNullElse(env.get("HF_HUB_OFFLINE"), "").strip().toUpperCase(Locale.ROOT);
        return builder()
                .endpoint(URI.create(Objects.requireNonNullElse(blankToNull(env.get("HF_ENDPOINT")),
                        DEFAULT_ENDPOINT.toString())))
                .cacheDir(cacheDir)
                .token(token)
                .offline(List.of("1", "ON", "YES", "TRUE").contains(offline))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path cacheDir() {
        return cache.root();
    }

    public boolean offline() {
        return offline;
    }

    /** {@link #snapshot(RepoRef, Predicate, DownloadListener)} without progress reports. */
    public Path snapshot(RepoRef repo, Predicate<String> wantFile) {
        return snapshot(repo, wantFile, DownloadListener.NONE);
    }

    /**
     * Makes sure every file of {@code repo} accepted by {@code wantFile} is in the cache and returns the snapshot
     * folder ({@code .../snapshots/<commit>}), where they appear under their repo paths.
     *
     * @throws HubException naming the repo, file and HTTP status when the hub refuses or the download fails, or,
     *                      offline, when the revision is not cached
     */
    public Path snapshot(RepoRef repo, Predicate<String> wantFile, DownloadListener listener) {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(wantFile, "wantFile");
        Objects.requireNonNull(listener, "listener");
        try {
            Optional<Path> cached = cachedSnapshot(repo, wantFile);
            if (cached.isPresent()) {
                return cached.get();
            }
            if (offline) {
                throw notCached(repo);
            }
            return download(repo, wantFile, listener);
        } catch (IOException e) {
            throw new HubException(repo, null, 0, repo + ": cache error in " + cache.root() + ": " + e.getMessage(), e);
        }
    }

    /** The snapshot folder of {@code repo}'s revision if the cache holds it, found without any request. */
    public Optional<Path> cachedSnapshot(RepoRef repo) {
        return cache.commitOf(repo).map(commit -> cache.snapshotDir(repo, commit)).filter(Files::isDirectory);
    }

    /**
     * The paths of every file of {@code repo}, without downloading any: from the cache's tree listing when the
     * revision is cached, else from the hub's repo info (so a caller can choose files before {@link #snapshot}).
     *
     * @throws HubException as {@link #snapshot} does
     */
    public List<String> files(RepoRef repo) {
        Objects.requireNonNull(repo, "repo");
        Optional<List<String>> cached = cache.commitOf(repo).flatMap(commit -> cache.fileList(repo, commit));
        if (cached.isPresent()) {
            return cached.get();
        }
        if (offline) {
            throw notCached(repo);
        }
        return repoInfo(repo).files().stream().map(RepoFile::path).toList();
    }

    /** The snapshot folder if the cache can answer alone: offline, any cached snapshot; online, a complete one. */
    private Optional<Path> cachedSnapshot(RepoRef repo, Predicate<String> wantFile) {
        Optional<String> commit = cache.commitOf(repo);
        if (commit.isEmpty() || !Files.isDirectory(cache.snapshotDir(repo, commit.get()))) {
            return Optional.empty();
        }
        Optional<List<String>> files = cache.fileList(repo, commit.get());
        if (files.isEmpty()) {
            // No tree listing (older huggingface_hub): we cannot tell what is missing, so only offline trusts it.
            return offline ? Optional.of(cache.snapshotDir(repo, commit.get())) : Optional.empty();
        }
        List<String> missing = files.get().stream().filter(wantFile)
                .filter(f -> !Files.exists(cache.snapshotFile(repo, commit.get(), f)))
                .toList();
        if (!missing.isEmpty()) {
            if (offline) {
                throw new HubException(repo, missing.getFirst(), 0, repo + ": offline (HF_HUB_OFFLINE) and "
                        + missing.size() + " wanted file(s) are not in the cache " + cache.root() + ", e.g. "
                        + missing.getFirst());
            }
            return Optional.empty();
        }
        return Optional.of(cache.snapshotDir(repo, commit.get()));
    }

    private HubException notCached(RepoRef repo) {
        return new HubException(repo, null, 0, repo.kind().name().toLowerCase(Locale.ROOT) + " " + repo.id()
                + " at revision " + repo.revision() + " is not in the cache " + cache.root()
                + " and downloads are off (offline mode / HF_HUB_OFFLINE): download it once online");
    }

    private Path download(RepoRef repo, Predicate<String> wantFile, DownloadListener listener) throws IOException {
        RepoInfo info = repoInfo(repo);
        Path snapshot = cache.snapshotDir(repo, info.commit());
        Files.createDirectories(snapshot);
        for (RepoFile file : info.files()) {
            if (wantFile.test(file.path())) {
                fetchFile(repo, info.commit(), file.path(), listener);
            }
        }
        cache.writeTree(repo, info.commit(), info.files());
        cache.writeRef(repo, info.commit());
        return snapshot;
    }

    private record RepoInfo(String commit, List<RepoFile> files) {
    }

    private RepoInfo repoInfo(RepoRef repo) {
        URI uri = URI.create(endpoint + "/api/" + repo.kind().plural() + "/" + repo.id() + "/revision/"
                + encode(repo.revision()) + "?blobs=true");
        HttpResponse<InputStream> response = send(repo, null, "GET", uri, null);
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw statusError(repo, null, response);
            }
            JsonNode json = JSON.readTree(body);
            String sha = json.path("sha").asText("");
            if (!sha.matches("[0-9a-f]{40}")) {
                throw new HubException(repo, null, 200, repo + ": repo info from " + uri + " has no commit sha");
            }
            List<RepoFile> files = new ArrayList<>();
            json.path("siblings").forEach(s -> files.add(new RepoFile(s.path("rfilename").asText(),
                    s.path("size").asLong(-1), s.path("blobId").textValue(), s.path("lfs").path("sha256").textValue())));
            return new RepoInfo(sha, List.copyOf(files));
        } catch (IOException e) {
            throw new HubException(repo, null, 0, repo + ": cannot read repo info from " + uri + ": " + e.getMessage(),
                    e);
        }
    }

    private record FileMeta(String etag, long size) {
    }

    private void fetchFile(RepoRef repo, String commit, String file, DownloadListener listener) throws IOException {
        Path target = cache.snapshotFile(repo, commit, file);
        if (Files.exists(target)) {
            return;
        }
        URI uri = resolveUri(repo, commit, file);
        FileMeta meta = head(repo, commit, file, uri);
        Path blob = cache.blob(repo, meta.etag());
        try (BlobLock lock = BlobLock.acquire(cache.lockFile(repo, meta.etag()))) {
            // Looked at again: another process may have fetched the blob, or linked the file, while this one waited.
            // Linking it again would delete the link for a moment, under a process that may already be reading it.
            if (Files.exists(target)) {
                return;
            }
            if (!Files.exists(blob)) {
                fetchBlob(repo, file, uri, meta, blob, listener);
            }
            cache.link(target, blob);
        }
    }

    private URI resolveUri(RepoRef repo, String commit, String file) {
        StringBuilder path = new StringBuilder();
        for (String segment : file.split("/")) {
            path.append('/').append(encode(segment));
        }
        return URI.create(endpoint + "/" + repo.kind().urlPrefix() + repo.id() + "/resolve/" + commit + path);
    }

    /** HEAD without following the CDN redirect: the hub's own answer carries X-Linked-Etag / X-Linked-Size. */
    private FileMeta head(RepoRef repo, String commit, String file, URI uri) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<InputStream> response = send(repo, file, "HEAD", current, null);
            closeQuietly(response.body());
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            boolean relativeRedirect = status / 100 == 3 && location != null && !URI.create(location).isAbsolute();
            if (relativeRedirect) {
                current = current.resolve(location);
                continue;
            }
            if (status / 100 != 2 && status / 100 != 3) {
                throw statusError(repo, file, response);
            }
            String etag = response.headers().firstValue("X-Linked-Etag")
                    .or(() -> response.headers().firstValue("ETag"))
                    .map(HubClient::normalizeEtag)
                    .filter(e -> !e.isEmpty())
                    .orElseThrow(() -> new HubException(repo, file, status, repo + " file " + file
                            + ": the hub sent no ETag, so the file cannot be cached"));
            long size = response.headers().firstValue("X-Linked-Size")
                    .or(() -> response.headers().firstValue("Content-Length"))
                    .map(Long::parseLong).orElse(-1L);
            Optional<String> servedCommit = response.headers().firstValue("X-Repo-Commit");
            if (servedCommit.isPresent() && !servedCommit.get().equals(commit)) {
                // the blob would be filed under a snapshot it does not belong to
                throw new HubException(repo, file, status, repo + " file " + file + ": asked for commit " + commit
                        + " but the hub answered for " + servedCommit.get());
            }
            return new FileMeta(etag, size);
        }
        throw new HubException(repo, file, 0, repo + " file " + file + ": too many redirects from " + uri);
    }

    private void fetchBlob(RepoRef repo, String file, URI uri, FileMeta meta, Path blob, DownloadListener listener)
            throws IOException {
        Path part = cache.incomplete(repo, meta.etag());
        Files.createDirectories(part.getParent());
        IOException lastCut = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            long have = Files.exists(part) ? Files.size(part) : 0;
            if (meta.size() >= 0 && have == meta.size()) {
                break;
            }
            try {
                if (transfer(repo, file, uri, meta, part, have, listener)) {
                    break;
                }
            } catch (IOException e) {
                lastCut = e; // connection cut: the next attempt resumes from what reached the disk
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new HubException(repo, file, 0, repo + " file " + file + ": download did not complete after "
                        + MAX_ATTEMPTS + " attempts (" + Files.size(part) + " of " + meta.size() + " bytes)", lastCut);
            }
        }
        verify(repo, file, meta, part);
        Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One GET from byte {@code have} on; true when the body ended at the expected size. */
    private boolean transfer(RepoRef repo, String file, URI uri, FileMeta meta, Path part, long have,
                             DownloadListener listener) throws IOException {
        HttpResponse<InputStream> response = send(repo, file, "GET", uri, have > 0 ? "bytes=" + have + "-" : null);
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 416 && meta.size() >= 0 && have >= meta.size()) {
                return true;
            }
            if (status != 200 && status != 206) {
                throw statusError(repo, file, response);
            }
            boolean append = status == 206;
            long done = append ? have : 0;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[1 << 16];
                listener.progress(file, done, meta.size());
                for (int n; (n = body.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    done += n;
                    listener.progress(file, done, meta.size());
                }
            }
            return meta.size() < 0 || done >= meta.size();
        }
    }

    private static void verify(RepoRef repo, String file, FileMeta meta, Path part) throws IOException {
        long size = Files.size(part);
        if (meta.size() >= 0 && size != meta.size()) {
            Files.deleteIfExists(part);
            throw new HubException(repo, file, 0, repo + " file " + file + ": got " + size + " bytes, the hub said "
                    + meta.size());
        }
        if (SHA256.matcher(meta.etag()).matches()) {
            String actual = sha256(part);
            if (!actual.equals(meta.etag())) {
                Files.deleteIfExists(part);
                throw new HubException(repo, file, 0, repo + " file " + file + ": sha256 " + actual
                        + " does not match the hub's " + meta.etag());
            }
        }
    }

    /** Sends one request, following redirects by hand so the token never leaves the hub's host. */
    private HttpResponse<InputStream> send(RepoRef repo, String file, String method, URI uri, String range) {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", "espalier-hub/1 java/" + Runtime.version().feature())
                    .header("Accept-Encoding", "identity");
            if (token.isPresent() && Objects.equals(current.getHost(), endpoint.getHost())) {
                request.header("Authorization", "Bearer " + token.get());
            }
            if (range != null) {
                request.header("Range", range);
            }
            HttpResponse<InputStream> response = sendRetryingBusy(repo, file, request.build());
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if (method.equals("HEAD") || status / 100 != 3 || location.isEmpty()) {
                return response;
            }
            closeQuietly(response.body());
            current = current.resolve(location.get());
        }
        throw new HubException(repo, file, 0, repo + ": too many redirects from " + uri);
    }

    /** One request, repeated with backoff while the hub answers "busy" (429, 5xx), as huggingface_hub does. */
    private HttpResponse<InputStream> sendRetryingBusy(RepoRef repo, String file, HttpRequest request) {
        try {
            for (int attempt = 1; ; attempt++) {
                HttpResponse<InputStream> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                } catch (IOException e) {
                    throw new HubException(repo, file, 0, repo + (file == null ? "" : " file " + file)
                            + ": cannot reach " + request.uri() + " (" + describe(e) + "): check the network, or set "
                            + "HF_ENDPOINT to a mirror, or HF_HUB_OFFLINE=1 with the model already in the cache", e);
                }
                if (!BUSY.contains(response.statusCode()) || attempt == MAX_ATTEMPTS) {
                    return response;
                }
                closeQuietly(response.body());
                long waitMs = response.headers().firstValue("Retry-After")
                        .filter(v -> v.matches("\\d{1,4}"))
                        .map(v -> Math.min(Long.parseLong(v), MAX_BACKOFF_S) * 1000)
                        .orElse(Math.min(500L << (attempt - 1), MAX_BACKOFF_S * 1000));
                Thread.sleep(waitMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(repo, file, 0, repo + ": interrupted", e);
        }
    }

    private HubException statusError(RepoRef repo, String file, HttpResponse<?> response) {
        int status = response.statusCode();
        String what = switch (status) {
            case 401, 403 -> token.isPresent()
                    ? "gated or private, and the token in HF_TOKEN was refused: check it has access"
                    : "gated or private: set HF_TOKEN";
            case 404 -> "no such repo/revision/file";
            default -> "unexpected answer";
        };
        String detail = response.headers().firstValue("X-Error-Message").map(m -> " (" + m + ")").orElse("");
        return new HubException(repo, file, status, repo + (file == null ? "" : " file " + file) + ": HTTP "
                + status + " " + what + detail);
    }

    /** The JDK's connection errors often carry no message (a refused connect, a timeout): name the kind too. */
    private static String describe(IOException e) {
        Throwable cause = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static String normalizeEtag(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.replace("\"", "");
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String readToken(Path path) {
        try {
            return Files.isRegularFile(path) ? blankToNull(Files.readString(path).strip()) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hub token file " + path, e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing useful is lost with the body of a HEAD or redirect
        }
    }

    /** For tests and embedding: everything {@link #fromEnvironment()} reads, set by hand. */
    public static final class Builder {
        private URI endpoint = DEFAULT_ENDPOINT;
        private Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
        private String token;
        private boolean offline;

        private Builder() {
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        /** Sent as {@code Authorization: Bearer} to the endpoint's host only; null for none. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Answer from the cache only, as HF_HUB_OFFLINE=1 does. */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public HubClient build() {
            return new HubClient(this);
        }
    }
}
