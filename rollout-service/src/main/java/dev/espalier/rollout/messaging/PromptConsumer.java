package dev.espalier.rollout.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.PromptEdited;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.PromptSkipped;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.rollout.generation.RolloutJob;
import dev.espalier.rollout.generation.RolloutWorker;
import dev.espalier.rollout.policy.AdapterCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads {@code espalier.session-events} (channel {@code rollout-session-events}: named apart from the trainer's, so
 * both can run in one JVM, the engine-service): each PromptIssued becomes a job of the generation worker, and the
 * record is acknowledged only when its RolloutsReady is written, so with the throttled commit strategy a prompt
 * whose generation was cut short by a crash is delivered again after the restart. The method returns at once, so
 * prompts of other sessions keep arriving while one generates (the worker serves them round-robin). A prompt
 * skipped or edited while still queued is withdrawn unanswered. StepApplied events tell the adapter cache which
 * sha256 each version must have.
 */
@ApplicationScoped
public class PromptConsumer {

    private static final Logger LOG = Logger.getLogger(PromptConsumer.class);

    private final RolloutWorker worker;
    private final AdapterCache adapters;
    private final Counter deadLetters;

    public PromptConsumer(RolloutWorker worker, AdapterCache adapters, MeterRegistry registry) {
        this.worker = worker;
        this.adapters = adapters;
        this.deadLetters = Counter.builder("espalier.dead.letters").tag("topic", "espalier.session-events")
                .description("records sent to espalier.rollout-service.dead-letters").register(registry);
    }

    @Incoming("rollout-session-events")
    public CompletionStage<Void> onEvent(Message<String> message) {
        SessionEvent event;
        try {
            event = EventSerde.fromJson(message.getPayload());
        } catch (RuntimeException e) {
            deadLetters.increment();
            LOG.errorf("a record on espalier.session-events for session %s does not read as an event and goes to "
                    + "espalier.rollout-service.dead-letters: %s", EventSerde.sessionNamedIn(message.getPayload()),
                    e.getMessage());
            return message.nack(e);
        }
        switch (event) {
            case PromptIssued prompt -> {
                worker.submit(new RolloutJob(prompt, Instant.now(), new RolloutJob.Settlement() {
                    @Override
                    public void done() {
                        message.ack();
                    }

                    @Override
                    public void failed(Throwable cause) {
                        message.nack(cause);
                    }
                }));
                return CompletableFuture.completedFuture(null);
            }
            case PromptSkipped skipped -> {
                worker.withdraw(skipped.sessionId(), skipped.promptIssuedId());
                return message.ack();
            }
            case PromptEdited edited -> {
                worker.withdraw(edited.sessionId(), edited.promptIssuedId());
                return message.ack();
            }
            case StepApplied step -> {
                adapters.expect(step.sessionId(), step.policyVersion(), step.adapter().sha256());
                return message.ack();
            }
            default -> {
                return message.ack();
            }
        }
    }
}
