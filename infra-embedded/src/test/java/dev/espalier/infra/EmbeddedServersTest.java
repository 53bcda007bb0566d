package dev.espalier.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServersTest {

    @Test
    void kafka_keepsRecordsAcrossARestart_whenGivenADataDir(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            produce(kafka.bootstrapServers(), "t", "k", "before restart");
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
            produce(kafka.bootstrapServers(), "t", "k", "after restart");
            assertEquals(List.of("before restart", "after restart"), consume(kafka.bootstrapServers(), "t", 2));
        }
        assertTrue(Files.exists(dir), "a given data dir is the caller's and stays");
    }

    @Test
    void kafka_deletesItsTemporaryDir_onClose() throws Exception {
        Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            dir = kafka.dataDir();
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"));
            produce(kafka.bootstrapServers(), "t", "k", "v");
            assertEquals(List.of("v"), consume(kafka.bootstrapServers(), "t", 1));
        }
        assertFalse(Files.exists(dir));
    }

    @Test
    void postgres_keepsTablesAcrossARestart_whenGivenADataDir(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir)) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password())) {
                c.createStatement().execute("create table kept (v text); insert into kept values ('still here')");
            }
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir);
             Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
             ResultSet rs = c.createStatement().executeQuery(
                     "select v, version(), current_setting('synchronous_commit') from kept")) {
            assertTrue(rs.next());
            assertEquals("still here", rs.getString(1));
            assertTrue(rs.getString(2).startsWith("PostgreSQL 17"), rs.getString(2));
            assertEquals("on", rs.getString(3), "a persistent cluster must not lose acknowledged commits");
        }
    }

    private static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<String> consume(String bootstrap, String topic, int count) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(Map.of("bootstrap.servers", bootstrap,
                "group.id", "test-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
