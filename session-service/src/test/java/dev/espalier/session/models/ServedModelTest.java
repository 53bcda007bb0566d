package dev.espalier.session.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.hub.HubClient;
import dev.espalier.session.domain.SessionRejection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedModelTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    private HubClient hub;
    private Path snapshot;

    /** An HF cache holding org/tiny at main, as the compose `model` service or `up` leaves it. */
    @BeforeEach
    void cache() throws IOException {
        Path repo = dir.resolve("hf-cache/models--org--tiny");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        Files.writeString(snapshot.resolve("config.json"), "{}");
        hub = HubClient.builder().cacheDir(dir.resolve("hf-cache")).offline(true).build();
    }

    @Test
    void theServedModel_byIdOrByItsSnapshotFolder_isAccepted() {
        new ServedModel(Optional.of("org/tiny"), hub).require("org/tiny");
        new ServedModel(Optional.of("org/tiny"), hub).require(snapshot.toString());
        new ServedModel(Optional.of("org/tiny"), hub).require("org/tiny@" + COMMIT);
        new ServedModel(Optional.of(snapshot.toString()), hub).require("org/tiny");
        new ServedModel(Optional.of(snapshot.toString()), hub).require(snapshot.resolve("..").resolve(COMMIT).toString());
    }

    @Test
    void anotherModel_isRefusedNamingTheModelAndTheServedOne() throws IOException {
        Path other = Files.createDirectory(dir.resolve("other-model"));
        for (String model : new String[] {"org/other", other.toString(), "not a model", "nul\0in/path"}) {
            var e = assertThrows(SessionRejection.InvalidArgument.class,
                    () -> new ServedModel(Optional.of("org/tiny"), hub).require(model));
            assertEquals("model", e.argument());
            assertTrue(e.getMessage().contains(model) && e.getMessage().contains("org/tiny"), e.getMessage());
        }
    }

    @Test
    void withNoServedModelConfigured_anyModelIsAccepted() {
        new ServedModel(Optional.empty(), hub).require("org/anything");
    }
}
