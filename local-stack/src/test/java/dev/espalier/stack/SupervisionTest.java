package dev.espalier.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.infra.EmbeddedPostgres;
import dev.espalier.infra.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's supervision and its clean-up after a launcher killed without a chance to stop its children. */
class SupervisionTest {

    @TempDir
    Path root;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    /** A module "fake" whose quarkus-run.jar runs {@link FakeService} from the test classes. */
    @BeforeEach
    void fakeModule() throws Exception {
        Path app = Files.createDirectories(root.resolve("fake/target/quarkus-app"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
        // The test's own class path, so that the stand-in can start what a launcher starts (PostgreSQL).
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, Arrays.stream(
                System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toUri().toString()).collect(Collectors.joining(" ")));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(app.resolve("quarkus-run.jar")),
                manifest)) {
            jar.flush();
        }
    }

    private ServiceProcess fake(Map<String, String> properties) {
        return ServiceProcess.start(root, "fake", List.of("-Xmx32m"), properties, root.resolve("logs/fake.log"), true)
                .awaitStarted(Duration.ofSeconds(30));
    }

    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-08T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aServiceThatDies_isRestartedAfterAGrowingPause_withTheDeadRunsLogKept() throws Exception {
        TestClock clock = new TestClock();
        Supervised service = new Supervised(() -> fake(Map.of("fake.exit-after-ms", "200")), clock);
        ServiceProcess first = service.process();
        assertEquals(3, first.awaitExit(Duration.ofSeconds(30)));

        service.check(out);
        assertTrue(printed.toString().contains("espalier: fake stopped by itself (exit code 3); restarting it in 1 s "
                + "(crash 1 in a row)"), printed.toString());
        assertTrue(Files.isRegularFile(root.resolve("logs/fake.previous.log")));
        service.check(out);
        assertEquals(first, service.process(), "not before the pause is over");

        clock.now = clock.now.plusSeconds(1);
        service.check(out);
        ServiceProcess second = service.process();
        assertNotEquals(first, second);
        assertTrue(printed.toString().contains("espalier: fake restarted"), printed.toString());
        second.awaitExit(Duration.ofSeconds(30));
        service.check(out);
        assertTrue(printed.toString().contains("restarting it in 2 s (crash 2 in a row)"), printed.toString());
        service.process().close();

        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L), IntStream.rangeClosed(1, 8)
                .mapToObj(Supervised::pause).map(Duration::toSeconds).toList());
    }

    @Test
    void servicesLeftByAKilledLauncher_areEnded_butAReusedPidIsNotTouched() throws Exception {
        Path home = Files.createDirectories(root.resolve("home"));
        ServiceProcess orphan = fake(Map.of());
        Process stranger = new ProcessBuilder("sleep", "300").start();
        try {
            ProcessHandle strangerHandle = stranger.toHandle();
            Leftovers.record(home, List.of(ProcessHandle.of(orphan.pid()).orElseThrow()));
            // The stranger's pid, recorded with another start time: a pid the system gave to another program.
            Files.writeString(home.resolve("up.pids"), strangerHandle.pid() + " 2001-01-01T00:00:00Z\n",
                    StandardOpenOption.APPEND);

            assertEquals(1, Leftovers.endServices(home, out));
            assertFalse(orphan.isAlive());
            assertTrue(stranger.isAlive());
            assertTrue(printed.toString().contains("ending a service left running by an earlier ./espalier up (pid "
                    + orphan.pid() + ")"), printed.toString());
            assertFalse(Files.exists(home.resolve("up.pids")));
        } finally {
            stranger.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHomeHeldByARunningLauncher_isRefusedByName_andFreeAgainWhenItDies() throws Exception {
        Path home = Files.createDirectories(root.resolve("home"));
        ServiceProcess otherLauncher = fake(Map.of("fake.lock", home.resolve("up.lock").toString()));
        var refused = assertThrows(Leftovers.HomeInUse.class, () -> Leftovers.lock(home));
        assertTrue(refused.getMessage().startsWith("another ./espalier up is running on " + home), refused.getMessage());

        otherLauncher.close(); // kill -9: the lock goes with the process
        FileLock lock = Leftovers.lock(home);
        assertTrue(lock.isValid());
        assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(home.resolve("up.lock")));
        assertThrows(Leftovers.HomeInUse.class, () -> Leftovers.lock(home), "a second stack in this very process");
        lock.release();
        lock.channel().close();
    }

    @Test
    void aPostgresLeftRunningOnTheStacksData_isStopped_soANewOneStartsOnIt() throws IOException {
        Path data = root.resolve("postgres");
        // A launcher that started PostgreSQL on the stack's data, killed with -9: the server stays.
        fake(Map.of("fake.postgres", data.toString())).close();
        assertTrue(Leftovers.endPostgres(data, out));
        assertTrue(printed.toString().contains("stopping PostgreSQL left running on " + data), printed.toString());
        try (EmbeddedPostgres again = EmbeddedPostgres.start(data)) {
            assertTrue(again.port() > 0);
        }
        assertFalse(Leftovers.endPostgres(data, out), "nothing left the second time");
    }
}
