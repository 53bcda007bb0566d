package dev.espalier.session.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.TokenDelta;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Follows {@code espalier.session-events} (channel {@code live-session-events}) and {@code espalier.tokens} (channel
 * {@code live-tokens}) from the newest record on, with a consumer group of this instance's own, and hands each record
 * to the live streams open for its session. Events are not kept: a client that reconnects reads the state and the
 * audit log over REST. The token deltas of the prompt a session is generating are kept until its RolloutsReady, and a
 * stream opened in the middle of a generation gets them first, so its cards show the text written before it came.
 */
@ApplicationScoped
public class LiveFeed {

    /** What a live stream receives: its SSE event name and the JSON it carries. */
    public record Item(String kind, String json) {
        public static final String EVENT = "event";
        public static final String TOKEN = "token";
    }

    /** One session's listeners and the deltas of its generation in flight; guarded by itself. */
    private static final class SessionFeed {
        private final Set<Consumer<Item>> listeners = new LinkedHashSet<>();
        private final List<Item> generating = new ArrayList<>();
        private UUID promptIssuedId;

        boolean idle() {
            return listeners.isEmpty() && generating.isEmpty();
        }
    }

    private final Map<UUID, SessionFeed> feeds = new ConcurrentHashMap<>();

    @Incoming("live-session-events")
    public void onSessionEvent(String json) {
        SessionEvent event = EventSerde.fromJson(json);
        publish(event.sessionId(), new Item(Item.EVENT, json), feed -> {
            if (event instanceof SessionEvent.RolloutsReady ready && ready.promptIssuedId().equals(feed.promptIssuedId)) {
                feed.generating.clear();
                feed.promptIssuedId = null;
            }
        });
    }

    @Incoming("live-tokens")
    public void onToken(String json) {
        TokenDelta delta = EventSerde.tokenDeltaFromJson(json);
        Item item = new Item(Item.TOKEN, json);
        publish(delta.sessionId(), item, feed -> {
            if (!delta.promptIssuedId().equals(feed.promptIssuedId)) {
                feed.generating.clear();
                feed.promptIssuedId = delta.promptIssuedId();
            }
            feed.generating.add(item);
        });
    }

    /**
     * Calls {@code listener} with the deltas of the generation in flight, then with every item of {@code sessionId}
     * until the returned handle is closed; nothing is missed or repeated in between.
     */
    public AutoCloseable follow(UUID sessionId, Consumer<Item> listener) {
        withFeed(sessionId, feed -> {
            feed.generating.forEach(listener);
            feed.listeners.add(listener);
        });
        return () -> withFeed(sessionId, feed -> feed.listeners.remove(listener));
    }

    private void publish(UUID sessionId, Item item, Consumer<SessionFeed> keep) {
        withFeed(sessionId, feed -> {
            keep.accept(feed);
            feed.listeners.forEach(l -> l.accept(item));
        });
    }

    /** Runs {@code action} holding the session's feed, which is dropped once it has neither listeners nor deltas. */
    private void withFeed(UUID sessionId, Consumer<SessionFeed> action) {
        while (true) {
            SessionFeed feed = feeds.computeIfAbsent(sessionId, s -> new SessionFeed());
            synchronized (feed) {
                if (feeds.get(sessionId) != feed) {
                    continue; // dropped between the lookup and the lock: take the new one
                }
                action.accept(feed);
                if (feed.idle()) {
                    feeds.remove(sessionId, feed);
                }
                return;
            }
        }
    }
}
