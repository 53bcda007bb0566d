package dev.espalier.session.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.hub.FakeHub;
import dev.espalier.hub.HubClient;
import dev.espalier.session.domain.PromptSequence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets by id, downloaded from a hub on 127.0.0.1 into an HF cache in a temporary directory. */
class HuggingFaceDatasetPromptsTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path cache;

    @Test
    void dataset_isDownloadedIntoTheHfCache_andItsTrainSplitRead() throws Exception {
        try (FakeHub hub = new FakeHub()) {
            hub.addTextRepo("datasets/espalier/prompts", COMMIT, Map.of(
                    "README.md", "# not data",
                    "data/train.jsonl", "{\"prompt\": \"Write a limerick\"}\n{\"prompt\": \"Explain tides\"}\n",
                    "data/test.jsonl", "{\"prompt\": \"held out\"}\n",
                    "data/train-00000-of-00001.parquet", "PAR1 not read"));

            List<String> prompts = HuggingFaceDatasetPrompts.load(client(hub), "espalier/prompts", null, null);

            assertEquals(List.of("Write a limerick", "Explain tides"), prompts);
            Path snapshot = cache.resolve("datasets--espalier--prompts/snapshots/" + COMMIT);
            assertTrue(Files.exists(snapshot.resolve("data/train.jsonl")));
            assertTrue(Files.notExists(snapshot.resolve("data/train-00000-of-00001.parquet")), "parquet is not fetched");
            assertTrue(Files.notExists(snapshot.resolve("data/test.jsonl")), "the test split is not fetched");
            assertTrue(hub.requests.stream().noneMatch(r -> r.path().contains("README.md") || r.path().contains(".parquet")),
                    hub.requests.toString());
        }
    }

    @Test
    void aDatasetInTheCache_isReadAgainAfterARestart_withoutTheHub_inTheSameSeededOrder() throws Exception {
        var spec = new PromptSourceSpec(PromptSourceSpec.Kind.HF_DATASET, "espalier/many", null, "text", null, 3);
        PromptSequence first;
        try (FakeHub hub = new FakeHub()) {
            hub.addTextRepo("datasets/espalier/many", COMMIT, Map.of("train.csv", "id,text\n"
                    + String.join("\n", IntStream.range(0, 12).mapToObj(i -> i + ",prompt " + i).toList()) + "\n"));
            first = new PromptCatalog(client(hub)).sequenceFor(spec);
        }
        PromptSequence afterRestart = new PromptCatalog(HubClient.builder().endpoint(java.net.URI.create(
                "http://127.0.0.1:9")).cacheDir(cache).build()).sequenceFor(spec);

        for (int i = 0; i < 12; i++) {
            assertEquals(first.at(i), afterRestart.at(i));
        }
        assertTrue(first.at(0).orElseThrow().startsWith("prompt "));
    }

    @Test
    void aParquetOnlyDataset_isRead_downloadingOnlyItsTrainSplit() throws Exception {
        byte[] train = Files.readAllBytes(Path.of("src/test/resources/parquet/snappy-dictionary-v1.parquet"));
        byte[] test = Files.readAllBytes(Path.of("src/test/resources/parquet/gzip-text.parquet"));
        try (FakeHub hub = new FakeHub()) {
            hub.addRepo("datasets/espalier/parquet", COMMIT, Map.of(
                    "README.md", new FakeHub.RepoFile("# card".getBytes(StandardCharsets.UTF_8), false),
                    "data/train-00000-of-00001.parquet", new FakeHub.RepoFile(train, true),
                    "data/test-00000-of-00001.parquet", new FakeHub.RepoFile(test, true)), false);

            PromptFile prompts = HuggingFaceDatasetPrompts.read(client(hub), "espalier/parquet", null, null);

            assertEquals("prompt", prompts.textColumn());
            assertEquals(8, prompts.prompts().size());
            assertTrue(hub.requests.stream().noneMatch(r -> r.path().contains("test-") || r.path().contains("README")),
                    hub.requests.toString());
        }
    }

    @Test
    void anUnknownDataset_isRefused_namingIt() throws Exception {
        try (FakeHub hub = new FakeHub()) {
            var e = assertThrows(PromptSourceException.class,
                    () -> HuggingFaceDatasetPrompts.load(client(hub), "espalier/missing", null, null));
            assertTrue(e.getMessage().contains("espalier/missing"), e.getMessage());
        }
    }

    private HubClient client(FakeHub hub) {
        return HubClient.builder().endpoint(hub.endpoint()).cacheDir(cache).build();
    }
}
