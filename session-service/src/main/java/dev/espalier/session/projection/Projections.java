package dev.espalier.session.projection;

import dev.espalier.session.store.EventStore;
import dev.espalier.session.store.StoredEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read models of this instance, fed with every event right after its append committed and rebuilt from the
 * store at start. Events may arrive out of order from concurrent appends; a gap is filled from the store, and
 * replays are ignored, so each read model is exactly the fold of its session's events.
 */
@ApplicationScoped
public class Projections {

    private static final int PAGE = 1000;

    private final EventStore store;
    private final Map<UUID, SessionSummaryProjection> summaries = new ConcurrentHashMap<>();
    private final Map<UUID, TimelineProjection> timelines = new ConcurrentHashMap<>();
    private final Map<UUID, PolicyHistoryProjection> histories = new ConcurrentHashMap<>();

    public Projections(EventStore store) {
        this.store = store;
    }

    void rebuild(@Observes StartupEvent event) {
        long after = 0;
        List<StoredEvent> page;
        do {
            page = store.readAll(after, PAGE);
            page.forEach(this::apply);
            after = page.isEmpty() ? after : page.getLast().globalPosition();
        } while (page.size() == PAGE);
    }

    public void apply(List<StoredEvent> events) {
        events.forEach(this::apply);
    }

    private void apply(StoredEvent stored) {
        UUID session = stored.event().sessionId();
        SessionSummaryProjection summary = summaries.computeIfAbsent(session, s -> new SessionSummaryProjection());
        if (!summary.apply(stored)) {
            store.loadAfter(session, summary.position()).forEach(summary::apply);
        }
        TimelineProjection timeline = timelines.computeIfAbsent(session, s -> new TimelineProjection());
        if (!timeline.apply(stored)) {
            store.loadAfter(session, timeline.position()).forEach(timeline::apply);
        }
        PolicyHistoryProjection history = histories.computeIfAbsent(session, s -> new PolicyHistoryProjection());
        if (!history.apply(stored)) {
            store.loadAfter(session, history.position()).forEach(history::apply);
        }
    }

    /** Every session, most recently active first. */
    public List<SessionSummary> sessions() {
        return summaries.values().stream().map(SessionSummaryProjection::summary)
                .filter(s -> s != null)
                .sorted(Comparator.comparing(SessionSummary::updatedAt).reversed())
                .toList();
    }

    public PolicyHistory policyHistory(UUID sessionId) {
        PolicyHistoryProjection h = histories.get(sessionId);
        return h == null ? PolicyHistory.EMPTY : h.history();
    }

    public Optional<Timeline> timeline(UUID sessionId) {
        TimelineProjection t = timelines.get(sessionId);
        return t == null || t.position() == 0 ? Optional.empty() : Optional.of(t.timeline());
    }
}
