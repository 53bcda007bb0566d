package dev.espalier.session.it;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.events.TokenDelta;
import dev.espalier.events.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the rollout- and trainer-service in tests: writes their events to their real topics, as they would.
 */
public final class Workers implements AutoCloseable {

    private final KafkaProducer<String, String> producer;

    public Workers(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers, "acks", "all"),
                new StringSerializer(), new StringSerializer());
    }

    public static RolloutsReady rolloutsFor(PromptIssued prompt) {
        List<RolloutsReady.Rollout> rollouts = IntStream.range(0, prompt.groupSize())
                .mapToObj(i -> new RolloutsReady.Rollout(i, "answer " + i + " to " + prompt.userText(),
                        List.of(100 + i, 2), List.of(-0.5, -0.25), "eos"))
                .toList();
        return new RolloutsReady(UUID.randomUUID(), prompt.sessionId(), Instant.now(), prompt.eventId(),
                prompt.eventId(), prompt.parentPolicyVersion(), List.of(1, 2, 3), rollouts, null,
                new RolloutsReady.Timings(1, 10, 2 * prompt.groupSize()));
    }

    public static StepApplied stepFor(ChoiceMade choice, long newPolicyVersion) {
        return new StepApplied(UUID.randomUUID(), choice.sessionId(), Instant.now(), choice.eventId(),
                choice.eventId(), choice.nodeId(), newPolicyVersion,
                new StepApplied.StepMetrics(0.5, 0.49, 0.01, 0.9, List.of(1.0, -1.0), List.of(0.0, 0.0)),
                new StepApplied.AdapterRef("test:adapter/" + newPolicyVersion, "0".repeat(64)), false, 5);
    }

    /** Writes {@code event} to the topic its producer service writes it to, and waits for the broker's ack. */
    public void send(SessionEvent event) {
        send(Topics.producedOn(event), Topics.key(event), EventSerde.toJson(event));
    }

    public void send(TokenDelta delta) {
        send(Topics.TOKENS, Topics.key(delta), EventSerde.toJson(delta));
    }

    public void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
