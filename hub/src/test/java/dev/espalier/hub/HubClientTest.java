package dev.espalier.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClientTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final byte[] CONFIG = "{\"model_type\":\"llama\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WEIGHTS = randomBytes(300_000, 1);
    private static final byte[] SHARD = randomBytes(70_000, 2);
    private static final byte[] README = "# readme".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path cache;
    private FakeHub hub;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        hub.addRepo("models/org/tiny", COMMIT, Map.of(
                "config.json", new FakeHub.RepoFile(CONFIG, false),
                "model.safetensors", new FakeHub.RepoFile(WEIGHTS, true),
                "sub/dir/extra.safetensors", new FakeHub.RepoFile(SHARD, true),
                "README.md", new FakeHub.RepoFile(README, false)), false);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubClient client() {
        return HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).build();
    }

    @Test
    void snapshot_createsHuggingFaceCacheLayout_withRelativeSymlinksAndRef() throws IOException {
        Path snapshot = client().snapshot(RepoRef.parse("org/tiny"), file -> !file.equals("README.md"));

        Path repoDir = cache.resolve("models--org--tiny");
        assertEquals(repoDir.resolve("snapshots").resolve(COMMIT), snapshot);
        assertEquals(COMMIT, Files.readString(repoDir.resolve("refs/main")));
        Path plainFile = Files.createFile(repoDir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plainFile), Files.getPosixFilePermissions(repoDir.resolve("refs/main")),
                "the ref is as readable as any file this process creates, for the others sharing the cache");
        Files.delete(plainFile);
        String weightsEtag = FakeHub.sha256(WEIGHTS);
        assertEquals(Path.of("../../blobs/" + weightsEtag), Files.readSymbolicLink(snapshot.resolve("model.safetensors")));
        assertEquals(Path.of("../../../../blobs/" + FakeHub.sha256(SHARD)),
                Files.readSymbolicLink(snapshot.resolve("sub/dir/extra.safetensors")));
        assertEquals(Path.of("../../blobs/" + FakeHub.sha256(CONFIG).substring(0, 40)),
                Files.readSymbolicLink(snapshot.resolve("config.json")));
        assertArrayEquals(WEIGHTS, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertArrayEquals(SHARD, Files.readAllBytes(snapshot.resolve("sub/dir/extra.safetensors")));
        assertArrayEquals(CONFIG, Files.readAllBytes(snapshot.resolve("config.json")));
        assertFalse(Files.exists(snapshot.resolve("README.md")), "README.md was not wanted");
        try (var blobs = Files.list(repoDir.resolve("blobs"))) {
            assertEquals(3, blobs.filter(p -> !p.toString().endsWith(".incomplete")).count());
        }
        JsonNode tree = new ObjectMapper().readTree(repoDir.resolve("trees/" + COMMIT + ".json").toFile());
        assertEquals(1, tree.get("format_version").asInt());
        assertEquals(4, tree.get("files").size(), "the listing names every file of the commit, wanted or not");
        assertEquals(weightsEtag, tree.at("/files/model.safetensors/lfs_sha256").asText());
        assertEquals(WEIGHTS.length, tree.at("/files/model.safetensors/size").asInt());
        assertEquals(README.length, tree.at("/files/README.md/size").asInt());
    }

    @Test
    void snapshot_online_makesNoRequest_forACompleteCacheWrittenByHuggingfaceHub() throws IOException {
        Path repoDir = cache.resolve("models--org--py");
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(repoDir.resolve("refs/main"), COMMIT);
        Files.createDirectories(repoDir.resolve("blobs"));
        Files.write(repoDir.resolve("blobs/abc"), CONFIG);
        Files.createDirectories(repoDir.resolve("snapshots/" + COMMIT));
        Files.createSymbolicLink(repoDir.resolve("snapshots/" + COMMIT + "/config.json"), Path.of("../../blobs/abc"));
        Files.createDirectories(repoDir.resolve("trees"));
        Files.writeString(repoDir.resolve("trees/" + COMMIT + ".json"), """
                {"format_version": 1, "files": {
                  "config.json": {"size": 22, "blob_id": "abc"},
                  "README.md": {"size": 8, "blob_id": "def"}}}""");

        Path snapshot = client().snapshot(RepoRef.model("org/py"), FileFilters.MODEL_FILES);

        assertArrayEquals(CONFIG, Files.readAllBytes(snapshot.resolve("config.json")));
        assertTrue(hub.requests.isEmpty(), hub.requests.toString());
    }

    @Test
    void snapshot_offline_namesAWantedFileMissingFromTheCache() {
        client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("config.json"));
        HubClient offline = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).offline(true).build();

        HubException e = assertThrows(HubException.class,
                () -> offline.snapshot(RepoRef.model("org/tiny"), FileFilters.MODEL_FILES));

        assertEquals("model.safetensors", e.file());
        assertTrue(e.getMessage().contains("org/tiny") && e.getMessage().contains("model.safetensors"),
                e.getMessage());
    }

    @Test
    void files_listsTheRepoWithoutDownloading_andOfflineFromTheCachedTree() {
        List<String> all = List.of("README.md", "config.json", "model.safetensors", "sub/dir/extra.safetensors");

        assertEquals(all, client().files(RepoRef.model("org/tiny")).stream().sorted().toList());
        assertTrue(hub.requests.stream().noneMatch(r -> r.path().contains("/resolve/")), hub.requests.toString());

        HubClient offline = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).offline(true).build();
        assertThrows(HubException.class, () -> offline.files(RepoRef.model("org/tiny")), "nothing cached yet");
        client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("config.json"));
        int requests = hub.requests.size();
        assertEquals(all, offline.files(RepoRef.model("org/tiny")).stream().sorted().toList());
        assertEquals(requests, hub.requests.size(), "offline asks nothing of the hub");
    }

    @Test
    void modelFiles_takesRootWeightsAndTokenizer_notNestedVariantsOrDocs() {
        assertTrue(FileFilters.MODEL_FILES.test("model-00001-of-00002.safetensors"));
        assertTrue(FileFilters.MODEL_FILES.test("tokenizer_config.json"));
        assertFalse(FileFilters.MODEL_FILES.test("onnx/model.safetensors"));
        assertFalse(FileFilters.MODEL_FILES.test("README.md"));
        assertTrue(FileFilters.DATASET_FILES.test("data/train-00000-of-00001.parquet"));
        assertTrue(FileFilters.DATASET_FILES.test("train.jsonl"));
        assertFalse(FileFilters.DATASET_FILES.test(".gitattributes"));
    }

    @Test
    void snapshot_secondCall_answersFromCacheWithoutNetwork() {
        RepoRef repo = RepoRef.model("org/tiny");
        Path first = client().snapshot(repo, FileFilters.MODEL_FILES);
        int requestsAfterFirst = hub.requests.size();

        Path second = client().snapshot(repo, FileFilters.MODEL_FILES);

        assertEquals(first, second);
        assertEquals(requestsAfterFirst, hub.requests.size());
    }

    @Test
    void snapshot_widerFilterLater_downloadsOnlyTheMissingFile() {
        RepoRef repo = RepoRef.model("org/tiny");
        client().snapshot(repo, FileFilters.globs("config.json"));
        hub.requests.clear();

        Path snapshot = client().snapshot(repo, FileFilters.globs("config.json", "README.md"));

        assertTrue(Files.exists(snapshot.resolve("README.md")));
        assertEquals(List.of("/api/models/org/tiny/revision/main", "/org/tiny/resolve/" + COMMIT + "/README.md",
                "/org/tiny/resolve/" + COMMIT + "/README.md"), hub.requests.stream().map(FakeHub.Request::path).toList());
    }

    @Test
    void snapshot_resumesWithRange_whenConnectionIsCutMidFile() throws IOException {
        hub.cutOnce(FakeHub.sha256(WEIGHTS), 100_000);
        List<Long> progress = new ArrayList<>();

        Path snapshot = client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("model.safetensors"),
                (file, done, total) -> progress.add(done));

        assertArrayEquals(WEIGHTS, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        List<String> ranges = hub.requests.stream().filter(r -> r.path().startsWith("/cdn/"))
                .map(FakeHub.Request::range).toList();
        assertEquals(2, ranges.size());
        assertEquals(null, ranges.get(0));
        assertTrue(ranges.get(1).matches("bytes=\\d+-"), ranges.get(1));
        long resumedFrom = Long.parseLong(ranges.get(1).replaceAll("\\D", ""));
        assertTrue(resumedFrom > 0 && resumedFrom <= 100_000, "resumed from " + resumedFrom);
        assertEquals(WEIGHTS.length, progress.getLast());
    }

    @Test
    void snapshot_resumesAnIncompleteFileLeftByAnEarlierRun() throws IOException {
        Path part = cache.resolve("models--org--tiny/blobs/" + FakeHub.sha256(WEIGHTS) + ".incomplete");
        Files.createDirectories(part.getParent());
        Files.write(part, java.util.Arrays.copyOf(WEIGHTS, 12_345));

        Path snapshot = client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("model.safetensors"));

        assertArrayEquals(WEIGHTS, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertEquals(List.of("bytes=12345-"), hub.requests.stream().filter(r -> r.path().startsWith("/cdn/"))
                .map(FakeHub.Request::range).toList());
        assertFalse(Files.exists(part));
    }

    @Test
    void snapshot_rejectsAndDeletesBlob_whoseSha256DoesNotMatch() throws IOException {
        Path part = cache.resolve("models--org--tiny/blobs/" + FakeHub.sha256(WEIGHTS) + ".incomplete");
        Files.createDirectories(part.getParent());
        byte[] corrupt = java.util.Arrays.copyOf(WEIGHTS, 1000);
        corrupt[10] ^= 1;
        Files.write(part, corrupt);

        HubException e = assertThrows(HubException.class,
                () -> client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("model.safetensors")));

        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("sha256"), e.getMessage());
        assertFalse(Files.exists(part));
        assertFalse(Files.exists(cache.resolve("models--org--tiny/blobs/" + FakeHub.sha256(WEIGHTS))));
    }

    @Test
    void snapshot_refusesAFileServedForAnotherCommit() {
        hub.serveCommit("fedcba9876543210fedcba9876543210fedcba98");

        HubException e = assertThrows(HubException.class,
                () -> client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("config.json")));

        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("fedcba98"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("models--org--tiny/snapshots/" + COMMIT + "/config.json")));
    }

    @Test
    void snapshot_retriesWhileTheHubIsBusy() throws IOException {
        hub.busyFor(2);

        Path snapshot = client().snapshot(RepoRef.model("org/tiny"), FileFilters.globs("config.json"));

        assertArrayEquals(CONFIG, Files.readAllBytes(snapshot.resolve("config.json")));
        assertEquals(List.of("/api/models/org/tiny/revision/main", "/api/models/org/tiny/revision/main",
                "/api/models/org/tiny/revision/main"), hub.requests.subList(0, 3).stream()
                .map(FakeHub.Request::path).toList());
    }

    @Test
    void snapshot_givesUp_whenTheHubStaysBusy() {
        hub.busyFor(100);

        HubException e = assertThrows(HubException.class,
                () -> client().snapshot(RepoRef.model("org/tiny"), FileFilters.ALL));

        assertEquals(503, e.status());
        assertEquals(5, hub.requests.size());
    }

    @Test
    void snapshot_sendsBearerToken_onEveryHubRequest() {
        hub.addRepo("models/org/gated", COMMIT, Map.of("config.json", new FakeHub.RepoFile(CONFIG, false)), true);
        HubClient client = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).token("secret-token").build();

        Path snapshot = client.snapshot(RepoRef.model("org/gated"), FileFilters.ALL);

        assertTrue(Files.exists(snapshot.resolve("config.json")));
        assertTrue(hub.requests.stream().allMatch(r -> "Bearer secret-token".equals(r.authorization())));
    }

    @Test
    void fromEnvironment_usesHfEndpointCacheAndTokenFile(@TempDir Path hfHome) throws IOException {
        hub.addRepo("models/org/gated", COMMIT, Map.of("config.json", new FakeHub.RepoFile(CONFIG, false)), true);
        Files.writeString(hfHome.resolve("token"), "secret-token\n");
        HubClient client = HubClient.fromEnvironment(Map.of("HF_ENDPOINT", hub.endpoint() + "/",
                "HF_HOME", hfHome.toString(), "HF_HUB_CACHE", cache.toString()), Path.of("/nonexistent-home"));

        Path snapshot = client.snapshot(RepoRef.model("org/gated"), FileFilters.ALL);

        assertEquals(cache.resolve("models--org--gated/snapshots/" + COMMIT), snapshot);
        assertTrue(hub.requests.stream().allMatch(r -> "Bearer secret-token".equals(r.authorization())));
    }

    @Test
    void snapshot_withoutToken_onGatedRepo_saysSetHfToken() {
        hub.addRepo("models/org/gated", COMMIT, Map.of("config.json", new FakeHub.RepoFile(CONFIG, false)), true);

        HubException e = assertThrows(HubException.class,
                () -> client().snapshot(RepoRef.model("org/gated"), FileFilters.ALL));

        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains("org/gated") && e.getMessage().contains("gated or private: set HF_TOKEN"),
                e.getMessage());
    }

    @Test
    void snapshot_unknownRepo_is404NamingRepoAndRevision() {
        HubException e = assertThrows(HubException.class,
                () -> client().snapshot(RepoRef.parse("org/missing@v2"), FileFilters.ALL));

        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("org/missing@v2") && e.getMessage().contains("no such repo/revision/file"),
                e.getMessage());
        assertFalse(Files.exists(cache.resolve("models--org--missing/refs")));
    }

    @Test
    void snapshot_offline_answersFromCache_afterOneOnlineDownload() {
        Path online = client().snapshot(RepoRef.model("org/tiny"), FileFilters.MODEL_FILES);
        hub.close();

        HubClient offline = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).offline(true).build();
        Path snapshot = offline.snapshot(RepoRef.model("org/tiny"), FileFilters.MODEL_FILES);

        assertEquals(online, snapshot);
    }

    @Test
    void snapshot_offline_failsNamingRepoAndRevision_whenNotCached() {
        HubClient offline = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).offline(true).build();

        HubException e = assertThrows(HubException.class,
                () -> offline.snapshot(RepoRef.parse("org/tiny@dev"), FileFilters.MODEL_FILES));

        assertTrue(e.getMessage().contains("org/tiny") && e.getMessage().contains("revision dev")
                && e.getMessage().contains("offline"), e.getMessage());
        assertTrue(hub.requests.isEmpty());
    }

    @Test
    void snapshot_offline_trustsACacheFilledByHuggingfaceHub() throws IOException {
        Path repoDir = cache.resolve("models--org--py");
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(repoDir.resolve("refs/main"), COMMIT);
        Files.createDirectories(repoDir.resolve("snapshots/" + COMMIT));
        HubClient offline = HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).offline(true).build();

        assertEquals(repoDir.resolve("snapshots/" + COMMIT), offline.snapshot(RepoRef.model("org/py"), FileFilters.ALL));
    }

    @Test
    void snapshot_downloadsDatasetRepos_underDatasetsPrefix() throws IOException {
        byte[] rows = "{\"prompt\":\"hi\"}\n".getBytes(StandardCharsets.UTF_8);
        hub.addRepo("datasets/org/prompts", COMMIT, Map.of(
                "data/train.jsonl", new FakeHub.RepoFile(rows, true),
                ".gitattributes", new FakeHub.RepoFile(README, false)), false);

        Path snapshot = client().snapshot(RepoRef.parse("datasets/org/prompts"), FileFilters.DATASET_FILES);

        assertEquals(cache.resolve("datasets--org--prompts/snapshots/" + COMMIT), snapshot);
        assertArrayEquals(rows, Files.readAllBytes(snapshot.resolve("data/train.jsonl")));
        assertFalse(Files.exists(snapshot.resolve(".gitattributes")));
        assertTrue(hub.requests.stream().anyMatch(r -> r.path().equals("/api/datasets/org/prompts/revision/main")));
        assertTrue(hub.requests.stream().anyMatch(r -> r.path().startsWith("/datasets/org/prompts/resolve/")));
    }

    @Test
    void snapshot_pinnedCommit_writesNoRef() {
        client().snapshot(RepoRef.parse("org/tiny@" + COMMIT), FileFilters.globs("config.json"));

        assertFalse(Files.exists(cache.resolve("models--org--tiny/refs")));
        assertTrue(Files.exists(cache.resolve("models--org--tiny/snapshots/" + COMMIT + "/config.json")));
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
