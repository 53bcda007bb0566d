package dev.espalier.rollout.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent.RolloutsFailed;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.TokenDelta;
import dev.espalier.events.Topics;
import dev.espalier.rollout.generation.RolloutSink;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Writes RolloutsReady and RolloutsFailed to {@code espalier.rollouts} (channel {@code rollouts}), waiting for Kafka's
 * acknowledgement, and token deltas to {@code espalier.tokens} (channel {@code tokens}) without waiting: deltas are a
 * live view only, the full text is in RolloutsReady, so a lost delta is logged, not retried.
 */
@ApplicationScoped
public class KafkaRolloutSink implements RolloutSink {

    private static final Logger LOG = Logger.getLogger(KafkaRolloutSink.class);

    private final MutinyEmitter<Record<String, String>> rollouts;
    private final MutinyEmitter<Record<String, String>> tokens;

    public KafkaRolloutSink(@Channel("rollouts") MutinyEmitter<Record<String, String>> rollouts,
                            @Channel("tokens") @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
                            MutinyEmitter<Record<String, String>> tokens) {
        this.rollouts = rollouts;
        this.tokens = tokens;
    }

    @Override
    public void delta(TokenDelta delta) {
        tokens.send(Record.of(Topics.key(delta), EventSerde.toJson(delta))).subscribe().with(
                ok -> { },
                failure -> LOG.warnf("token delta of prompt %s not sent: %s", delta.promptIssuedId(), failure));
    }

    @Override
    public void ready(RolloutsReady ready) {
        rollouts.sendAndAwait(Record.of(Topics.key(ready), EventSerde.toJson(ready)));
    }

    @Override
    public void failed(RolloutsFailed failed) {
        rollouts.sendAndAwait(Record.of(Topics.key(failed), EventSerde.toJson(failed)));
    }
}
