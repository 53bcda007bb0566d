package dev.espalier.policy.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Publishes a saved state so readers never see half of one: it is written into a fresh sibling directory, then moved
 * into place (a new directory in one rename; an existing one file by file, each rename atomic).
 */
public final class StateDirectory {

    private StateDirectory() {
    }

    public static void publish(TrainingState state, Path outDir) {
        Path parent = outDir.toAbsolutePath().normalize().getParent();
        Path staging;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + outDir.getFileName() + ".staging-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a staging directory beside " + outDir + ": "
                    + e.getMessage(), e);
        }
        try {
            state.save(staging);
            if (!Files.exists(outDir)) {
                Files.move(staging, outDir, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            try (Stream<Path> files = Files.list(staging)) {
                for (Path file : files.toList()) {
                    Files.move(file, outDir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot publish state to " + outDir + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(staging);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A stray staging directory is harmless; the state itself was published or the error already raised.
        }
    }
}
