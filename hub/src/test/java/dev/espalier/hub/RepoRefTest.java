package dev.espalier.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepoRefTest {

    @Test
    void parse_readsIdRevisionAndDatasetPrefix() {
        assertEquals(new RepoRef(RepoKind.MODEL, "Qwen/Qwen3-0.6B", "main"), RepoRef.parse("Qwen/Qwen3-0.6B"));
        assertEquals(new RepoRef(RepoKind.MODEL, "org/m", "v1.0"), RepoRef.parse("org/m@v1.0"));
        assertEquals(new RepoRef(RepoKind.DATASET, "org/d", "main"), RepoRef.parse("datasets/org/d"));
        assertEquals("datasets--org--d", RepoRef.parse("datasets/org/d@x").cacheFolderName());
    }

    @Test
    void parse_rejectsIdsThatCouldEscapeTheCache() {
        assertThrows(IllegalArgumentException.class, () -> RepoRef.parse("../etc"));
        assertThrows(IllegalArgumentException.class, () -> RepoRef.parse("a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> RepoRef.parse("org/m@../../x"));
        assertThrows(IllegalArgumentException.class, () -> RepoRef.parse(" "));
    }

    @Test
    void fromEnvironment_followsHuggingfaceHubPrecedence() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubClient.fromEnvironment(Map.of(), home).cacheDir());
        assertEquals(Path.of("/hf/hub"), HubClient.fromEnvironment(Map.of("HF_HOME", "/hf"), home).cacheDir());
        assertEquals(Path.of("/c"), HubClient.fromEnvironment(Map.of("HF_HOME", "/hf", "HF_HUB_CACHE", "/c"), home)
                .cacheDir());
        assertEquals(true, HubClient.fromEnvironment(Map.of("HF_HUB_OFFLINE", "1"), home).offline());
        assertEquals(false, HubClient.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline());
    }
}
