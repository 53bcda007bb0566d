package dev.espalier.rollout.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.rollout.generation.RolloutJob;
import dev.espalier.rollout.generation.RolloutWorker;
import dev.espalier.rollout.policy.AdapterCache;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code espalier.session-events} (channel {@code session-events}): each PromptIssued becomes a job of the
 * generation worker, and the record is acknowledged only when its RolloutsReady is written, so with the throttled
 * commit strategy a prompt whose generation was cut short by a crash is delivered again after the restart. The
 * method returns at once, so prompts of other sessions keep arriving while one generates (the worker serves them
 * round-robin). StepApplied events tell the adapter cache which sha256 each version must have.
 */
@ApplicationScoped
public class PromptConsumer {

    private final RolloutWorker worker;
    private final AdapterCache adapters;

    public PromptConsumer(RolloutWorker worker, AdapterCache adapters) {
        this.worker = worker;
        this.adapters = adapters;
    }

    @Incoming("session-events")
    public CompletionStage<Void> onEvent(Message<String> message) {
        SessionEvent event;
        try {
            event = EventSerde.fromJson(message.getPayload());
        } catch (RuntimeException e) {
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
