package dev.espalier.stack;

import dev.espalier.infra.ServiceProcess;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * One service of the stack, restarted when it dies by itself: after 1 s, then twice as long after each crash that
 * follows within {@link #STABLE} of a start, up to a minute; a service that ran for longer starts the count afresh.
 * The log of the run that died is kept beside the new one ({@code <module>.previous.log}).
 */
final class Supervised {

    static final Duration STABLE = Duration.ofMinutes(5);
    static final Duration MAX_PAUSE = Duration.ofMinutes(1);

    private final Supplier<ServiceProcess> launch;
    private final Clock clock;
    private ServiceProcess current;
    private Instant startedAt;
    private Instant restartAt;
    private int crashes;

    Supervised(Supplier<ServiceProcess> launch, Clock clock) {
        this.launch = launch;
        this.clock = clock;
        this.current = launch.get();
        this.startedAt = clock.instant();
    }

    ServiceProcess process() {
        return current;
    }

    /** How long the stack waits before the restart that follows {@code crashes} crashes in a row. */
    static Duration pause(int crashes) {
        long seconds = 1L << Math.min(crashes - 1, 6);
        return Duration.ofSeconds(Math.min(seconds, MAX_PAUSE.toSeconds()));
    }

    /** Looks at the service once: notices a death, and restarts it when its pause is over. */
    void check(PrintStream out) {
        Instant now = clock.instant();
        if (current.isAlive()) {
            if (crashes > 0 && Duration.between(startedAt, now).compareTo(STABLE) > 0) {
                crashes = 0;
            }
            return;
        }
        if (restartAt == null) {
            crashes++;
            Duration pause = pause(crashes);
            restartAt = now.plus(pause);
            out.println("espalier: " + current.module() + " stopped by itself (" + exit(current) + "); restarting it in "
                    + pause.toSeconds() + " s (crash " + crashes + " in a row). Its log: " + keep(current.log()));
            return;
        }
        if (!now.isBefore(restartAt)) {
            restartAt = null;
            current = launch.get();
            startedAt = now;
            out.println("espalier: " + current.module() + " restarted (log " + current.log() + ")");
        }
    }

    private static String exit(ServiceProcess process) {
        try {
            return "exit code " + process.awaitExit(Duration.ZERO);
        } catch (InterruptedException | IllegalStateException e) {
            return "exit code unknown";
        }
    }

    /** Moves the dead run's log aside, so the restarted service's log does not replace it. */
    private static Path keep(Path log) {
        Path previous = log.resolveSibling(log.getFileName().toString().replace(".log", ".previous.log"));
        try {
            Files.move(log, previous, StandardCopyOption.REPLACE_EXISTING);
            return previous;
        } catch (IOException e) {
            return log;
        }
    }
}
