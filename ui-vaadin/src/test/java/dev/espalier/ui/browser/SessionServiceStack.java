package dev.espalier.ui.browser;

import dev.espalier.infra.EmbeddedKafka;
import dev.espalier.infra.EmbeddedPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The real back end the UI talks to: an in-process Kafka broker and PostgreSQL, and session-service's packaged
 * application ({@code session-service/target/quarkus-app}) run as its own process, as in production. The UI under
 * test gets its URL, nothing else.
 */
public class SessionServiceStack implements QuarkusTestResourceLifecycleManager {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;
    private static Process sessionService;
    private static String sessionServiceUrl;

    @Override
    public synchronized Map<String, String> start() {
        if (sessionService == null) {
            kafka = EmbeddedKafka.start();
            postgres = EmbeddedPostgres.start();
            sessionService = launchSessionService();
            Runtime.getRuntime().addShutdownHook(new Thread(SessionServiceStack::stopAll));
        }
        return Map.of("espalier.session-service.url", sessionServiceUrl);
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM; the shutdown hook stops it.
    }

    public static String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public static String sessionServiceUrl() {
        return sessionServiceUrl;
    }

    private static Process launchSessionService() {
        Path jar = Path.of(System.getProperty("espalier.session-service.jar",
                "../session-service/target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("session-service is not packaged: " + jar.toAbsolutePath()
                    + " is missing; build with ./mvnw -pl ui-vaadin -am verify");
        }
        int port = freePort();
        sessionServiceUrl = "http://127.0.0.1:" + port;
        String java = ProcessHandle.current().info().command().orElse("java");
        Path logFile = Path.of("target", "session-service.log");
        try {
            Files.createDirectories(logFile.getParent());
            Process process = new ProcessBuilder(List.of(java,
                    "-Dquarkus.http.port=" + port,
                    "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "-Dquarkus.datasource.jdbc.url=" + postgres.jdbcUrl(),
                    "-Dquarkus.datasource.username=" + postgres.username(),
                    "-Dquarkus.datasource.password=" + postgres.password(),
                    "-jar", jar.toString()))
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            awaitUp(process, logFile);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start session-service from " + jar, e);
        }
    }

    private static void awaitUp(Process process, Path logFile) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("session-service exited with " + process.exitValue() + "; see "
                        + logFile.toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(sessionServiceUrl + "/sessions"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("session-service did not answer within " + STARTUP + "; see "
                + logFile.toAbsolutePath());
    }

    private static void stopAll() {
        if (sessionService != null) {
            sessionService.destroy();
            try {
                sessionService.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kafka.close();
        postgres.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
