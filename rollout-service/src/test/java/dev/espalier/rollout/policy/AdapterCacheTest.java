package dev.espalier.rollout.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.espalier.policy.cli.TinyChatModel;
import dev.espalier.policy.lora.LoraAdapter;
import dev.espalier.policy.lora.LoraConfig;
import dev.espalier.policy.lora.TargetModules;
import dev.espalier.policy.model.SharedModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Adapters downloaded from a trainer (a local HTTP server here), with and without the prefetch on StepApplied. */
class AdapterCacheTest {

    private static Path model;
    private static byte[] zip;
    private static String sha;

    private HttpServer trainer;
    private final AtomicInteger requests = new AtomicInteger();
    /** How many requests to answer 503 before the adapter is served. */
    private final AtomicInteger failFirst = new AtomicInteger();
    private AdapterCache cache;

    @BeforeAll
    static void adapter() throws IOException {
        model = TinyChatModel.create(Files.createTempDirectory("espalier-adapters-").resolve("model"),
                Path.of("target", "npm"), 32, 9);
        try (LoraAdapter adapter = LoraAdapter.initialise(LoraConfig.defaults(model.toString()),
                TargetModules.discover(model, LoraConfig.DEFAULT_TARGETS), 5, SharedModels.manager())) {
            sha = adapter.sha256();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> file : adapter.files().entrySet()) {
                    out.putNextEntry(new ZipEntry(file.getKey()));
                    out.write(file.getValue());
                    out.closeEntry();
                }
            }
            zip = bytes.toByteArray();
        }
    }

    @BeforeEach
    void startTrainer() throws IOException {
        trainer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        trainer.createContext("/adapters/", exchange -> {
            requests.incrementAndGet();
            if (failFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                exchange.getResponseHeaders().add(AdapterCache.SHA256_HEADER, sha);
                exchange.sendResponseHeaders(200, zip.length);
                exchange.getResponseBody().write(zip);
            }
            exchange.close();
        });
        trainer.start();
        cache = new AdapterCache(URI.create("http://127.0.0.1:" + trainer.getAddress().getPort()), model,
                SharedModels.manager(), Files.createTempDirectory("espalier-adapter-scratch-"), 4);
    }

    @AfterEach
    void stopTrainer() {
        cache.close();
        trainer.stop(0);
    }

    @Test
    void announcedVersion_ofASessionServedHere_isDownloadedOnce_beforeItIsAskedFor() throws Exception {
        UUID session = UUID.randomUUID();
        cache.policy(session, 0);

        cache.prefetch(session, 1);
        awaitRequests(1);
        LoraAdapter adapter = (LoraAdapter) cache.policy(session, 1);

        assertEquals(sha, adapter.sha256());
        assertEquals(1, requests.get(), "the version was served from its prefetched download");
    }

    @Test
    void askedFor_beforeTheModelThreadGotToLoadingThePrefetch_isLoadedFromTheDownload_withoutWaitingForIt() {
        UUID session = UUID.randomUUID();
        cache.policy(session, 0);

        // The prefetch's load waits for the model thread, which this call holds until policy() has answered.
        LoraAdapter adapter = SharedModels.run(() -> {
            cache.prefetch(session, 1);
            awaitRequests(1);
            return (LoraAdapter) cache.policy(session, 1);
        });

        assertEquals(sha, adapter.sha256());
        assertEquals(1, requests.get(), "the prefetched download was used");
    }

    @Test
    void failedPrefetch_isFetchedAgain_whenAskedFor() throws Exception {
        UUID session = UUID.randomUUID();
        cache.policy(session, 0);
        failFirst.set(1);

        cache.prefetch(session, 1);
        awaitRequests(1);
        LoraAdapter adapter = (LoraAdapter) cache.policy(session, 1);

        assertEquals(sha, adapter.sha256());
        assertEquals(2, requests.get());
    }

    @Test
    void prefetchedAdapter_whoseSha256_differsFromTheAnnouncedOne_isRefused() throws Exception {
        UUID session = UUID.randomUUID();
        cache.policy(session, 0);
        cache.expect(session, 1, "0".repeat(64));

        cache.prefetch(session, 1);
        awaitRequests(1);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.policy(session, 1));
        assertTrue(e.getMessage().contains("announced"), e.getMessage());
    }

    @Test
    void sessionNeverServedHere_isNotPrefetched() throws Exception {
        UUID stranger = UUID.randomUUID();
        UUID served = UUID.randomUUID();
        cache.policy(served, 0);

        cache.prefetch(stranger, 1);
        cache.prefetch(served, 1);
        awaitRequests(1);
        TimeUnit.MILLISECONDS.sleep(200); // a request for the stranger, had one been sent, would have arrived by now

        assertEquals(1, requests.get());
    }

    private void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (requests.get() < n && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertEquals(n, requests.get());
    }
}
