package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.Failure;
import dev.espalier.events.SessionEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No session waits forever: failures the other services report are shown and can be retried, and a session that got
 * no answer within the configured time records a timeout itself (here 10 s). Real Kafka and PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
@TestProfile(FailuresTest.ShortAnswerTimeout.class)
class FailuresTest extends SessionFixture {

    public static final class ShortAnswerTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("espalier.session.answer-timeout", "PT10S");
        }
    }

    @Test
    void rolloutsFailed_isShownWithItsReason_andRetryIssuesThePromptAgain() {
        UUID id = createSession(List.of("one", "two"));
        SessionEvent.PromptIssued prompt = last(id, SessionEvent.PromptIssued.class);
        workers.send(new SessionEvent.RolloutsFailed(UUID.randomUUID(), id, Instant.now(), prompt.eventId(),
                prompt.eventId(), new Failure(Failure.Kind.PROMPT_TOO_LONG, "prompt has 6431 tokens")));
        awaitPhase(id, "ROLLOUTS_FAILED");
        JsonPath failed = view(id);
        assertEquals("PROMPT_TOO_LONG", failed.getString("failure.kind"));
        assertEquals("prompt has 6431 tokens", failed.getString("failure.reason"));

        given().post("/sessions/{id}/retry", id).then().statusCode(200).body("phase", org.hamcrest.Matchers
                .equalTo("AWAITING_ROLLOUTS"));
        SessionEvent.PromptIssued again = last(id, SessionEvent.PromptIssued.class);
        assertEquals(prompt.userText(), again.userText());
        assertTrue(!again.eventId().equals(prompt.eventId()));
        rolloutsArrive(id);
        given().post("/sessions/{id}/retry", id).then().statusCode(409).body("error",
                org.hamcrest.Matchers.containsString("nothing to retry"));
    }

    @Test
    void stepFailed_offersRetry_andTheStepWhenItComesOpensTheNextPrompt() {
        UUID id = createSession(List.of("one", "two"));
        rolloutsArrive(id);
        choose(id, 1);
        SessionEvent.ChoiceMade choice = last(id, SessionEvent.ChoiceMade.class);
        workers.send(new SessionEvent.StepFailed(UUID.randomUUID(), id, Instant.now(), choice.eventId(),
                choice.eventId(), choice.nodeId(), new Failure(Failure.Kind.NON_FINITE, "the loss is NaN")));
        awaitPhase(id, "STEP_FAILED");
        assertTrue(view(id).getBoolean("canUndo"), "undo takes the failed pick back");

        given().post("/sessions/{id}/retry", id).then().statusCode(200);
        assertEquals(choice.eventId(), last(id, SessionEvent.StepRetried.class).choiceMadeId());
        stepArrives(id, 1);
        awaitPhase(id, "AWAITING_ROLLOUTS");
        assertEquals("two", view(id).getString("currentPrompt.text"));
    }

    @Test
    void aSessionThatGetsNoAnswer_recordsATimeout_andALateAnswerStillCounts() {
        UUID id = createSession(List.of("one"));
        await().atMost(WAIT).until(() -> "ROLLOUTS_FAILED".equals(view(id).getString("phase")));
        SessionEvent.RolloutsFailed timeout = last(id, SessionEvent.RolloutsFailed.class);
        assertEquals(Failure.Kind.TIMEOUT, timeout.failure().kind());
        assertTrue(timeout.failure().reason().contains("within 10s"), timeout.failure().reason());

        workers.send(Workers.rolloutsFor(last(id, SessionEvent.PromptIssued.class)));
        awaitPhase(id, "AWAITING_CHOICE");
        choose(id, 0);
        await().atMost(WAIT).until(() -> "STEP_FAILED".equals(view(id).getString("phase")));
        assertEquals(Failure.Kind.TIMEOUT, last(id, SessionEvent.StepFailed.class).failure().kind());
        assertEquals(1, events(id).stream().filter(SessionEvent.StepFailed.class::isInstance).count(),
                "a session is given up on once per wait");
    }
}
