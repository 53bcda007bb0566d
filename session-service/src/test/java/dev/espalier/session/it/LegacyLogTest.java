package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.app.SessionService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A session stored before undo reopened prompts, kept as {@code legacy/session-before-reopen.ndjson}: its audit
 * export as the decider of that time wrote it (an undo that issued a new prompt after the trainer's PolicyRestored,
 * a skip, an edit, a "none" pick, and a checkout whose PolicyRestored had not come yet). It must fold, resume and
 * play under today's rules.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class LegacyLogTest extends SessionFixture {

    @Inject
    SessionService sessions;

    @Test
    void aLogFromBeforeReopening_foldsResumesAndPlays() throws IOException {
        List<SessionEvent> legacy = fixture();
        UUID id = legacy.getFirst().sessionId();
        store.append(id, 0, legacy);
        var checkout = (SessionEvent.HeadMoved) legacy.getLast();

        JsonPath restoring = view(id);
        assertEquals("AWAITING_POLICY", restoring.getString("phase"));
        assertEquals(checkout.toNodeId(), restoring.getUUID("headNodeId"));

        sessions.appendForeign(new SessionEvent.PolicyRestored(UUID.randomUUID(), id, Instant.now(),
                checkout.eventId(), checkout.toNodeId(), 1, 1, null));
        JsonPath resumed = view(id);
        assertEquals("AWAITING_ROLLOUTS", resumed.getString("phase"));
        assertEquals("Name a river.", resumed.getString("currentPrompt.text"), "the prompt order follows HEAD's "
                + "path: the colour was played on it, the fruit skipped and the tree edited away at its node");

        JsonPath undone = given().post("/sessions/{id}/undo", id).then().statusCode(200).extract().jsonPath();
        assertEquals("AWAITING_CHOICE", undone.getString("phase"));
        assertEquals("Name a colour.", undone.getString("currentPrompt.text"));
        assertEquals("answer 1 to Name a colour.", undone.getString("rollouts.rollouts[1].text"));
        choose(id, 2);
        stepArrives(id, 4);
        assertEquals("Name a fruit.", view(id).getString("currentPrompt.text"), "nothing was skipped on this branch");
        assertEquals(4, given().get("/sessions/{id}/timeline", id).then().statusCode(200).extract().jsonPath()
                .getList("nodes.findAll { it.status == 'PLAYED' }").size());
    }

    private static List<SessionEvent> fixture() throws IOException {
        try (InputStream in = LegacyLogTest.class.getResourceAsStream("/legacy/session-before-reopen.ndjson")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(EventSerde::fromJson).toList();
        }
    }
}
