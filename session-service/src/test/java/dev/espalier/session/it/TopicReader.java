package dev.espalier.session.it;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A real consumer of {@code espalier.session-events} from the beginning, in a group of its own. */
final class TopicReader implements AutoCloseable {

    /** An event as it arrived: its record key and the event. */
    record Received(String key, SessionEvent event) {
    }

    private final KafkaConsumer<String, String> consumer;
    private final List<Received> received = new ArrayList<>();

    TopicReader(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers,
                "group.id", "test-reader-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(Topics.SESSION_EVENTS));
    }

    /** Polls for {@code duration} and returns everything received so far. */
    List<Received> pollFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                received.add(new Received(r.key(), EventSerde.fromJson(r.value())));
            }
        }
        return List.copyOf(received);
    }

    /** Events of {@code session} received so far. */
    List<SessionEvent> of(UUID session) {
        return received.stream().map(Received::event).filter(e -> e.sessionId().equals(session)).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
