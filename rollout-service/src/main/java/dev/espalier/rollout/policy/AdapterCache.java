package dev.espalier.rollout.policy;

import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.rollout.generation.RolloutWorker.TransientFailure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import ai.djl.ndarray.NDManager;

/**
 * Adapters fetched from the trainer-service ({@code GET /adapters/{session}/{version}}, a zip of the PEFT files),
 * loaded onto the shared base model, checked, and kept per (session, version), the least recently used dropped
 * beyond {@code capacity}. The check: the loaded adapter's sha256 must equal the one the trainer states, and the one
 * its StepApplied announced when this process saw that event. Version 0 is the base model itself: a fresh PEFT
 * adapter has B = 0, so it changes no output.
 * <p>
 * A new version of a session this process served recently is downloaded, loaded and checked as soon as the trainer
 * announces it ({@link #prefetch}), while the session-service is still issuing the prompt that will need it: all of
 * that is off the choice-to-rollouts path (loading took 7–10 ms of it, on the model thread, which is idle then).
 * Only the newest announced version per session is kept waiting; one replaced or never used is closed, and one that
 * failed is simply fetched again when asked for.
 * <p>
 * {@link #policy} runs on the model thread ({@code SharedModels.run}), where a prefetch's load runs too, so the two
 * never overlap; {@link #expect} and {@link #prefetch} may be called from any thread.
 */
public final class AdapterCache implements PolicySource, AutoCloseable {

    public static final String SHA256_HEADER = "Espalier-Adapter-Sha256";

    private record Key(UUID sessionId, long version) {
    }

    /** A downloaded zip and the sha256 the trainer stated for it. */
    private record Download(byte[] zip, String stated) {
    }

    /** A version's download, and the adapter loaded from it on the model thread if it got there first. */
    private record Prefetch(long version, CompletableFuture<Download> download, CompletableFuture<LoraAdapter> adapter) {
    }

    /** Sessions remembered as served here, beyond the loaded adapters' (a version-0 session holds none). */
    private static final int SERVED_MEMORY = 1024;

    private final URI trainer;
    private final Path modelDir;
    private final NDManager manager;
    private final Path scratch;
    private final int capacity;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Key, String> announced = new ConcurrentHashMap<>();
    private final LinkedHashMap<Key, LoraAdapter> loaded = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<UUID, Prefetch> prefetches = new ConcurrentHashMap<>();
    /** Hands finished downloads to the model thread, so the HTTP client's threads never wait for it. */
    private final ExecutorService loader = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("adapter-prefetch").daemon().factory());
    private final Map<UUID, Boolean> served = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > SERVED_MEMORY;
        }
    });

    public AdapterCache(URI trainer, Path modelDir, NDManager manager, Path scratch, int capacity) {
        this.trainer = trainer;
        this.modelDir = modelDir;
        this.manager = manager;
        this.scratch = scratch;
        this.capacity = capacity;
    }

    /** Remembers the sha256 a StepApplied announced for a version, to hold the download to it. */
    public void expect(UUID sessionId, long version, String sha256) {
        announced.put(new Key(sessionId, version), sha256);
    }

    /**
     * The trainer announced {@code version} of a session (a StepApplied or PolicyRestored on its topic): starts its
     * download now if this process served the session recently, so it is likely to be asked for it next.
     */
    public void prefetch(UUID sessionId, long version) {
        if (version == 0 || !served.containsKey(sessionId)) {
            return;
        }
        Key key = new Key(sessionId, version);
        URI uri = uri(key);
        CompletableFuture<Download> download = http.sendAsync(request(uri), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode());
                    }
                    return new Download(response.body(), response.headers().firstValue(SHA256_HEADER).orElse(null));
                });
        Prefetch prefetch = new Prefetch(version, download, new CompletableFuture<>());
        Prefetch replaced = prefetches.put(sessionId, prefetch);
        if (replaced != null) {
            discard(replaced);
        }
        download.thenAcceptAsync(d -> SharedModels.run(() -> {
            // On the model thread, as policy() is: a prefetch it took meanwhile is no longer registered.
            if (prefetches.get(sessionId) == prefetch) {
                try {
                    prefetch.adapter().complete(verified(key, uri, d));
                } catch (RuntimeException e) {
                    prefetch.adapter().completeExceptionally(e);
                }
            }
            return null;
        }), loader);
    }

    @Override
    public ProjectionDelta policy(UUID sessionId, long version) {
        served.put(sessionId, Boolean.TRUE);
        if (version == 0) {
            return ProjectionDelta.NONE;
        }
        Key key = new Key(sessionId, version);
        LoraAdapter adapter = loaded.get(key);
        if (adapter == null) {
            adapter = prefetched(key);
            if (adapter == null) {
                URI uri = uri(key);
                adapter = verified(key, uri, download(uri));
            }
            loaded.put(key, adapter);
            evict();
        }
        return adapter;
    }

    /** The adapter loaded from {@code download}, if its sha256 is the one the trainer stated and announced. */
    private LoraAdapter verified(Key key, URI uri, Download download) {
        if (download.stated() == null) {
            throw new IllegalStateException(uri + " came without a " + SHA256_HEADER + " header");
        }
        LoraAdapter adapter = load(download.zip(), uri);
        String actual = adapter.sha256();
        String expected = announced.getOrDefault(key, download.stated());
        if (!actual.equals(download.stated()) || !actual.equals(expected)) {
            adapter.close();
            throw new IllegalStateException("adapter " + uri + " has sha256 " + actual + " but the trainer stated "
                    + download.stated() + " and its StepApplied announced " + expected);
        }
        return adapter;
    }

    /**
     * This version's prefetched adapter: loaded already, or loaded here from its download (waited for) when the model
     * thread, busy with this very call, has not got to it yet. Null when there is none or it failed: the caller
     * fetches again, and reports a failure as such.
     */
    private LoraAdapter prefetched(Key key) {
        Prefetch prefetch = prefetches.get(key.sessionId());
        if (prefetch == null || prefetch.version() != key.version()) {
            return null;
        }
        prefetches.remove(key.sessionId(), prefetch);
        try {
            if (prefetch.adapter().isDone()) {
                return prefetch.adapter().join();
            }
            return verified(key, uri(key), prefetch.download().join());
        } catch (CompletionException | CancellationException e) {
            return null;
        }
    }

    /** Closes a prefetched adapter nobody will ask for, if it was loaded (on the model thread, as it was loaded). */
    private void discard(Prefetch prefetch) {
        prefetch.adapter().thenAcceptAsync(adapter -> SharedModels.run(() -> {
            adapter.close();
            return null;
        }), loader);
    }

    private Download download(URI uri) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request(uri), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TransientFailure("trainer-service unreachable at " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientFailure("interrupted while fetching " + uri, e);
        }
        if (response.statusCode() >= 500) {
            throw new TransientFailure("trainer-service answered " + response.statusCode() + " for " + uri, null);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("trainer-service has no adapter at " + uri + " (HTTP "
                    + response.statusCode() + ")");
        }
        return new Download(response.body(), response.headers().firstValue(SHA256_HEADER).orElse(null));
    }

    private URI uri(Key key) {
        return trainer.resolve("/adapters/" + key.sessionId() + "/" + key.version());
    }

    private static HttpRequest request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private LoraAdapter load(byte[] zipBytes, URI uri) {
        Path dir = null;
        try {
            Files.createDirectories(scratch);
            dir = Files.createTempDirectory(scratch, "adapter-");
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    String name = e.getName();
                    if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                        throw new IllegalStateException(uri + ": zip entry '" + name + "' is not a plain file name");
                    }
                    Files.copy(zip, dir.resolve(name));
                }
            }
            return LoraAdapter.load(dir, modelDir, manager);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the adapter from " + uri, e);
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private void evict() {
        var it = loaded.entrySet().iterator();
        while (loaded.size() > capacity && it.hasNext()) {
            it.next().getValue().close();
            it.remove();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Scratch files left behind are harmless; the adapter is loaded (copied out of the mapping) or failed.
        }
    }

    @Override
    public void close() {
        prefetches.values().forEach(this::discard);
        prefetches.clear();
        loader.shutdown();
        loaded.values().forEach(LoraAdapter::close);
        loaded.clear();
    }
}
