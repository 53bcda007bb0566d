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
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads {@code espalier.session-events} (channel {@code trainer-session-events}: named apart from the
 * rollout-service's, so both can run in one JVM, the engine-service), in order per session: SessionCreated and
 * RolloutsReady are journaled, ChoiceMade and StepRetried are trained on and HeadMoved rebuilt, and their answers
 * (StepApplied or StepFailed, PolicyRestored) are written to {@code espalier.training}. A record that does not read
 * as an event is written to {@code espalier.trainer-service.dead-letters}, counted and logged with the session it
 * names, and passed over; any other failure (the database is away) fails the channel, and the record comes again. The record's offset is committed only after this method returns, that is after the
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
    private final MutinyEmitter<Record<String, String>> deadLetterTopic;

    public SessionEventsConsumer(SessionTrainer trainer, TrainingPublisher publisher, MeterRegistry registry,
                                 @Channel("trainer-dead-letters") MutinyEmitter<Record<String, String>> deadLetterTopic) {
        this.deadLetterTopic = deadLetterTopic;
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
        } catch (EventSerde.UnreadableEventException e) {
            deadLetters.increment();
            LOG.errorf("a record on espalier.session-events for session %s does not read as an event and goes to "
                    + "espalier.trainer-service.dead-letters: %s", EventSerde.sessionNamedIn(json), e.getMessage());
            deadLetterTopic.sendAndAwait(Record.of(EventSerde.sessionNamedIn(json), json));
            return;
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
