package dev.espalier.session.it;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusTest
@QuarkusTestResource(EmbeddedServices.class)
class SessionApiTest extends SessionFixture {

    @Test
    void create_appliesTheDesignDefaults_andIssuesTheFirstPrompt() {
        UUID id = createSession(List.of("Tell me a joke", "Name a colour"));

        JsonPath session = view(id);
        assertEquals("AWAITING_ROLLOUTS", session.getString("phase"));
        assertEquals("Tell me a joke", session.getString("currentPrompt.text"));
        assertEquals(2, session.getLong("version"));
        JsonPath config = new JsonPath(session.prettify()).setRootPath("config");
        assertEquals(4, config.getInt("groupSize"));
        assertEquals("CHAT", config.getString("format.mode"));
        assertEquals(1.2, config.getDouble("sampling.temperature"));
        assertEquals(0.1, config.getDouble("sampling.minP"));
        assertEquals(1.0, config.getDouble("sampling.topP"));
        assertEquals(256, config.getInt("sampling.maxNewTokens"));
        assertEquals(16, config.getInt("lora.rank"));
        assertEquals(16.0, config.getDouble("lora.alpha"));
        assertEquals(SessionConfig.Lora.DEFAULT_TARGETS, config.getList("lora.targets"));
        assertEquals("GRPO", config.getString("objective"));
        assertEquals(2e-5, config.getDouble("learningRate"));
        assertEquals(0.03, config.getDouble("klBeta"));
        assertEquals(0.0, config.getDouble("weightDecay"));
        assertEquals(1.0, config.getDouble("maxGradNorm"));
        assertEquals(5, config.getInt("checkpointEvery"));
    }

    @Test
    void create_isRejected_namingTheField_andStoresNothing() {
        long before = countAllEvents();
        given().contentType(ContentType.JSON)
                .body(Map.of("model", "m", "groupSize", 1, "prompts", Map.of("kind", "TYPED", "typed", List.of("x"))))
                .post("/sessions").then().statusCode(400).body("argument", equalTo("groupSize"));
        given().contentType(ContentType.JSON).body(Map.of("model", "m", "prompts",
                        Map.of("kind", "LOCAL_FILE", "location", "/no/such/prompts.jsonl")))
                .post("/sessions").then().statusCode(400).body("error", containsString("/no/such/prompts.jsonl"));
        given().contentType(ContentType.JSON).body(Map.of("model", "m", "temprature", 1,
                        "prompts", Map.of("kind", "TYPED", "typed", List.of("x"))))
                .post("/sessions").then().statusCode(400);
        assertEquals(before, countAllEvents());
    }

    @Test
    void create_fromALocalJsonlFile_detectsTheTextColumn_andPlaysInTheSeededOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, """
                {"id": "1", "question": "Why is the sky blue?"}
                {"id": "2", "question": "What is a prime?"}
                {"id": "3", "question": "Who wrote Hamlet?"}
                """);
        Map<String, Object> body = Map.of("model", "m", "prompts",
                Map.of("kind", "LOCAL_FILE", "location", file.toString(), "orderSeed", 11));
        String first = given().contentType(ContentType.JSON).body(body).post("/sessions").then().statusCode(201)
                .extract().path("currentPrompt.text");
        String again = given().contentType(ContentType.JSON).body(body).post("/sessions").then().statusCode(201)
                .extract().path("currentPrompt.text");
        assertEquals(first, again);
        assertEquals(true, List.of("Why is the sky blue?", "What is a prime?", "Who wrote Hamlet?").contains(first));
    }

    @Test
    void aFullStep_rolloutsThenChoiceThenStep_opensTheNextPromptWithTheNewPolicy() {
        UUID id = createSession(List.of("one", "two"));
        rolloutsArrive(id);

        JsonPath ready = view(id);
        assertEquals(4, ready.getList("rollouts.rollouts").size());
        assertEquals("answer 2 to one", ready.getString("rollouts.rollouts[2].text"));

        JsonPath afterChoice = choose(id, 2);
        assertEquals("AWAITING_STEP", afterChoice.getString("phase"));
        var choice = last(id, SessionEvent.ChoiceMade.class);
        assertEquals(2, choice.chosenIndex());

        UUID node = stepArrives(id, 1).nodeId();
        awaitPhase(id, "AWAITING_ROLLOUTS");
        JsonPath next = view(id);
        assertEquals("two", next.getString("currentPrompt.text"));
        assertEquals(1, next.getLong("policyVersion"));
        assertEquals(node.toString(), next.getString("headNodeId"));
        var prompt = last(id, SessionEvent.PromptIssued.class);
        assertEquals(node, prompt.parentNodeId());
        assertEquals(1, prompt.parentPolicyVersion());

        given().get("/sessions/{id}/timeline", id).then().statusCode(200)
                .body("head", equalTo(node.toString()))
                .body("nodes.find { it.nodeId == '" + node + "' }.status", equalTo("PLAYED"))
                .body("nodes.find { it.nodeId == '" + node + "' }.chosenText", equalTo("answer 2 to one"))
                .body("nodes.find { it.nodeId == '" + node + "' }.policyVersion", equalTo(1));
    }

    @Test
    void choose_none_isStoredAsNone() {
        UUID id = createSession(List.of("one"));
        rolloutsArrive(id);
        choose(id, "none");
        assertEquals(null, last(id, SessionEvent.ChoiceMade.class).chosenIndex());
    }

    @Test
    void skip_andEdit_replaceTheOpenPromptAtTheSameNode() {
        UUID id = createSession(List.of("one", "two"));
        UUID node = last(id, SessionEvent.PromptIssued.class).nodeId();

        given().post("/sessions/{id}/skip", id).then().statusCode(200).body("currentPrompt.text", equalTo("two"));
        given().contentType(ContentType.JSON).body(Map.of("text", "my words"))
                .post("/sessions/{id}/prompt", id).then().statusCode(200)
                .body("currentPrompt.text", equalTo("my words"))
                .body("currentPrompt.nodeId", equalTo(node.toString()));
        List<String> types = events(id).stream().map(EventSerde::storedNameOf).toList();
        assertEquals(List.of("session-created.v2", "prompt-issued.v1", "prompt-skipped.v2", "prompt-issued.v1",
                "prompt-edited.v2", "prompt-issued.v1"), types);
    }

    @Test
    void undo_bringsBackThePickedPromptWithItsRollouts_aNewPickBranches_redoAndCheckoutReopenWhatWasOpen() {
        UUID id = createSession(List.of("one", "two", "three", "four"));
        UUID root = view(id).getUUID("headNodeId");
        SessionEvent.RolloutsReady shown = rolloutsArrive(id);
        choose(id, 0);
        UUID first = stepArrives(id, 1).nodeId();
        SessionEvent.RolloutsReady second = rolloutsArrive(id);

        JsonPath undone = given().post("/sessions/{id}/undo", id).then().statusCode(200).extract().jsonPath();
        assertEquals("AWAITING_CHOICE", undone.getString("phase"));
        assertEquals(root, undone.getUUID("headNodeId"));
        assertEquals("one", undone.getString("currentPrompt.text"));
        assertEquals(shown.eventId(), undone.getUUID("rollouts.rolloutsReadyId"));
        assertEquals(shown.rollouts().get(2).text(), undone.getString("rollouts.rollouts[2].text"));
        assertEquals(Boolean.TRUE, undone.getBoolean("canRedo"));
        given().contentType(ContentType.JSON).body(Map.of("choice", 1, "rolloutsReadyId", second.eventId().toString()))
                .post("/sessions/{id}/choice", id).then().statusCode(409).body("error", containsString("no longer open"));

        choose(id, 3);
        UUID branch = stepArrives(id, 2).nodeId();
        awaitPhase(id, "AWAITING_ROLLOUTS");
        assertEquals("two", view(id).getString("currentPrompt.text"), "the undone prompt was not used up");
        given().get("/sessions/{id}/timeline", id).then().statusCode(200)
                .body("nodes.findAll { it.parentNodeId == '" + root + "' && it.status == 'PLAYED' }.nodeId",
                        equalTo(List.of(first.toString(), branch.toString())))
                .body("nodes.findAll { it.parentNodeId == '" + root + "' }.promptIssuedId.unique().size()", equalTo(1))
                .body("head", equalTo(branch.toString()));

        JsonPath checkedOut = given().contentType(ContentType.JSON).body(Map.of("nodeId", first.toString()))
                .post("/sessions/{id}/checkout", id).then().statusCode(200).extract().jsonPath();
        assertEquals(first, checkedOut.getUUID("headNodeId"));
        assertEquals(1, checkedOut.getLong("policyVersion"));
        assertEquals("AWAITING_CHOICE", checkedOut.getString("phase"));
        assertEquals(second.eventId(), checkedOut.getUUID("rollouts.rolloutsReadyId"));

        given().post("/sessions/{id}/undo", id).then().statusCode(200).body("phase", equalTo("AWAITING_CHOICE"));
        JsonPath redone = given().post("/sessions/{id}/redo", id).then().statusCode(200).extract().jsonPath();
        assertEquals(first, redone.getUUID("headNodeId"));
        assertEquals(second.eventId(), redone.getUUID("rollouts.rolloutsReadyId"));
        assertEquals(SessionEvent.HeadMoved.Reason.REDO, last(id, SessionEvent.HeadMoved.class).reason());
    }

    @Test
    void nulInAnswers_isStoredAsTheReplacementCharacter_withExactTokenIds_andNulInAPersonsText_is400() {
        long before = countAllEvents();
        given().contentType(ContentType.JSON)
                .body(Map.of("model", "m", "prompts", Map.of("kind", "TYPED", "typed", List.of("a\u0000b"))))
                .post("/sessions").then().statusCode(400).body("argument", equalTo("prompts.typed[0]"))
                .body("error", containsString("NUL"));
        assertEquals(before, countAllEvents());

        UUID id = createSession(List.of("one", "two"));
        SessionEvent.PromptIssued prompt = last(id, SessionEvent.PromptIssued.class);
        var nul = new SessionEvent.RolloutsReady.Rollout(0, "bad\u0000byte", List.of(7, 0, 9), List.of(-1.0, -1.0,
                -1.0), "eos");
        SessionEvent.RolloutsReady plain = Workers.rolloutsFor(prompt);
        var withNul = new SessionEvent.RolloutsReady(UUID.randomUUID(), id, java.time.Instant.now(), prompt.eventId(),
                prompt.eventId(), prompt.parentPolicyVersion(), plain.promptTokenIds(),
                List.of(nul, plain.rollouts().get(1), plain.rollouts().get(2), plain.rollouts().get(3)), null,
                plain.timings());
        workers.send(withNul);
        awaitPhase(id, "AWAITING_CHOICE");
        assertEquals("bad\uFFFDbyte", view(id).getString("rollouts.rollouts[0].text"));
        assertEquals(List.of(7, 0, 9), last(id, SessionEvent.RolloutsReady.class).rollouts().getFirst().tokenIds());

        long stored = events(id).size();
        given().contentType(ContentType.JSON).body(Map.of("text", "x\u0000y"))
                .post("/sessions/{id}/prompt", id).then().statusCode(400).body("argument", equalTo("text"));
        given().contentType(ContentType.JSON).body(Map.of("choice", 1, "comment", "\u0000"))
                .post("/sessions/{id}/choice", id).then().statusCode(400).body("argument", equalTo("comment"));
        assertEquals(stored, events(id).size());
    }

    @Test
    void whatTheFrameworkRefuses_isJsonToo_withStatusErrorAndTheField() {
        UUID id = createSession(List.of("one"));
        given().contentType(ContentType.JSON).body("{not json").post("/sessions").then().statusCode(400)
                .contentType(ContentType.JSON).body("status", equalTo(400)).body("error", containsString("JSON"));
        given().contentType(ContentType.JSON).body(Map.of("model", "m", "groupSize", "four",
                        "prompts", Map.of("kind", "TYPED", "typed", List.of("x"))))
                .post("/sessions").then().statusCode(400).contentType(ContentType.JSON)
                .body("argument", equalTo("groupSize"));
        given().contentType(ContentType.JSON).body("[]").post("/sessions/{id}/choice", id).then().statusCode(400)
                .contentType(ContentType.JSON).body("status", equalTo(400));
        given().contentType(ContentType.JSON).body(Map.of("choice", 1, "unknown", 2))
                .post("/sessions/{id}/choice", id).then().statusCode(400).contentType(ContentType.JSON)
                .body("argument", equalTo("unknown"));
        given().get("/sessions/not-a-uuid").then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404)).body("error", containsString("UUID"));
        given().contentType(ContentType.TEXT).body("hello").post("/sessions").then().statusCode(415)
                .contentType(ContentType.JSON).body("status", equalTo(415));
        given().delete("/sessions/{id}", id).then().statusCode(405).contentType(ContentType.JSON)
                .body("status", equalTo(405));
    }

    @Test
    void moves_thatCannotBeMade_are404Or409_namingTheReason_andStoreNothing() {
        UUID id = createSession(List.of("one", "two"));
        long before = events(id).size();
        given().post("/sessions/{id}/undo", id).then().statusCode(409).body("error", containsString("nothing to undo"));
        given().post("/sessions/{id}/redo", id).then().statusCode(409).body("error", containsString("nothing to redo"));
        UUID open = last(id, SessionEvent.PromptIssued.class).nodeId();
        given().contentType(ContentType.JSON).body(Map.of("nodeId", open.toString()))
                .post("/sessions/{id}/checkout", id).then().statusCode(409).body("error", containsString("never played"));
        given().contentType(ContentType.JSON).body(Map.of("nodeId", UUID.randomUUID().toString()))
                .post("/sessions/{id}/checkout", id).then().statusCode(404).body("error", containsString("no node"));
        rolloutsArrive(id);
        choose(id, 1);
        given().post("/sessions/{id}/undo", id).then().statusCode(409).body("error", containsString("in flight"));
        assertEquals(before + 2, events(id).size(), "only the rollouts and the choice were stored");

        stepArrives(id, 1);
        long version = view(id).getLong("version");
        given().contentType(ContentType.JSON).body(Map.of("expectedVersion", version))
                .post("/sessions/{id}/undo", id).then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("expectedVersion", version))
                .post("/sessions/{id}/undo", id).then().statusCode(409);
        assertEquals(1, events(id).stream().filter(e -> e instanceof SessionEvent.HeadMoved).count());
    }

    @Test
    void list_showsTheSession() {
        UUID id = createSession(List.of("listed prompt"));
        given().get("/sessions").then().statusCode(200).body("sessionId", hasItem(id.toString()))
                .body("find { it.sessionId == '" + id + "' }.currentPrompt", equalTo("listed prompt"));
    }

    @Test
    void auditLog_isEveryStoredEvent_asNdjson_inOrder() {
        UUID id = createSession(List.of("one", "two"));
        playStep(id, 1, 1);
        awaitPhase(id, "AWAITING_ROLLOUTS");

        String body = given().get("/sessions/{id}/events", id).then().statusCode(200)
                .contentType("application/x-ndjson").extract().asString();

        List<SessionEvent> fromLog = body.lines().map(EventSerde::fromJson).toList();
        assertEquals(events(id), fromLog);
        assertInstanceOf(SessionEvent.SessionCreated.class, fromLog.getFirst());
        assertEquals(6, fromLog.size());
    }

    @Test
    void openApiDocument_isServed_andDescribesTheEndpoints() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/sessions/{id}/choice"))
                .body("paths", org.hamcrest.Matchers.hasKey("/sessions/{id}/stream"));
    }

    // --- refusals change nothing ---

    @Test
    void unknownSession_is404_everywhere() {
        UUID unknown = UUID.randomUUID();
        given().get("/sessions/{id}", unknown).then().statusCode(404).body("error", containsString(unknown.toString()));
        given().contentType(ContentType.JSON).body(Map.of("choice", 0))
                .post("/sessions/{id}/choice", unknown).then().statusCode(404);
        given().post("/sessions/{id}/undo", unknown).then().statusCode(404);
        given().get("/sessions/{id}/timeline", unknown).then().statusCode(404);
        given().get("/sessions/{id}/events", unknown).then().statusCode(404);
        assertEquals(List.of(), events(unknown));
    }

    @Test
    void choiceOutOfRange_is400_andChangesNothing() {
        UUID id = createSession(List.of("one"));
        rolloutsArrive(id);
        long version = view(id).getLong("version");

        given().contentType(ContentType.JSON).body(Map.of("choice", 4)).post("/sessions/{id}/choice", id)
                .then().statusCode(400).body("argument", equalTo("choice"));
        given().contentType(ContentType.JSON).body(Map.of("choice", "third")).post("/sessions/{id}/choice", id)
                .then().statusCode(400);

        assertEquals(version, view(id).getLong("version"));
        assertEquals("AWAITING_CHOICE", view(id).getString("phase"));
    }

    @Test
    void malformedJson_is400_andChangesNothing() {
        UUID id = createSession(List.of("one"));
        rolloutsArrive(id);
        long version = view(id).getLong("version");

        given().contentType(ContentType.JSON).body("{\"choice\": ").post("/sessions/{id}/choice", id)
                .then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"model\": [").post("/sessions").then().statusCode(400);

        assertEquals(version, view(id).getLong("version"));
    }

    @Test
    void oversizedPrompt_is413_andChangesNothing() {
        UUID id = createSession(List.of("one"));
        long version = view(id).getLong("version");

        given().contentType(ContentType.JSON).body(Map.of("text", "x".repeat(SessionConfig.MAX_PROMPT_CHARS + 1)))
                .post("/sessions/{id}/prompt", id).then().statusCode(413).body("argument", equalTo("text"));

        assertEquals(version, view(id).getLong("version"));
        assertEquals("one", view(id).getString("currentPrompt.text"));
    }

    @Test
    void choiceBeforeRollouts_andStaleExpectedVersion_are409_andChangeNothing() {
        UUID id = createSession(List.of("one"));
        given().contentType(ContentType.JSON).body(Map.of("choice", 0)).post("/sessions/{id}/choice", id)
                .then().statusCode(409).body("error", containsString("not ready"));
        rolloutsArrive(id);
        long version = view(id).getLong("version");
        given().contentType(ContentType.JSON).body(Map.of("choice", 0, "expectedVersion", version - 1))
                .post("/sessions/{id}/choice", id).then().statusCode(409).body("argument", equalTo("expectedVersion"));
        assertEquals(version, view(id).getLong("version"));
        given().get("/sessions/{id}", id).then().body("rollouts.control", nullValue());
    }

    private long countAllEvents() {
        return store.readAll(0, Integer.MAX_VALUE).size();
    }

    static {
        await().pollInterval(java.time.Duration.ofMillis(50));
    }
}
