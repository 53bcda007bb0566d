package dev.espalier.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventSerdeTest {

    @Test
    void everyEventType_roundTripsThroughJson() {
        for (SessionEvent event : SampleEvents.all()) {
            assertEquals(event, EventSerde.fromJson(EventSerde.toJson(event)), () -> event.getClass().getSimpleName());
        }
    }

    @Test
    void samples_coverEveryRegisteredType() {
        Set<Class<?>> sampled = SampleEvents.all().stream().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> registered = EventTypes.all().stream().map(EventTypes.EventType::type).collect(Collectors.toSet());
        assertEquals(registered, sampled);
    }

    @Test
    void eventsStoredBeforeActorsWereRecorded_readWithNoActor() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, String> before = Map.of("session-created", "v1", "choice-made", "v2", "prompt-skipped", "v1",
                "prompt-edited", "v1", "head-moved", "v1");
        for (SessionEvent event : SampleEvents.all()) {
            String name = EventTypes.of(event).name();
            if (!before.containsKey(name) || (event instanceof SessionEvent.ChoiceMade c && c.comment() == null)) {
                continue;
            }
            var old = (ObjectNode) mapper.readTree(EventSerde.toJson(event));
            old.remove("actor");
            old.put("type", name + "." + before.get(name));
            old.put("schemaVersion", Integer.parseInt(before.get(name).substring(1)));
            SessionEvent read = EventSerde.fromJson(old.toString());
            assertEquals(event.eventId(), read.eventId());
            assertTrue(mapper.readTree(EventSerde.toJson(read)).get("actor").isNull(), name + " reads with no actor");
        }
    }

    @Test
    void json_carriesExplicitVersionedTypeName_notTheJavaClassName() throws IOException {
        SessionEvent choice = SampleEvents.all().get(3);
        var json = new ObjectMapper().readTree(EventSerde.toJson(choice));
        assertEquals("choice-made.v3", json.get("type").asText());
        assertEquals(3, json.get("schemaVersion").asInt());
        assertEquals("2026-11-21T06:00:00.123456Z", json.get("occurredAt").asText());
        assertTrue(!EventSerde.toJson(choice).contains("ChoiceMade"));
    }

    @Test
    void choiceMadeV1_upcastsToV2_withNoneAsNullAndNoComment() throws IOException {
        String v1Pick = resource("events/choice-made.v1-pick.json");
        String v1None = resource("events/choice-made.v1-none.json");

        var pick = (SessionEvent.ChoiceMade) EventSerde.fromJson(v1Pick);
        var none = (SessionEvent.ChoiceMade) EventSerde.fromJson(v1None);

        assertEquals(new SessionEvent.ChoiceMade(UUID.fromString("7d6c1c52-1f1e-4c55-9a59-3d4f27b0c001"),
                UUID.fromString("7d6c1c52-1f1e-4c55-9a59-3d4f27b0c0aa"),
                java.time.Instant.parse("2026-01-02T03:04:05Z"), null,
                UUID.fromString("7d6c1c52-1f1e-4c55-9a59-3d4f27b0c0bb"),
                UUID.fromString("7d6c1c52-1f1e-4c55-9a59-3d4f27b0c0cc"), 2, 3, null, null), pick);
        assertTrue(none.isNone());
        assertEquals(3, none.schemaVersion());
        assertEquals(null, none.actor(), "who picked was not recorded then");
    }

    @Test
    void unknownType_isAnError_namingTheType() {
        var e = assertThrows(EventSerde.UnreadableEventException.class,
                () -> EventSerde.fromJson("{\"type\":\"choice-made.v9\",\"eventId\":\"x\"}"));
        assertTrue(e.getMessage().contains("choice-made.v9"), e.getMessage());
    }

    @Test
    void unknownField_isAnError_notSilentlyDropped() {
        String json = EventSerde.toJson(SampleEvents.all().get(5)).replace("{\"type\"", "{\"surprise\":1,\"type\"");
        assertThrows(EventSerde.UnreadableEventException.class, () -> EventSerde.fromJson(json));
    }

    @Test
    void missingRequiredField_isAnError() {
        String json = EventSerde.toJson(SampleEvents.all().get(5)).replaceAll("\"nodeId\":\"[^\"]*\",?", "");
        String withoutSession = json.replaceAll("\"sessionId\":\"[^\"]*\",?", "");
        assertThrows(EventSerde.UnreadableEventException.class, () -> EventSerde.fromJson(withoutSession));
    }

    @Test
    void tokenDelta_roundTrips() {
        var delta = new TokenDelta(SampleEvents.SESSION, SampleEvents.id(2), TokenDelta.CONTROL, 17, " rain\u00e9", true);
        assertEquals(delta, EventSerde.tokenDeltaFromJson(EventSerde.toJson(delta)));
    }

    @Test
    void everyEvent_isKeyedBySession_andForeignEventsHaveTheirOwnTopics() {
        for (SessionEvent event : SampleEvents.all()) {
            assertEquals(SampleEvents.SESSION.toString(), Topics.key(event));
        }
        assertEquals(Topics.ROLLOUTS, Topics.producedOn(SampleEvents.all().get(2)));
        assertEquals(Topics.TRAINING, Topics.producedOn(SampleEvents.all().get(7)));
        assertEquals(Topics.SESSION_EVENTS, Topics.producedOn(SampleEvents.all().get(3)));
    }

    @Test
    void config_refusesASystemPromptInRawMode_namingTheField() {
        var e = assertThrows(SessionConfig.InvalidConfigException.class, () -> new SessionConfig.PromptFormat(
                SessionConfig.PromptFormat.Mode.RAW, "You are terse.", "Q: ", "\nA:"));
        assertEquals("format.systemPrompt", e.field());
    }

    @Test
    void config_refusesAnOversizedControlPrompt_asPromptTooLarge() {
        SessionConfig c = SampleEvents.config();
        assertThrows(SessionConfig.PromptTooLargeException.class, () -> new SessionConfig(c.model(), c.prompts(),
                c.format(), c.groupSize(), c.sampling(), c.lora(), c.objective(), c.learningRate(), c.klBeta(),
                c.weightDecay(), c.maxGradNorm(), c.dpoBeta(), c.checkpointEvery(),
                "x".repeat(SessionConfig.MAX_PROMPT_CHARS + 1)));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EventSerdeTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
