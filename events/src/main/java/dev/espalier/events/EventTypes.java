package dev.espalier.events;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The stored name and current schema version of every event. A stored name is {@code <kebab-name>.v<version>}
 * ({@code prompt-issued.v1}) and is what the store and Kafka carry, so Java classes can be renamed freely. When a
 * record changes shape its version goes up and an {@link Upcasters upcaster} turns the old shape into the new one.
 */
public final class EventTypes {

    /** One kind of event: its stable name, current version and record class. */
    public record EventType(String name, int version, Class<? extends SessionEvent> type) {
        public String storedName() {
            return storedName(name, version);
        }

        static String storedName(String name, int version) {
            return name + ".v" + version;
        }
    }

    private static final List<EventType> ALL = List.of(
            new EventType("session-created", 2, SessionEvent.SessionCreated.class),
            new EventType("prompt-issued", 1, SessionEvent.PromptIssued.class),
            new EventType("rollouts-ready", 1, SessionEvent.RolloutsReady.class),
            new EventType("choice-made", 3, SessionEvent.ChoiceMade.class),
            new EventType("prompt-skipped", 2, SessionEvent.PromptSkipped.class),
            new EventType("prompt-edited", 2, SessionEvent.PromptEdited.class),
            new EventType("step-applied", 1, SessionEvent.StepApplied.class),
            new EventType("head-moved", 2, SessionEvent.HeadMoved.class),
            new EventType("prompt-reopened", 1, SessionEvent.PromptReopened.class),
            new EventType("policy-restored", 1, SessionEvent.PolicyRestored.class),
            new EventType("rollouts-failed", 1, SessionEvent.RolloutsFailed.class),
            new EventType("step-failed", 1, SessionEvent.StepFailed.class),
            new EventType("step-retried", 1, SessionEvent.StepRetried.class));

    private static final Map<Class<?>, EventType> BY_CLASS =
            ALL.stream().collect(Collectors.toUnmodifiableMap(EventType::type, Function.identity()));
    private static final Map<String, EventType> BY_STORED_NAME =
            ALL.stream().collect(Collectors.toUnmodifiableMap(EventType::storedName, Function.identity()));

    private EventTypes() {
    }

    public static List<EventType> all() {
        return ALL;
    }

    public static EventType of(Class<? extends SessionEvent> type) {
        EventType t = BY_CLASS.get(type);
        if (t == null) {
            throw new IllegalStateException(type.getName() + " has no stored name in EventTypes");
        }
        return t;
    }

    public static EventType of(SessionEvent event) {
        return of(event.getClass());
    }

    /** The current type for a stored name at its current version, or null (older versions go through upcasters). */
    static EventType current(String storedName) {
        return BY_STORED_NAME.get(storedName);
    }
}
