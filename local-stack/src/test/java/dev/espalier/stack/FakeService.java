package dev.espalier.stack;

import dev.espalier.infra.EmbeddedPostgres;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * TEST STAND-IN for a service JVM, or a launcher, run from a jar at a module's quarkus-run.jar path: says it started as
 * Quarkus does, then exits with 3 after {@code fake.exit-after-ms}, or runs until it is killed, holding
 * {@code fake.lock} (as a launcher holds its home) or a PostgreSQL server on {@code fake.postgres} (as a launcher does).
 */
public final class FakeService {

    private FakeService() {
    }

    public static void main(String[] args) throws Exception {
        String lock = System.getProperty("fake.lock");
        FileChannel held = lock == null ? null
                : FileChannel.open(Path.of(lock), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (held != null) {
            held.lock();
        }
        String postgres = System.getProperty("fake.postgres");
        if (postgres != null) {
            EmbeddedPostgres.start(Path.of(postgres));
        }
        System.out.println("fake started in 0.001s");
        System.out.flush();
        long exitAfter = Long.getLong("fake.exit-after-ms", -1);
        if (exitAfter >= 0) {
            Thread.sleep(exitAfter);
            System.exit(3);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
