package dev.espalier.rollout.generation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * How often each prompt's generation was started, kept on disk across restarts: a generation that kills the process
 * (an out-of-memory kill, a native crash) is delivered again after the restart, and without a count it would kill
 * it again, forever. A prompt's entry is removed once it is answered or reported failed.
 */
public final class AttemptLedger {

    private final Path dir;

    public AttemptLedger(Path dir) {
        this.dir = dir;
    }

    /** Counts a start of {@code promptIssuedId}'s generation, durably, and returns the count including this one. */
    public int begin(UUID promptIssuedId) {
        Path entry = dir.resolve(promptIssuedId.toString());
        try {
            Files.createDirectories(dir);
            int attempts = Files.exists(entry) ? Integer.parseInt(Files.readString(entry).trim()) + 1 : 1;
            Path next = dir.resolve(promptIssuedId + ".next");
            Files.writeString(next, Integer.toString(attempts), StandardCharsets.US_ASCII);
            Files.move(next, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return attempts;
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("cannot count the attempts of prompt " + promptIssuedId + " in " + dir,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Takes back the start just counted: the generation was postponed before it began. */
    public void postponed(UUID promptIssuedId) {
        Path entry = dir.resolve(promptIssuedId.toString());
        try {
            int attempts = Files.exists(entry) ? Integer.parseInt(Files.readString(entry).trim()) - 1 : 0;
            if (attempts <= 0) {
                Files.deleteIfExists(entry);
            } else {
                Files.writeString(entry, Integer.toString(attempts), StandardCharsets.US_ASCII);
            }
        } catch (IOException | NumberFormatException e) {
            throw new UncheckedIOException("cannot count the attempts of prompt " + promptIssuedId + " in " + dir,
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    public void end(UUID promptIssuedId) {
        try {
            Files.deleteIfExists(dir.resolve(promptIssuedId.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the attempts of prompt " + promptIssuedId, e);
        }
    }
}
