package dev.espalier.e2e;

import dev.espalier.policy.cli.TinyChatModel;
import dev.espalier.infra.EmbeddedKafka;
import dev.espalier.infra.EmbeddedPostgres;
import dev.espalier.infra.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Kafka and PostgreSQL in this JVM, a model on disk (tiny unless a {@link ModelSetup} says otherwise), and the
 * services as child processes: the session-service and either the trainer-service and the rollout-service, which can
 * be restarted with or without an injected fault, or the engine-service ({@link #withEngine()}), both in one process,
 * which then stands for both.
 */
final class Stack implements AutoCloseable {

    static final Duration START = Duration.ofSeconds(120);
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path LOGS = Path.of("target", "e2e-logs").toAbsolutePath();

    /** Kept under {@link #work}, so that they can be crashed and started again on the same data. */
    EmbeddedKafka kafka;
    EmbeddedPostgres postgres;
    final Path work;
    final Path model;
    final int sessionPort = ServiceProcess.freePort();
    final int trainerPort = ServiceProcess.freePort();
    final int rolloutPort;
    ServiceProcess session;
    ServiceProcess trainer;
    ServiceProcess rollout;

    /** The model the services serve, made in {@code dir}; and the services' heap (-Xmx), which must fit it. */
    record ModelSetup(Function<Path, Path> make, String heap) {
        /** A tiny Qwen3 (hidden 32, 2 layers) with the real Qwen3 tokenizer and chat template. */
        static final ModelSetup TINY = new ModelSetup(
                dir -> TinyChatModel.create(dir, Path.of("target", "npm"), 32, 9), "768m");
    }

    private final String heap;

    Stack() {
        this(false, ModelSetup.TINY);
    }

    Stack(ModelSetup setup) {
        this(false, setup);
    }

    private Stack(boolean engine, ModelSetup setup) {
        try {
            work = Files.createTempDirectory("espalier-e2e-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        postgres = EmbeddedPostgres.start(work.resolve("postgres"));
        heap = setup.heap();
        model = setup.make().apply(work.resolve("model"));
        rolloutPort = engine ? trainerPort : ServiceProcess.freePort();
        session = startSession();
        if (engine) {
            Map<String, String> p = common(trainerPort);
            p.putAll(trainerProperties());
            p.putAll(rolloutProperties());
            trainer = launch("engine-service", p);
            rollout = trainer;
        } else {
            trainer = startTrainer(Map.of());
            rollout = startRollout(Map.of());
        }
    }

    /** The session-service and the engine-service: trainer and rollout-service in one process, on one port. */
    static Stack withEngine() {
        return new Stack(true, ModelSetup.TINY);
    }

    URI sessions() {
        return URI.create("http://127.0.0.1:" + sessionPort + "/sessions");
    }

    URI trainer(String path) {
        return URI.create("http://127.0.0.1:" + trainerPort + path);
    }

    URI session(String path) {
        return URI.create("http://127.0.0.1:" + sessionPort + path);
    }

    URI rollout(String path) {
        return URI.create("http://127.0.0.1:" + rolloutPort + path);
    }

    ServiceProcess startSession() {
        Map<String, String> p = common(sessionPort);
        p.putAll(fastRebalance("rollouts"));
        p.putAll(fastRebalance("training"));
        p.put("espalier.session.rollout-url", rollout("/").toString());
        return launch("session-service", p);
    }

    /**
     * Everything dies at once: the three services and PostgreSQL by kill -9, the broker without a controlled
     * shutdown as far as an in-process broker allows; then PostgreSQL (crash recovery on the same data), Kafka (same
     * log directories, new ports) and the services start again.
     */
    void crashEverything() {
        for (ServiceProcess s : new ServiceProcess[] {session, trainer, rollout}) {
            s.close();
        }
        postgresServer().destroyForcibly();
        try {
            postgres.close(); // the server is gone; this lets go of the data directory's lock
        } catch (RuntimeException e) {
            // expected: there was nothing left to stop
        }
        kafka.close();
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        postgres = EmbeddedPostgres.start(work.resolve("postgres"));
        session = startSession();
        trainer = startTrainer(Map.of());
        rollout = startRollout(Map.of());
    }

    private ProcessHandle postgresServer() {
        try {
            long pid = Long.parseLong(Files.readAllLines(postgres.dataDir().resolve("postmaster.pid")).getFirst()
                    .strip());
            return ProcessHandle.of(pid).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ServiceProcess startTrainer(Map<String, String> extra) {
        Map<String, String> p = common(trainerPort);
        p.putAll(fastRebalance("trainer-session-events"));
        p.putAll(trainerProperties());
        p.putAll(extra);
        return launch("trainer-service", p);
    }

    ServiceProcess startRollout(Map<String, String> extra) {
        Map<String, String> p = common(rolloutPort);
        p.putAll(fastRebalance("rollout-session-events"));
        p.putAll(rolloutProperties());
        p.put("espalier.rollout.trainer-url", trainer("/").toString());
        p.putAll(extra);
        return launch("rollout-service", p);
    }

    private Map<String, String> trainerProperties() {
        return Map.of("espalier.trainer.work-dir", work.resolve("trainer").toString());
    }

    private Map<String, String> rolloutProperties() {
        return Map.of("espalier.rollout.model", model.toString(),
                "espalier.rollout.session-url", session("/").toString(),
                "espalier.rollout.work-dir", work.resolve("rollout").toString());
    }

    /** Starts the module's service and waits for it; started again under the same name it logs into a new file. */
    private ServiceProcess launch(String module, Map<String, String> properties) {
        try {
            Files.createDirectories(LOGS);
            Path log = Files.createTempFile(LOGS, module + "-", ".log");
            return ServiceProcess.start(ROOT, module, List.of("-Xmx" + heap, "-Dai.djl.offline=true"), properties, log)
                    .awaitStarted(START);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> common(int port) {
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.http.port", Integer.toString(port));
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        p.put("quarkus.datasource.username", postgres.username());
        p.put("quarkus.datasource.password", postgres.password());
        p.put("ai.djl.pytorch.num_threads", "1");
        return p;
    }

    /** A consumer killed mid-work leaves the group after 6 s instead of 45 s, so its successor starts sooner. */
    private static Map<String, String> fastRebalance(String channel) {
        return Map.of("mp.messaging.incoming." + channel + ".session.timeout.ms", "6000",
                "mp.messaging.incoming." + channel + ".heartbeat.interval.ms", "1000");
    }

    @Override
    public void close() {
        for (ServiceProcess s : new ServiceProcess[] {rollout, trainer, session}) {  // the engine is both: closed twice
            if (s != null) {
                s.close();
            }
        }
        kafka.close();
        postgres.close();
    }
}
