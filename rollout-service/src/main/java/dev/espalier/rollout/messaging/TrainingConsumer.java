package dev.espalier.rollout.messaging;

import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.PolicyRestored;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.rollout.policy.AdapterCache;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Reads the trainer's own topic {@code espalier.training} (channel {@code rollout-training}) to start downloading a
 * new policy version the moment it exists: the PromptIssued that needs it comes one session-service store, relay
 * and Kafka hop later. Only a hint: every replica reads the whole topic from its end in a group of its own and
 * commits nothing; the authoritative sha256 still comes with the session's events ({@link PromptConsumer}).
 */
@ApplicationScoped
public class TrainingConsumer {

    private static final Logger LOG = Logger.getLogger(TrainingConsumer.class);

    private final AdapterCache adapters;

    public TrainingConsumer(AdapterCache adapters) {
        this.adapters = adapters;
    }

    @Incoming("rollout-training")
    public void onEvent(String json) {
        SessionEvent event;
        try {
            event = EventSerde.fromJson(json);
        } catch (RuntimeException e) {
            LOG.debugf(e, "ignoring a record of espalier.training that is no event");
            return;
        }
        switch (event) {
            case StepApplied step -> {
                adapters.expect(step.sessionId(), step.policyVersion(), step.adapter().sha256());
                adapters.prefetch(step.sessionId(), step.policyVersion());
            }
            case PolicyRestored restored -> adapters.prefetch(restored.sessionId(), restored.policyVersion());
            default -> {
                // Nothing else on this topic concerns generation.
            }
        }
    }
}
