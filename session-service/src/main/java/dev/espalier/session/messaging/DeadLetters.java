package dev.espalier.session.messaging;

import dev.espalier.events.EventSerde;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Makes a record bound for the dead-letter topic visible: an error line naming the session the record is about (read
 * leniently, since the record did not read as an event) and the counter {@code espalier_dead_letters_total} by
 * topic, which the stack's metrics show.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    static final String TOPIC = "espalier.session-service.dead-letters";

    private final MeterRegistry registry;

    public DeadLetters(MeterRegistry registry) {
        this.registry = registry;
    }

    void record(String topic, String payload, Exception cause) {
        Counter.builder("espalier.dead.letters").description("records sent to " + TOPIC + ", by the topic they came on")
                .tag("topic", topic).register(registry).increment();
        LOG.errorf("a record on %s for session %s cannot be appended and goes to %s: %s", topic,
                EventSerde.sessionNamedIn(payload), TOPIC, cause.getMessage());
    }
}
