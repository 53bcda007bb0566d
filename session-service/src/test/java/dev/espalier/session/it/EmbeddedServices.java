package dev.espalier.session.it;

import dev.espalier.infra.EmbeddedKafka;
import dev.espalier.infra.EmbeddedPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Kafka broker and a real PostgreSQL for the Quarkus tests, started once per test JVM and shared by every
 * test class (each Quarkus restart gets the same servers; tests tell their data apart by session id).
 */
public class EmbeddedServices implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres postgres;

    @Override
    public synchronized Map<String, String> start() {
        if (kafka == null) {
            kafka = EmbeddedKafka.start();
            postgres = EmbeddedPostgres.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                kafka.close();
                postgres.close();
            }));
        }
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(),
                "quarkus.datasource.username", postgres.username(),
                "quarkus.datasource.password", postgres.password());
    }

    @Override
    public void stop() {
        // The servers outlive a Quarkus restart; the shutdown hook stops them with the JVM.
    }

    public static String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
