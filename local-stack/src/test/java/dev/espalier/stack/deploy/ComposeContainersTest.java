package dev.espalier.stack.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.hub.FakeHub;
import dev.espalier.infra.EmbeddedKafka;
import dev.espalier.infra.EmbeddedPostgres;
import dev.espalier.infra.ServiceProcess;
import dev.espalier.policy.cli.TinyChatModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `docker compose up` played on this machine without Docker ({@link Containers}): the `model` one-shot fills the
 * shared cache from a hub, then each service starts from its image's command in the order of its dependencies, and
 * its compose health check, run as Docker runs it, passes, and fails once the service is stopped. Kafka and
 * PostgreSQL are the embedded ones, with the database, user and password the compose file gives the postgres image.
 * The rollout-service and trainer-service run their `cpu` target: the `cuda` one differs only in its base and
 * libtorch ({@link DockerImagesTest}).
 */
class ComposeContainersTest {

    private static final Duration START = Duration.ofMinutes(4);

    @TempDir
    static Path scratch;
    private static Map<String, Object> compose;
    private static EmbeddedPostgres postgres;
    private static EmbeddedKafka kafka;
    private static FakeHub hub;

    @BeforeAll
    static void infrastructure() throws Exception {
        compose = Compose.config();
        postgres = EmbeddedPostgres.start();
        Map<String, String> pg = Compose.map(Compose.map(Compose.<Object>map(compose.get("services")).get("postgres"))
                .get("environment"));
        try (Connection c = postgres.dataSource().getConnection(); Statement s = c.createStatement()) {
            // What the postgres image does at its first start with these variables.
            s.execute("CREATE ROLE " + pg.get("POSTGRES_USER") + " LOGIN PASSWORD '" + pg.get("POSTGRES_PASSWORD") + "'");
            s.execute("CREATE DATABASE " + pg.get("POSTGRES_DB") + " OWNER " + pg.get("POSTGRES_USER"));
        }
        kafka = EmbeddedKafka.start();
        hub = new FakeHub();
        Path model = TinyChatModel.create(scratch.resolve("tiny"), Path.of("target", "npm"), 32, 9);
        Map<String, FakeHub.RepoFile> files = new HashMap<>();
        try (Stream<Path> list = Files.list(model)) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(),
                        new FakeHub.RepoFile(Files.readAllBytes(f), f.toString().endsWith(".safetensors")));
            }
        }
        hub.addRepo("models/" + modelId(), "0123456789abcdef0123456789abcdef01234567", files, false);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void upFetchesTheModel_startsEveryService_andEachHealthCheckPassesWhileItRuns_andFailsOnceItStops() throws Exception {
        try (Containers docker = containers()) {
            ProcessResult fetched = docker.run("model", null, Map.of("HF_ENDPOINT", hub.endpoint().toString()),
                    Duration.ofMinutes(2));
            assertEquals(0, fetched.exitCode(), fetched.output());
            assertTrue(fetched.output().contains("\"architecture\":\"Qwen3ForCausalLM\""), fetched.output());

            List<Containers.Container> started = new java.util.ArrayList<>();
            for (String service : List.of("session-service", "trainer-service", "rollout-service", "ui-vaadin")) {
                String target = service.equals("rollout-service") || service.equals("trainer-service") ? "cpu" : null;
                Containers.Container c = docker.start(service, target, Map.of());
                Containers.Health healthy = c.awaitHealthy(START);
                assertEquals("", healthy.output().strip(), service + ": a passing check says nothing");
                started.add(c);
            }
            for (Containers.Container c : started.reversed()) {
                c.stop();
                Containers.Health down = c.health();
                assertNotEquals(0, down.exitCode(), c.service() + " stopped, yet its health check passed");
                assertTrue(down.output().contains("nothing listens on 127.0.0.1:"), c.service() + ": " + down.output());
            }
        }
    }

    @Test
    void theModelOneShot_saysInOneLineThatTheHubCannotBeReached_andFails() throws Exception {
        try (Containers docker = containers()) {
            String nowhere = "http://127.0.0.1:" + ServiceProcess.freePort();
            ProcessResult fetched = docker.run("model", null, Map.of("HF_ENDPOINT", nowhere), Duration.ofMinutes(2));
            assertNotEquals(0, fetched.exitCode(), fetched.output());
            List<String> lines = fetched.output().strip().lines().toList();
            assertEquals(1, lines.size(), fetched.output());
            assertTrue(lines.getFirst().contains("cannot reach") && lines.getFirst().contains(nowhere), lines.getFirst());
            assertFalse(lines.getFirst().contains("Exception in thread"), lines.getFirst());
        }
    }

    private static Containers containers() {
        Containers docker = new Containers(compose, scratch.resolve("run-" + System.nanoTime()));
        String kafkaHere = kafka.bootstrapServers();
        docker.publish("kafka", 9092, kafkaHere);
        docker.publish("postgres", 5432, "127.0.0.1:" + postgres.port());
        return docker;
    }

    private static String modelId() {
        List<String> command = Compose.strings(Compose.map(Compose.<Object>map(compose.get("services")).get("model"))
                .get("command"));
        return command.get(command.indexOf("--model") + 1);
    }
}
