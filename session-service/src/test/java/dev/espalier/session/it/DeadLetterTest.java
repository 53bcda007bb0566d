package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.SessionEvent;
import dev.espalier.events.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class DeadLetterTest extends SessionFixture {

    @Test
    void anUnreadableRecord_goesToTheDeadLetterTopic_andDoesNotBlockTheEventsAfterIt() {
        UUID id = createSession(List.of("one"));
        String garbage = "{\"type\":\"rollouts-ready.v7\",\"sessionId\":\"" + id + "\"}";

        workers.send(Topics.ROLLOUTS, id.toString(), garbage);
        SessionEvent.RolloutsReady ready = rolloutsArrive(id);

        assertTrue(store.contains(ready.eventId()));
        List<String> dead = new CopyOnWriteArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", EmbeddedServices.bootstrapServers(),
                "group.id", "dlq-reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("espalier.session-service.dead-letters"));
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> dead.add(r.value()));
                return dead.contains(garbage);
            });
        }
        given().get("/q/metrics").then().statusCode(200).body(containsString(
                "espalier_dead_letters_total{topic=\"espalier.rollouts\"}"));
    }
}
