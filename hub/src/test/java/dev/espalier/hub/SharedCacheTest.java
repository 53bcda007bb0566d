package dev.espalier.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes and threads that share one cache (pods on one volume) download each blob once. */
class SharedCacheTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path cache;

    @Test
    void twoProcessesAndTwoThreadsDownloadingOneModelAtOnce_fetchEachBlobOnce_andEndWithTheSameFiles() throws Exception {
        byte[] weights = new byte[256 * 1024];
        new Random(7).nextBytes(weights);
        FakeHub.RepoFile weightsFile = new FakeHub.RepoFile(weights, true);
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("models/org/shared", COMMIT, Map.of("model.safetensors", weightsFile,
                    "config.json", new FakeHub.RepoFile("{}".getBytes(StandardCharsets.UTF_8), false)), false);
            // The first download waits after 64 KiB until all three clients have asked for the weights' metadata.
            hub.holdBodiesUntil(() -> hub.requests.stream()
                    .filter(r -> r.method().equals("HEAD") && r.path().endsWith("/model.safetensors")).count() >= 3);
            String blobPath = "/cdn/" + weightsFile.etag();

            Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), DownloadInAnotherProcess.class.getName(),
                    hub.endpoint().toString(), cache.toString(), "org/shared").redirectErrorStream(true).start();
            // Threads of their own: the common pool may have a single worker on a small machine.
            ExecutorService pool = Executors.newCachedThreadPool();
            CompletableFuture<String> otherOutput = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, pool);
            HubClient client = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).build();
            List<CompletableFuture<Path>> threads = Stream.<CompletableFuture<Path>>generate(() ->
                    CompletableFuture.supplyAsync(() -> client.snapshot(RepoRef.parse("org/shared"), f -> true), pool))
                    .limit(2).toList();
            List<Path> snapshots = threads.stream().map(CompletableFuture::join).toList();
            assertTrue(other.waitFor(60, TimeUnit.SECONDS), "the other process ends");
            assertEquals(0, other.exitValue(), otherOutput.join());
            Path otherSnapshot = Path.of(otherOutput.join().strip().lines().reduce((a, b) -> b).orElseThrow());

            List<FakeHub.Request> bodies = hub.requests.stream()
                    .filter(r -> r.method().equals("GET") && r.path().equals(blobPath)).toList();
            assertEquals(1, bodies.size(), "the weights' body is fetched once: " + hub.requests);
            assertNull(bodies.getFirst().range(), "in full, from byte 0");
            for (Path snapshot : List.of(snapshots.get(0), snapshots.get(1), otherSnapshot)) {
                assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve("model.safetensors")), snapshot.toString());
                assertEquals(FakeHub.sha256(weights),
                        FakeHub.sha256(Files.readAllBytes(snapshot.resolve("model.safetensors"))));
            }
            try (Stream<Path> files = Files.walk(cache)) {
                List<Path> leftovers = files.filter(p -> p.toString().endsWith(".incomplete")
                        || p.toString().endsWith(".tmp")).toList();
                assertEquals(List.of(), leftovers);
            }
            pool.shutdown();
            assertTrue(Files.isRegularFile(cache.resolve(".locks/models--org--shared/" + weightsFile.etag() + ".lock")));
        }
    }
}
