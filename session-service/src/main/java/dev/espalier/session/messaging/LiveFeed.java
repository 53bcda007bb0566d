package dev.espalier.session.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.TokenDelta;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Follows {@code espalier.session-events} (channel {@code live-session-events}) and {@code espalier.tokens} (channel
 * {@code live-tokens}) from the newest record on, with a consumer group of this instance's own, and hands each record
 * to the live streams open for its session. Nothing here is stored: a client that reconnects reads the state and
 * the audit log over REST.
 */
@ApplicationScoped
public class LiveFeed {

    /** What a live stream receives: its SSE event name and the JSON it carries. */
    public record Item(String kind, String json) {
        public static final String EVENT = "event";
        public static final String TOKEN = "token";
    }

    private final Map<UUID, Set<Consumer<Item>>> listeners = new ConcurrentHashMap<>();

    @Incoming("live-session-events")
    public void onSessionEvent(String json) {
        SessionEvent event = EventSerde.fromJson(json);
        publish(event.sessionId(), new Item(Item.EVENT, json));
    }

    @Incoming("live-tokens")
    public void onToken(String json) {
        TokenDelta delta = EventSerde.tokenDeltaFromJson(json);
        publish(delta.sessionId(), new Item(Item.TOKEN, json));
    }

    /** Calls {@code listener} with every item of {@code sessionId} until the returned handle is closed. */
    public AutoCloseable follow(UUID sessionId, Consumer<Item> listener) {
        listeners.computeIfAbsent(sessionId, s -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> listeners.computeIfPresent(sessionId, (s, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    private void publish(UUID sessionId, Item item) {
        Set<Consumer<Item>> set = listeners.get(sessionId);
        if (set != null) {
            set.forEach(l -> l.accept(item));
        }
    }
}
