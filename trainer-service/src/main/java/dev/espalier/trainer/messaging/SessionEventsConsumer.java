package dev.espalier.trainer.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.events.SessionEvent.StepRetried;
import dev.espalier.trainer.training.SessionTrainer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code espalier.session-events} (channel {@code trainer-session-events}: named apart from the
 * rollout-service's, so both can run in one JVM, the engine-service), in order per session: SessionCreated and
 * RolloutsReady are journaled, ChoiceMade and StepRetried are trained on and HeadMoved rebuilt, and their answers
 * (StepApplied or StepFailed, PolicyRestored) are written to {@code espalier.training}. A record that does not read
 * as an event goes to the dead-letter topic, counted and logged with the session it names. The record's offset is committed only after this method returns, that is after the
 * step is journaled and its StepApplied acknowledged by Kafka, so a crash at any point redelivers the event and
 * {@link SessionTrainer} recognises what was already done.
 */
@ApplicationScoped
public class SessionEventsConsumer {

    private final SessionTrainer trainer;
    private final TrainingPublisher publisher;
    private static final Logger LOG = Logger.getLogger(SessionEventsConsumer.class);

    private final Timer step;
    private final Counter deadLetters;

    public SessionEventsConsumer(SessionTrainer trainer, TrainingPublisher publisher, MeterRegistry registry) {
        this.trainer = trainer;
        this.publisher = publisher;
        this.step = Timer.builder("espalier.trainer.step").description("ChoiceMade to StepApplied journaled, per choice")
                .register(registry);
        this.deadLetters = Counter.builder("espalier.dead.letters").tag("topic", "espalier.session-events")
                .description("records sent to espalier.trainer-service.dead-letters").register(registry);
    }

    /**
     * A rebuild that fails is not answered: the session does not wait for it (a move reopens a prompt at once), and
     * the next step rebuilds the state itself, reporting a StepFailed if it fails again.
     */
    private void restore(HeadMoved moved) {
        SessionEvent restored;
        try {
            restored = trainer.headMoved(moved);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.errorf(e, "session %s: the policy of node %s could not be rebuilt; the next step tries again",
                    moved.sessionId(), moved.toNodeId());
            return;
        }
        publisher.publish(restored);
    }

    @Incoming("trainer-session-events")
    @Blocking(ordered = true)
    public void onEvent(String json) {
        SessionEvent event;
        try {
            event = EventSerde.fromJson(json);
        } catch (RuntimeException e) {
            deadLetters.increment();
            LOG.errorf("a record on espalier.session-events for session %s does not read as an event and goes to "
                    + "espalier.trainer-service.dead-letters: %s", EventSerde.sessionNamedIn(json), e.getMessage());
            throw e;
        }
        switch (event) {
            case SessionCreated created -> trainer.sessionCreated(created);
            case RolloutsReady ready -> trainer.rolloutsReady(ready);
            case ChoiceMade choice -> publisher.publish(step.record(() -> trainer.choiceMade(choice)));
            case StepRetried retried -> publisher.publish(step.record(() -> trainer.stepRetried(retried)));
            case HeadMoved moved -> restore(moved);
            default -> {
                // Prompts, skips, edits and the trainer's own events need nothing from the trainer.
            }
        }
    }
}
