package dev.espalier.events;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON of events and token deltas, the one format of the store, Kafka and the audit log. An event is a flat object:
 * {@code type} (the stored name, e.g. {@code choice-made.v2}), {@code schemaVersion}, then the record's fields.
 * Reading upcasts older versions first; anything that does not read is an {@link UnreadableEventException}, never
 * skipped.
 */
public final class EventSerde {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // Records expose their components; helpers such as ChoiceMade.isNone() are not fields.
            .visibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private EventSerde() {
    }

    public static String toJson(SessionEvent event) {
        EventTypes.EventType type = EventTypes.of(event);
        ObjectNode json = MAPPER.createObjectNode();
        json.put("type", type.storedName());
        json.put("schemaVersion", type.version());
        json.setAll((ObjectNode) MAPPER.valueToTree(event));
        return json.toString();
    }

    public static SessionEvent fromJson(String text) {
        JsonNode parsed;
        try {
            parsed = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UnreadableEventException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(parsed instanceof ObjectNode json) || !json.hasNonNull("type")) {
            throw new UnreadableEventException("an event must be a JSON object with a \"type\"", null);
        }
        String storedName = json.get("type").asText();
        EventTypes.EventType type = EventTypes.current(storedName);
        while (type == null) {
            Upcasters.Step step = Upcasters.from(storedName);
            if (step == null) {
                throw new UnreadableEventException("unknown event type " + storedName, null);
            }
            json = step.transform().apply(json);
            storedName = step.to();
            type = EventTypes.current(storedName);
        }
        json.remove("type");
        json.remove("schemaVersion");
        try {
            return MAPPER.treeToValue(json, type.type());
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new UnreadableEventException(type.storedName() + " does not read: " + e.getMessage(), e);
        }
    }

    /**
     * The session a record names, read leniently from its text: for the log line of a record that does not read as
     * an event (it goes to a dead-letter topic), so that someone can tell which session it belongs to.
     */
    public static String sessionNamedIn(String text) {
        Matcher m = SESSION_ID.matcher(text == null ? "" : text);
        return m.find() ? m.group(1) : "(none named)";
    }

    private static final Pattern SESSION_ID = Pattern.compile("\"sessionId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

    /** The stored name of {@code event}'s type, e.g. {@code choice-made.v3}: the store's type column. */
    public static String storedNameOf(SessionEvent event) {
        return EventTypes.of(event).storedName();
    }

    public static String toJson(TokenDelta delta) {
        return MAPPER.valueToTree(delta).toString();
    }

    public static TokenDelta tokenDeltaFromJson(String text) {
        try {
            return MAPPER.readValue(text, TokenDelta.class);
        } catch (JsonProcessingException e) {
            throw new UnreadableEventException("not a token delta: " + e.getOriginalMessage(), e);
        }
    }

    /** Stored or received JSON that is not a readable event: an error to surface, not to skip. */
    public static final class UnreadableEventException extends RuntimeException {
        public UnreadableEventException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
