package dev.espalier.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hub on 127.0.0.1 that answers like huggingface.co: repo info API, resolve URLs (LFS files redirect to a CDN path
 * with X-Linked-Etag / X-Linked-Size, small files answer with a git ETag), Range requests, and optional connection
 * cuts. Every request is recorded for assertions.
 */
public final class FakeHub implements AutoCloseable {

    public record Request(String method, String path, String authorization, String range) {
    }

    public record RepoFile(byte[] content, boolean lfs) {
        String etag() {
            return lfs ? sha256(content) : blobId();
        }

        /** Git blob id: of the content for small files, of the pointer file for LFS files (faked here). */
        String blobId() {
            return lfs ? sha256(content).substring(24) : sha256(content).substring(0, 40);
        }
    }

    private record Repo(String commit, Map<String, RepoFile> files, boolean gated) {
    }

    private static final Pattern INFO = Pattern.compile("/api/(models|datasets)/(.+)/revision/([^/]+)");
    private static final Pattern RESOLVE = Pattern.compile("/(datasets/)?(.+?)/resolve/([^/]+)/(.+)");
    private static final int HELD_PIECE = 1 << 16;
    private static final long MAX_HOLD_MS = 60_000;

    private final HttpServer server;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, Integer> cutAfterOnce = new ConcurrentHashMap<>();
    private final AtomicInteger busy = new AtomicInteger();
    private volatile String servedCommit;
    private volatile BooleanSupplier releaseBodies = () -> true;
    public final List<Request> requests = new CopyOnWriteArrayList<>();

    public FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        // One thread per exchange, as a real hub serves clients at once (the default dispatcher serves one by one).
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Adds a repo ("models/org/name" or "datasets/org/name") whose main branch points at {@code commit}. */
    public void addRepo(String kindAndId, String commit, Map<String, RepoFile> files, boolean gated) {
        repos.put(kindAndId, new Repo(commit, Map.copyOf(files), gated));
    }

    /** Adds a public repo of small text files (no LFS), as {@link #addRepo} does. */
    public void addTextRepo(String kindAndId, String commit, Map<String, String> files) {
        Map<String, RepoFile> bytes = new java.util.HashMap<>();
        files.forEach((name, text) -> bytes.put(name, new RepoFile(text.getBytes(StandardCharsets.UTF_8), false)));
        addRepo(kindAndId, commit, bytes, false);
    }

    /** Resolve answers name this commit in X-Repo-Commit, as a misbehaving mirror might. */
    void serveCommit(String commit) {
        servedCommit = commit;
    }

    /** The next {@code times} requests of any kind are answered 503 with Retry-After: 0. */
    void busyFor(int times) {
        busy.set(times);
    }

    /**
     * File bodies send their first 64 KiB, then wait until {@code release} holds, so that a test can have other
     * clients ask for the same file while its download is under way, without depending on how fast anything runs. A
     * body waits at most a minute, so a test whose condition never comes true fails on its assertions, not by hanging.
     */
    public void holdBodiesUntil(BooleanSupplier release) {
        releaseBodies = release;
    }

    /** The next download of the blob with this sha256 sends only {@code bytes} bytes, then closes the connection. */
    void cutOnce(String sha256, int bytes) {
        cutAfterOnce.put(sha256, bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Authorization"),
                    ex.getRequestHeaders().getFirst("Range")));
            if (busy.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                ex.getResponseHeaders().set("Retry-After", "0");
                send(ex, 503, "busy");
                return;
            }
            Matcher info = INFO.matcher(path);
            Matcher resolve = RESOLVE.matcher(path);
            if (info.matches()) {
                serveInfo(ex, info.group(1) + "/" + info.group(2), info.group(3));
            } else if (path.startsWith("/cdn/")) {
                serveBlob(ex, path.substring("/cdn/".length()));
            } else if (resolve.matches()) {
                String kind = resolve.group(1) == null ? "models" : "datasets";
                serveResolve(ex, kind + "/" + resolve.group(2), resolve.group(3), resolve.group(4));
            } else {
                send(ex, 404, "not found");
            }
        }
    }

    private Repo repo(HttpExchange ex, String key, String revision) throws IOException {
        Repo repo = repos.get(key);
        if (repo == null || !(revision.equals("main") || revision.equals(repo.commit()))) {
            ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            send(ex, 404, "Repository not found");
            return null;
        }
        if (repo.gated() && !"Bearer secret-token".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            ex.getResponseHeaders().set("X-Error-Message", "Access to this repo is restricted");
            send(ex, 401, "unauthorized");
            return null;
        }
        return repo;
    }

    private void serveInfo(HttpExchange ex, String key, String revision) throws IOException {
        Repo repo = repo(ex, key, revision);
        if (repo == null) {
            return;
        }
        StringBuilder json = new StringBuilder("{\"id\":\"" + key + "\",\"sha\":\"" + repo.commit() + "\",\"siblings\":[");
        String sep = "";
        for (String name : repo.files().keySet().stream().sorted().toList()) {
            RepoFile f = repo.files().get(name);
            json.append(sep).append("{\"rfilename\":\"").append(name).append('"');
            if ("true".equals(ex.getRequestURI().getQuery() == null ? null : ex.getRequestURI().getQuery()
                    .replace("blobs=", ""))) {
                json.append(",\"size\":").append(f.content().length)
                        .append(",\"blobId\":\"").append(f.blobId()).append('"');
                if (f.lfs()) {
                    json.append(",\"lfs\":{\"sha256\":\"").append(f.etag()).append("\",\"size\":")
                            .append(f.content().length).append(",\"pointerSize\":134}");
                }
            }
            json.append('}');
            sep = ",";
        }
        send(ex, 200, json.append("]}").toString());
    }

    private void serveResolve(HttpExchange ex, String key, String revision, String file) throws IOException {
        Repo repo = repo(ex, key, revision);
        if (repo == null) {
            return;
        }
        RepoFile f = repo.files().get(file);
        if (f == null) {
            ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
            send(ex, 404, "Entry not found");
            return;
        }
        ex.getResponseHeaders().set("X-Repo-Commit", servedCommit != null ? servedCommit : repo.commit());
        if (f.lfs()) {
            ex.getResponseHeaders().set("X-Linked-Etag", "\"" + f.etag() + "\"");
            ex.getResponseHeaders().set("X-Linked-Size", Long.toString(f.content().length));
            ex.getResponseHeaders().set("ETag", "\"not-the-content-hash\"");
            ex.getResponseHeaders().set("Location", endpoint() + "/cdn/" + f.etag());
            ex.sendResponseHeaders(302, -1);
            return;
        }
        ex.getResponseHeaders().set("ETag", "W/\"" + f.etag() + "\"");
        ex.getResponseHeaders().set("X-Linked-Size", Long.toString(f.content().length));
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
        } else {
            serveBytes(ex, f.content(), null);
        }
    }

    private void serveBlob(HttpExchange ex, String sha) throws IOException {
        RepoFile f = repos.values().stream().flatMap(r -> r.files().values().stream())
                .filter(x -> x.etag().equals(sha)).findFirst().orElse(null);
        if (f == null) {
            send(ex, 404, "no blob");
            return;
        }
        serveBytes(ex, f.content(), cutAfterOnce.remove(sha));
    }

    private void serveBytes(HttpExchange ex, byte[] content, Integer cutAfter) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/"
                    + content.length);
        }
        int length = content.length - from;
        ex.sendResponseHeaders(range == null ? 200 : 206, length == 0 ? -1 : length);
        OutputStream out = ex.getResponseBody();
        if (cutAfter != null) {
            out.write(content, from, cutAfter);
            out.flush();
            throw new IOException("fake hub cuts the connection after " + cutAfter + " bytes");
        }
        int first = Math.min(length, HELD_PIECE);
        out.write(content, from, first);
        out.flush();
        awaitRelease(releaseBodies);
        out.write(content, from + first, length - first);
    }

    private static void awaitRelease(BooleanSupplier release) throws IOException {
        long deadline = System.currentTimeMillis() + MAX_HOLD_MS;
        try {
            while (!release.getAsBoolean() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("fake hub stopped while holding a body", e);
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
