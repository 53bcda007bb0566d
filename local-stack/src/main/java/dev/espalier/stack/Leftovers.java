package dev.espalier.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What an earlier {@code ./espalier up} on the same home may have left behind when it was killed (kill -9, a power
 * cut), found and ended before this one starts: the home's lock ({@code up.lock}, held while a stack runs, so a second
 * stack on the same data is refused by name), the service JVMs it recorded ({@code up.pids}: pid and start time, so a
 * pid reused by another program is never touched), and a PostgreSQL server still running on the stack's data
 * ({@code postmaster.pid}).
 */
final class Leftovers {

    private static final Duration STOP = Duration.ofSeconds(30);

    private Leftovers() {
    }

    /** Another launcher holds the home. */
    static final class HomeInUse extends RuntimeException {
        HomeInUse(String message) {
            super(message);
        }
    }

    /** Takes the home for this launcher until it exits; refuses when a live launcher has it. */
    static FileLock lock(Path home) {
        try {
            Files.createDirectories(home);
            FileChannel channel = FileChannel.open(home.resolve("up.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) { // this very process holds it already
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new HomeInUse("another ./espalier up is running on " + home + " (pid "
                        + Files.readString(home.resolve("up.lock")).strip() + "). Stop it first (Ctrl-C where it "
                        + "runs), or give this one another --home");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid())
                    .getBytes(StandardCharsets.US_ASCII)));
            channel.force(true);
            return lock;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + home.resolve("up.lock"), e);
        }
    }

    /** Records the live service processes, so that a later launcher can end them if this one is killed. */
    static void record(Path home, List<ProcessHandle> children) {
        List<String> lines = new ArrayList<>();
        for (ProcessHandle child : children) {
            child.info().startInstant().ifPresent(started -> lines.add(child.pid() + " " + started));
        }
        try {
            Path next = home.resolve("up.pids.next");
            Files.write(next, lines);
            Files.move(next, home.resolve("up.pids"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the services' pids in " + home, e);
        }
    }

    /** Ends the service processes an earlier launcher recorded and that still run; returns how many. */
    static int endServices(Path home, PrintStream out) {
        Path pids = home.resolve("up.pids");
        if (!Files.isRegularFile(pids)) {
            return 0;
        }
        int ended = 0;
        try {
            for (String line : Files.readAllLines(pids)) {
                String[] parts = line.strip().split(" ");
                if (parts.length != 2) {
                    continue;
                }
                Optional<ProcessHandle> left = ProcessHandle.of(Long.parseLong(parts[0]))
                        .filter(p -> p.info().startInstant().map(Instant.parse(parts[1])::equals).orElse(false));
                if (left.isPresent()) {
                    out.println("espalier: ending a service left running by an earlier ./espalier up (pid "
                            + left.get().pid() + ")");
                    end(left.get());
                    ended++;
                }
            }
            Files.delete(pids);
        } catch (IOException | RuntimeException e) {
            out.println("espalier: could not read " + pids + " (" + e.getMessage() + "); ignored");
        }
        return ended;
    }

    /**
     * Stops a PostgreSQL server that still runs on {@code dataDir} (its postmaster.pid names a live postgres process):
     * a new one cannot start on the same data while it runs.
     */
    static boolean endPostgres(Path dataDir, PrintStream out) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return false;
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.isEmpty()) {
                return false;
            }
            Optional<ProcessHandle> server = ProcessHandle.of(Long.parseLong(lines.getFirst().strip()))
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
            if (server.isEmpty()) {
                return false; // a stale file: PostgreSQL itself replaces it
            }
            out.println("espalier: stopping PostgreSQL left running on " + dataDir + " by an earlier ./espalier up "
                    + "(pid " + server.get().pid() + ")");
            end(server.get());
            return true;
        } catch (IOException | NumberFormatException e) {
            out.println("espalier: could not read " + pidFile + " (" + e.getMessage() + "); ignored");
            return false;
        }
    }

    /** SIGTERM (PostgreSQL: smart shutdown; Quarkus: graceful), then SIGKILL if it is still there after a while. */
    private static void end(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(STOP.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the port or PostgreSQL check that follows
            }
        }
    }
}
