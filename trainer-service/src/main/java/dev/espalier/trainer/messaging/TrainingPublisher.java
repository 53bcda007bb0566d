package dev.espalier.trainer.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.Topics;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/** Writes StepApplied and PolicyRestored to {@code espalier.training} (channel {@code training}), keyed by session. */
@ApplicationScoped
public class TrainingPublisher {

    private final MutinyEmitter<Record<String, String>> training;

    public TrainingPublisher(@Channel("training") MutinyEmitter<Record<String, String>> training) {
        this.training = training;
    }

    /** Returns once Kafka has acknowledged the event; a failed send throws, so the input is not acknowledged. */
    public void publish(SessionEvent event) {
        training.sendAndAwait(Record.of(Topics.key(event), EventSerde.toJson(event)));
    }
}
