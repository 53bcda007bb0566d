package dev.espalier.trainer.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.trainer.training.SessionTrainer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Reads {@code espalier.session-events} (channel {@code trainer-session-events}: named apart from the
 * rollout-service's, so both can run in one JVM, the engine-service), in order per session: SessionCreated and
 * RolloutsReady are journaled, ChoiceMade is trained on and HeadMoved rebuilt, and their answers are written to
 * {@code espalier.training}. The record's offset is committed only after this method returns, that is after the
 * step is journaled and its StepApplied acknowledged by Kafka, so a crash at any point redelivers the event and
 * {@link SessionTrainer} recognises what was already done.
 */
@ApplicationScoped
public class SessionEventsConsumer {

    private final SessionTrainer trainer;
    private final TrainingPublisher publisher;
    private final Timer step;

    public SessionEventsConsumer(SessionTrainer trainer, TrainingPublisher publisher, MeterRegistry registry) {
        this.trainer = trainer;
        this.publisher = publisher;
        this.step = Timer.builder("espalier.trainer.step").description("ChoiceMade to StepApplied journaled, per choice")
                .register(registry);
    }

    @Incoming("trainer-session-events")
    @Blocking(ordered = true)
    public void onEvent(String json) {
        SessionEvent event = EventSerde.fromJson(json);
        switch (event) {
            case SessionCreated created -> trainer.sessionCreated(created);
            case RolloutsReady ready -> trainer.rolloutsReady(ready);
            case ChoiceMade choice -> publisher.publish(step.record(() -> trainer.choiceMade(choice)));
            case HeadMoved moved -> publisher.publish(trainer.headMoved(moved));
            default -> {
                // Prompts, skips, edits and the trainer's own events need nothing from the trainer.
            }
        }
    }
}
