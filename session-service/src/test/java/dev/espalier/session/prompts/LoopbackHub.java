package dev.espalier.session.prompts;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face hub on 127.0.0.1 serving dataset and model repos of small (non-LFS) files the way huggingface.co does: the
 * repo info API ({@code /api/datasets/<id>/revision/<rev>}) and resolve URLs with ETag, size and commit headers.
 */
public final class LoopbackHub implements AutoCloseable {

    private static final Pattern INFO = Pattern.compile("/api/(models|datasets)/(.+)/revision/([^/]+)");
    /** Repos are keyed by their URL path: "datasets/<id>" for datasets, "<id>" for models. */
    private static final Pattern RESOLVE = Pattern.compile("/(.+?)/resolve/([^/]+)/(.+)");

    private record Repo(String commit, Map<String, byte[]> files) {
    }

    private final HttpServer server;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public LoopbackHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void addDataset(String id, String commit, Map<String, String> files) {
        add("datasets/" + id, commit, files);
    }

    public void addModel(String id, String commit, Map<String, String> files) {
        add(id, commit, files);
    }

    private void add(String key, String commit, Map<String, String> files) {
        Map<String, byte[]> bytes = new ConcurrentHashMap<>();
        files.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        repos.put(key, new Repo(commit, bytes));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            Matcher info = INFO.matcher(path);
            Matcher resolve = RESOLVE.matcher(path);
            String infoKey = info.matches()
                    ? (info.group(1).equals("datasets") ? "datasets/" : "") + info.group(2) : null;
            if (infoKey != null && repos.containsKey(infoKey)) {
                Repo repo = repos.get(infoKey);
                StringBuilder json = new StringBuilder("{\"id\":\"" + info.group(2) + "\",\"sha\":\"" + repo.commit()
                        + "\",\"siblings\":[");
                String sep = "";
                for (String name : repo.files().keySet().stream().sorted().toList()) {
                    byte[] content = repo.files().get(name);
                    json.append(sep).append("{\"rfilename\":\"").append(name).append("\",\"size\":")
                            .append(content.length).append(",\"blobId\":\"").append(blobId(content)).append("\"}");
                    sep = ",";
                }
                send(ex, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
            } else if (resolve.matches() && repos.containsKey(resolve.group(1))
                    && repos.get(resolve.group(1)).files().containsKey(resolve.group(3))) {
                Repo repo = repos.get(resolve.group(1));
                byte[] content = repo.files().get(resolve.group(3));
                ex.getResponseHeaders().set("X-Repo-Commit", repo.commit());
                ex.getResponseHeaders().set("ETag", "W/\"" + blobId(content) + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", Long.toString(content.length));
                if (ex.getRequestMethod().equals("HEAD")) {
                    ex.sendResponseHeaders(200, -1);
                } else {
                    send(ex, 200, content);
                }
            } else {
                ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
                send(ex, 404, "Repository not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Stands in for the git blob id: stable per content, 40 hex digits. */
    private static String blobId(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }
}
