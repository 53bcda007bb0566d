package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.OutboxRelay;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class OutboxRelayTest extends SessionFixture {

    @Inject
    OutboxRelay relay;

    @Test
    void everyStoredEvent_isPublishedOnce_keyedBySession_inOrder() {
        try (TopicReader reader = new TopicReader(EmbeddedServices.bootstrapServers())) {
            UUID id = createSession(List.of("one", "two"));
            playStep(id, 0, 1);
            awaitPhase(id, "AWAITING_ROLLOUTS");
            List<SessionEvent> stored = events(id);

            await().atMost(WAIT).until(() -> reader.pollFor(Duration.ofMillis(200)).stream()
                    .filter(r -> r.event().sessionId().equals(id)).count() >= stored.size());
            reader.pollFor(Duration.ofSeconds(1));

            assertEquals(stored, reader.of(id));
            reader.pollFor(Duration.ZERO).stream().filter(r -> r.event().sessionId().equals(id))
                    .forEach(r -> assertEquals(id.toString(), r.key()));
        }
    }

    @Test
    void serviceStoppedBetweenCommitAndPublish_publishesEachEventExactlyOnceAfterRestart() {
        try (TopicReader reader = new TopicReader(EmbeddedServices.bootstrapServers())) {
            relay.stop(); // the process dies after the append committed, before anything reached Kafka
            UUID id;
            try {
                id = createSession(List.of("one", "two"));
                given().post("/sessions/{id}/skip", id).then().statusCode(200);
                List<SessionEvent> stored = events(id);
                assertEquals(4, stored.size());
                assertEquals(4, relay.pending());
                assertEquals(List.of(), reader.pollFor(Duration.ofSeconds(3)).stream()
                        .filter(r -> r.event().sessionId().equals(id)).toList());
            } finally {
                relay.start(); // the restarted service relays what the outbox kept
            }

            List<SessionEvent> stored = events(id);
            await().atMost(WAIT).until(() -> reader.pollFor(Duration.ofMillis(200)).stream()
                    .filter(r -> r.event().sessionId().equals(id)).count() >= stored.size());
            reader.pollFor(Duration.ofSeconds(2)); // anything duplicated would arrive by now

            assertEquals(stored, reader.of(id));
            await().atMost(WAIT).until(() -> relay.pending() == 0);
        }
    }
}
