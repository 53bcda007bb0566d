package dev.espalier.ui.browser;

import dev.espalier.infra.EmbeddedKafka;
import dev.espalier.infra.EmbeddedPostgres;
import dev.espalier.infra.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real back end for the UI under test: an in-process Kafka broker and PostgreSQL, and services started from
 * their packaged jars. The UI gets the services' URLs, nothing else: it talks HTTP only.
 */
final class Backend implements AutoCloseable {

    private static final Path ROOT = Path.of(System.getProperty("espalier.services.root", "..")).toAbsolutePath()
            .normalize();
    private static final Path LOGS = Path.of("target", "service-logs").toAbsolutePath();
    private static final Duration START = Duration.ofSeconds(120);

    final EmbeddedKafka kafka = EmbeddedKafka.start();
    final EmbeddedPostgres postgres = EmbeddedPostgres.start();
    private final List<ServiceProcess> services = new ArrayList<>();

    /** Starts a service on a free port; returns its base URL. */
    String start(String module, Map<String, String> extra) {
        int port = ServiceProcess.freePort();
        Map<String, String> p = new HashMap<>();
        p.put("quarkus.http.port", Integer.toString(port));
        p.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        p.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
        p.put("quarkus.datasource.username", postgres.username());
        p.put("quarkus.datasource.password", postgres.password());
        p.put("ai.djl.pytorch.num_threads", "1");
        p.putAll(extra);
        try {
            Files.createDirectories(LOGS);
            Path log = Files.createTempFile(LOGS, module + "-", ".log");
            services.add(ServiceProcess.start(ROOT, module, List.of("-Xmx768m", "-Dai.djl.offline=true"), p, log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        services.getLast().awaitStarted(START);
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        List<ServiceProcess> newestFirst = new ArrayList<>(services);
        Collections.reverse(newestFirst);
        newestFirst.forEach(ServiceProcess::stop);
        kafka.close();
        postgres.close();
    }
}
