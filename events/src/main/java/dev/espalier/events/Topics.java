package dev.espalier.events;

/**
 * The Kafka topics of Espalier. Every record is keyed by session id ({@link #key}), so one session is one ordered
 * partition.
 */
public final class Topics {
    /** Every event the session-service has appended to its store, relayed by its outbox, in store order. */
    public static final String SESSION_EVENTS = "espalier.session-events";
    /** RolloutsReady and RolloutsFailed, written by the rollout-service. */
    public static final String ROLLOUTS = "espalier.rollouts";
    /** StepApplied, StepFailed and PolicyRestored, written by the trainer-service. */
    public static final String TRAINING = "espalier.training";
    /** {@link TokenDelta}s while rollouts are generated; not stored. */
    public static final String TOKENS = "espalier.tokens";

    private Topics() {
    }

    public static String key(SessionEvent event) {
        return event.sessionId().toString();
    }

    public static String key(TokenDelta delta) {
        return delta.sessionId().toString();
    }

    /** The topic the producer of {@code event} writes it to, before the session-service has stored it. */
    public static String producedOn(SessionEvent event) {
        return switch (event) {
            case SessionEvent.RolloutsReady r -> ROLLOUTS;
            case SessionEvent.RolloutsFailed r -> ROLLOUTS;
            case SessionEvent.StepApplied s -> TRAINING;
            case SessionEvent.StepFailed s -> TRAINING;
            case SessionEvent.PolicyRestored p -> TRAINING;
            default -> SESSION_EVENTS;
        };
    }
}
