package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.events.Actor;
import dev.espalier.events.SessionEvent;
import dev.espalier.infra.EmbeddedTokenIssuer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Sign-in on: bearer tokens from a real OpenID Connect issuer running in the test ({@link EmbeddedTokenIssuer}), verified by
 * the service's Quarkus OIDC. Every command's event names its person; a person sees and acts on their own sessions
 * only, and another's are 404.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
@TestProfile(SignInTest.WithSignIn.class)
class SignInTest extends SessionFixture {

    static final EmbeddedTokenIssuer ISSUER = EmbeddedTokenIssuer.shared();

    public static final class WithSignIn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url", ISSUER.url);
        }
    }

    private static String bearer(String subject) {
        return "Bearer " + ISSUER.token(subject, Instant.now().plusSeconds(300));
    }

    private static UUID createAs(String subject) {
        String id = given().header("Authorization", bearer(subject)).contentType(ContentType.JSON)
                .body(Map.of("model", "tiny-model", "prompts", Map.of("kind", "TYPED", "typed", List.of("one", "two"))))
                .post("/sessions").then().statusCode(201).extract().path("sessionId");
        return UUID.fromString(id);
    }

    @Test
    void withoutAValidToken_theSessionApiIs401_andHealthStaysOpen() {
        given().get("/sessions").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("status", equalTo(401)).body("error", startsWith("sign in first"));
        given().contentType(ContentType.JSON).body(Map.of("model", "tiny-model")).post("/sessions").then()
                .statusCode(401);
        given().header("Authorization", "Bearer " + ISSUER.token("alice", Instant.now().minusSeconds(60)))
                .get("/sessions").then().statusCode(401);
        given().header("Authorization", "Bearer not-a-token").get("/sessions").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("kind", "LOCAL_FILE", "location", "/etc/hostname"))
                .post("/prompts/preview").then().statusCode(401);
        given().get("/models/preview?model=tiny-model").then().statusCode(401);
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void eachPersonsMoves_nameThem_andAnothersSessionIsNotFound() {
        UUID alices = createAs("alice");
        UUID bobs = createAs("bob");
        workers.send(Workers.rolloutsFor(last(alices, SessionEvent.PromptIssued.class)));
        awaitPhaseAs(alices, "alice", "AWAITING_CHOICE");
        given().header("Authorization", bearer("alice")).contentType(ContentType.JSON)
                .body(Map.of("choice", 1)).post("/sessions/{id}/choice", alices).then().statusCode(200);
        given().header("Authorization", bearer("alice")).post("/sessions/{id}/skip", bobs).then().statusCode(404);

        assertEquals(Actor.person("alice"), last(alices, SessionEvent.SessionCreated.class).actor());
        assertEquals(Actor.person("alice"), last(alices, SessionEvent.ChoiceMade.class).actor());
        assertEquals(Actor.person("bob"), last(bobs, SessionEvent.SessionCreated.class).actor());

        for (String path : List.of("/sessions/{id}", "/sessions/{id}/timeline", "/sessions/{id}/events")) {
            given().header("Authorization", bearer("bob")).get(path, alices).then().statusCode(404)
                    .body("error", equalTo("no session " + alices));
        }
        given().header("Authorization", bearer("bob")).contentType(ContentType.JSON).body(Map.of("choice", 0))
                .post("/sessions/{id}/choice", alices).then().statusCode(404);
        List<String> bobSees = given().header("Authorization", bearer("bob")).get("/sessions").then().statusCode(200)
                .extract().jsonPath().getList("sessionId");
        assertTrue(bobSees.contains(bobs.toString()) && !bobSees.contains(alices.toString()), bobSees.toString());
        given().header("Authorization", bearer("alice")).get("/sessions/{id}", alices).then().statusCode(200)
                .body("phase", equalTo("AWAITING_STEP"));
    }

    private static void awaitPhaseAs(UUID id, String subject, String phase) {
        await().atMost(WAIT).until(() -> phase.equals(given()
                .header("Authorization", bearer(subject)).get("/sessions/{id}", id).then().extract().path("phase")));
    }
}
