package dev.espalier.session.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.app.SessionService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code espalier.rollouts} (RolloutsReady from the rollout-service, channel {@code rollouts}) and
 * {@code espalier.training} (StepApplied and PolicyRestored from the trainer-service, channel {@code training}) and
 * appends each event to its session's stream exactly once, however often Kafka delivers it. A record that does not
 * read as an event fails the message, which the channel sends to the dead-letter topic: never skipped silently.
 */
@ApplicationScoped
public class ForeignEventsConsumer {

    private static final Logger LOG = Logger.getLogger(ForeignEventsConsumer.class);

    private final SessionService sessions;

    public ForeignEventsConsumer(SessionService sessions) {
        this.sessions = sessions;
    }

    @Incoming("rollouts")
    @Blocking(ordered = true)
    public void onRollouts(String json) {
        record(read(json, "espalier.rollouts", SessionEvent.RolloutsReady.class));
    }

    @Incoming("training")
    @Blocking(ordered = true)
    public void onTraining(String json) {
        record(read(json, "espalier.training", SessionEvent.StepApplied.class, SessionEvent.PolicyRestored.class));
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

    private void record(SessionEvent event) {
        switch (sessions.appendForeign(event)) {
            case APPENDED -> LOG.debugf("appended %s %s", EventSerde.storedNameOf(event), event.eventId());
            case ALREADY_STORED -> LOG.debugf("%s %s was already stored", EventSerde.storedNameOf(event), event.eventId());
            case UNKNOWN_SESSION -> LOG.warnf("%s %s names session %s, which does not exist here; not stored",
                    EventSerde.storedNameOf(event), event.eventId(), event.sessionId());
        }
    }
}
