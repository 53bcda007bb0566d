package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.EventStore;
import dev.espalier.session.store.StoredEvent;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Drives sessions through the REST API and plays the other services on Kafka; reads the store to check. */
abstract class SessionFixture {

    static final Duration WAIT = Duration.ofSeconds(30);
    static Workers workers;

    @Inject
    EventStore store;

    @BeforeAll
    static void startWorkers() {
        workers = new Workers(EmbeddedServices.bootstrapServers());
    }

    @AfterAll
    static void stopWorkers() {
        workers.close();
    }

    static UUID createSession(List<String> typed) {
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("model", "tiny-model", "prompts", Map.of("kind", "TYPED", "typed", typed)))
                .post("/sessions").then().statusCode(201).extract().path("sessionId");
        return UUID.fromString(id);
    }

    static JsonPath view(UUID id) {
        return given().get("/sessions/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    static void awaitPhase(UUID id, String phase) {
        await().atMost(WAIT).until(() -> phase.equals(view(id).getString("phase")));
    }

    List<SessionEvent> events(UUID id) {
        return store.load(id).stream().map(StoredEvent::event).toList();
    }

    <T extends SessionEvent> T last(UUID id, Class<T> type) {
        List<SessionEvent> events = events(id);
        for (int i = events.size() - 1; i >= 0; i--) {
            if (type.isInstance(events.get(i))) {
                return type.cast(events.get(i));
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in session " + id);
    }

    /** The rollout-service answers the open prompt. */
    SessionEvent.RolloutsReady rolloutsArrive(UUID id) {
        SessionEvent.RolloutsReady ready = Workers.rolloutsFor(last(id, SessionEvent.PromptIssued.class));
        workers.send(ready);
        awaitPhase(id, "AWAITING_CHOICE");
        return ready;
    }

    /** The trainer applies the step for the last choice; waits until the session has taken it in. */
    SessionEvent.StepApplied stepArrives(UUID id, long newPolicyVersion) {
        SessionEvent.StepApplied step = Workers.stepFor(last(id, SessionEvent.ChoiceMade.class), newPolicyVersion);
        workers.send(step);
        await().atMost(WAIT).until(() -> store.contains(step.eventId()));
        return step;
    }

    static JsonPath choose(UUID id, Object choice) {
        return given().contentType(ContentType.JSON).body(Map.of("choice", choice))
                .post("/sessions/{id}/choice", id).then().statusCode(200).extract().jsonPath();
    }

    /** Plays the open prompt to the end: rollouts, a choice, the step. Returns the node it completed. */
    UUID playStep(UUID id, int choice, long newPolicyVersion) {
        rolloutsArrive(id);
        choose(id, choice);
        return stepArrives(id, newPolicyVersion).nodeId();
    }
}
