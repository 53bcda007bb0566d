package dev.espalier.session.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.app.SessionService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code espalier.rollouts} (RolloutsReady and RolloutsFailed from the rollout-service, channel
 * {@code rollouts}) and {@code espalier.training} (StepApplied, StepFailed and PolicyRestored from the
 * trainer-service, channel {@code training}) and
 * appends each event to its session's stream exactly once, however often Kafka delivers it. Records are handled
 * concurrently on worker threads: appends to one session serialize on its version, and the fold ignores a record
 * that arrives after the state it answered has moved on. A record that does not
 * read as an event fails the message, which the channel sends to the dead-letter topic: never skipped silently, and
 * counted and logged with the session it names ({@link DeadLetters}).
 */
@ApplicationScoped
public class ForeignEventsConsumer {

    private static final Logger LOG = Logger.getLogger(ForeignEventsConsumer.class);

    private final SessionService sessions;
    private final DeadLetters deadLetters;

    public ForeignEventsConsumer(SessionService sessions, DeadLetters deadLetters) {
        this.sessions = sessions;
        this.deadLetters = deadLetters;
    }

    @Incoming("rollouts")
    @Blocking(ordered = false)
    public void onRollouts(String json) {
        visibly("espalier.rollouts", json, () -> record(read(json, "espalier.rollouts",
                SessionEvent.RolloutsReady.class, SessionEvent.RolloutsFailed.class)));
    }

    @Incoming("training")
    @Blocking(ordered = false)
    public void onTraining(String json) {
        visibly("espalier.training", json, () -> record(read(json, "espalier.training",
                SessionEvent.StepApplied.class, SessionEvent.PolicyRestored.class, SessionEvent.StepFailed.class)));
    }

    @SafeVarargs
    private static SessionEvent read(String json, String topic, Class<? extends SessionEvent>... carried) {
        SessionEvent event = EventSerde.fromJson(json);
        for (Class<? extends SessionEvent> type : carried) {
            if (type.isInstance(event)) {
                return event;
            }
        }
        throw new IllegalArgumentException(topic + " does not carry " + EventSerde.storedNameOf(event));
    }

    /** What fails here fails the message, which the channel sends to the dead-letter topic. */
    private void visibly(String topic, String json, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            deadLetters.record(topic, json, e);
            throw e;
        }
    }

    private void record(SessionEvent event) {
        switch (sessions.appendForeign(event)) {
            case APPENDED -> LOG.debugf("appended %s %s", EventSerde.storedNameOf(event), event.eventId());
            case ALREADY_STORED -> LOG.debugf("%s %s was already stored", EventSerde.storedNameOf(event), event.eventId());
            case UNKNOWN_SESSION -> LOG.warnf("%s %s names session %s, which does not exist here; not stored",
                    EventSerde.storedNameOf(event), event.eventId(), event.sessionId());
        }
    }
}
