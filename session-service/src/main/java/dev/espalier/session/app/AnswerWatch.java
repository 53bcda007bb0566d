package dev.espalier.session.app;

import dev.espalier.events.EventTypes;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.EventStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * No session waits forever: a session still waiting for rollouts or a step {@code espalier.session.answer-timeout}
 * after its latest request of them (PromptIssued, ChoiceMade, StepRetried) records a RolloutsFailed or StepFailed of
 * kind TIMEOUT, which the person can retry, skip or undo. That covers what the other services cannot report
 * themselves: a service that is down, a record lost to a dead-letter topic, a generation that never ends. Sessions
 * are looked at for an hour past their deadline (the watch looks every 30 s at most).
 */
@ApplicationScoped
public class AnswerWatch {

    private static final Logger LOG = Logger.getLogger(AnswerWatch.class);
    private static final List<String> ASKING = List.of(EventTypes.of(SessionEvent.PromptIssued.class).name(),
            EventTypes.of(SessionEvent.ChoiceMade.class).name(), EventTypes.of(SessionEvent.StepRetried.class).name());

    private final EventStore store;
    private final SessionService sessions;
    private final Clock clock;
    private final Duration timeout;
    private static final Duration LOOK_BACK = Duration.ofHours(1);
    private ScheduledExecutorService timer;

    public AnswerWatch(EventStore store, SessionService sessions, Clock clock,
                       @ConfigProperty(name = "espalier.session.answer-timeout", defaultValue = "PT30M")
                       Duration timeout) {
        this.store = store;
        this.sessions = sessions;
        this.clock = clock;
        this.timeout = timeout;
    }

    void onStart(@Observes StartupEvent event) {
        long every = Math.max(1, Math.min(30, timeout.toSeconds() / 4));
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("answer-watch").daemon()
                .factory());
        timer.scheduleWithFixedDelay(this::look, every, every, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void look() {
        try {
            Instant deadline = clock.instant().minus(timeout);
            for (EventStore.Position asked : store.latestOfBetween(ASKING, deadline.minus(LOOK_BACK), deadline)) {
                sessions.giveUpWaiting(asked.sessionId(), timeout);
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot look for sessions waiting longer than %s: %s", timeout, e.getMessage());
        }
    }
}
