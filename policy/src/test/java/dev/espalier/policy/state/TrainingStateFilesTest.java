package dev.espalier.policy.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.espalier.policy.lora.LoraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer journals a state's files from memory; they must be the files a save writes, byte for byte. */
class TrainingStateFilesTest {

    @TempDir
    Path dir;

    @Test
    void filesInMemory_areExactlyTheFilesSaveWrites() throws IOException {
        LoraConfig config = new LoraConfig(4, 8, LoraConfig.DEFAULT_TARGETS, "toy");
        try (NDManager manager = NDManager.newBaseManager();
             TrainingState state = TrainingState.fresh(ReplayTest.toyModel(), config, 2026, manager)) {
            state.save(dir);
            Map<String, byte[]> files = state.files();
            Map<String, byte[]> adapterFiles = state.adapter().files();

            Set<String> saved;
            try (Stream<Path> listing = Files.list(dir)) {
                saved = listing.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            }
            assertEquals(saved, files.keySet());
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                assertArrayEquals(Files.readAllBytes(dir.resolve(file.getKey())), file.getValue(), file.getKey());
            }
            for (Map.Entry<String, byte[]> file : adapterFiles.entrySet()) {
                assertArrayEquals(files.get(file.getKey()), file.getValue(), file.getKey());
            }
            assertEquals(files.size() - 1, adapterFiles.size(), "the adapter's files are the state's but the moments");
        }
    }
}
