package dev.espalier.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Everything that happens to a session, in the order the session-service stored it (DESIGN.md §3). Most events
 * are decided by the session-service; {@link RolloutsReady} comes from the rollout-service and {@link StepApplied}
 * and {@link PolicyRestored} from the trainer-service, which the session-service appends to the same stream.
 * <p>
 * Every event carries its own id (appends are idempotent by it), its session, when it happened, and the id of the
 * event that caused it (null for the person's own commands). The events of a person's commands also name their
 * {@link Actor} (null in events stored before actors were recorded). The stored type name and schema version come from
 * {@link EventTypes}, never from the Java class name.
 * <p>
 * Nodes: a node is one played step of the game (prompt → rollouts → choice → policy version). A session starts at
 * a root node holding policy version 0; each PromptIssued opens a node under HEAD.
 */
public sealed interface SessionEvent {
    UUID eventId();

    UUID sessionId();

    Instant occurredAt();

    /** The event this one answers or follows from; null when it came from a person's command. */
    UUID causationId();

    default int schemaVersion() {
        return EventTypes.of(getClass()).version();
    }

    /** @param actor who created the session: its owner, who alone sees it where people sign in (added in v2) */
    record SessionCreated(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                          SessionConfig config, UUID rootNodeId, Actor actor) implements SessionEvent {
        public SessionCreated {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(rootNodeId, "rootNodeId");
        }
    }

    /**
     * A prompt to answer at {@code nodeId}. The prompt travels as chat messages plus the format; the rollout-service,
     * which owns the tokenizer, renders it to text and token ids (docs/events-and-sessions.md).
     *
     * @param promptIndex position in the session's prompt order, or -1 for a prompt the person typed in an edit
     */
    record PromptIssued(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                        UUID nodeId, UUID parentNodeId, long parentPolicyVersion, int promptIndex,
                        List<ChatMessage> messages, SessionConfig.PromptFormat format,
                        SessionConfig.Sampling sampling, int groupSize, String controlPrompt)
            implements SessionEvent {
        public PromptIssued {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(parentNodeId, "parentNodeId");
            messages = List.copyOf(messages);
        }

        /** The text of the last user message: what the person sees as "the prompt". */
        public String userText() {
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i).role().equals("user")) {
                    return messages.get(i).content();
                }
            }
            return "";
        }
    }

    /** The N answers to one PromptIssued, produced by the rollout-service with {@code policyVersion}. */
    record RolloutsReady(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                         UUID promptIssuedId, long policyVersion, List<Integer> promptTokenIds,
                         List<Rollout> rollouts, Rollout control, Timings timings) implements SessionEvent {
        public RolloutsReady {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(promptIssuedId, "promptIssuedId");
            promptTokenIds = List.copyOf(promptTokenIds);
            rollouts = List.copyOf(rollouts);
        }

        /**
         * One generated answer; {@code logprobs[i]} belongs to {@code tokenIds[i]}. A NUL in the text is stored as
         * U+FFFD ({@link StoredText}); the token ids are exact.
         */
        public record Rollout(int index, String text, List<Integer> tokenIds, List<Double> logprobs,
                              String finishReason) {
            public Rollout {
                text = StoredText.clean(text);
                tokenIds = List.copyOf(tokenIds);
                logprobs = List.copyOf(logprobs);
            }
        }

        public record Timings(long queuedMillis, long generationMillis, int generatedTokens) {
        }
    }

    /**
     * The person's pick among the rollouts of the current prompt, or none of them.
     *
     * @param chosenIndex the picked rollout's index, or null for "none of them"
     * @param policyVersion the policy version the rollouts were generated with, which the step applies to
     * @param comment the person's optional note on why (added in v2)
     * @param actor who picked (added in v3)
     */
    record ChoiceMade(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                      UUID rolloutsReadyId, UUID nodeId, Integer chosenIndex, long policyVersion, String comment,
                      Actor actor)
            implements SessionEvent {
        public ChoiceMade {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(rolloutsReadyId, "rolloutsReadyId");
            Objects.requireNonNull(nodeId, "nodeId");
        }

        public boolean isNone() {
            return chosenIndex == null;
        }
    }

    /** The person skipped the prompt; a PromptIssued for the same node follows. {@code actor} added in v2. */
    record PromptSkipped(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                         UUID nodeId, UUID promptIssuedId, Actor actor) implements SessionEvent {
        public PromptSkipped {
            requireIds(eventId, sessionId, occurredAt);
        }
    }

    /** The person rewrote the prompt; a PromptIssued with the new text follows. {@code actor} added in v2. */
    record PromptEdited(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                        UUID nodeId, UUID promptIssuedId, Actor actor) implements SessionEvent {
        public PromptEdited {
            requireIds(eventId, sessionId, occurredAt);
        }
    }

    /** The trainer applied the step for a choice: {@code nodeId} now holds {@code policyVersion}. */
    record StepApplied(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                       UUID choiceMadeId, UUID nodeId, long policyVersion, StepMetrics metrics,
                       AdapterRef adapter, boolean fullCheckpoint, long durationMillis) implements SessionEvent {
        public StepApplied {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(choiceMadeId, "choiceMadeId");
            Objects.requireNonNull(nodeId, "nodeId");
        }

        /** DESIGN.md §5: loss = policyTerm + β·klTerm; advantages and drift per rollout. */
        public record StepMetrics(double loss, double policyTerm, double klTerm, double gradNorm,
                                  List<Double> advantages, List<Double> drift) {
            public StepMetrics {
                advantages = List.copyOf(advantages);
                drift = List.copyOf(drift);
            }
        }

        /** Where the trainer stored the adapter (adapters are too big for Kafka) and its sha256. */
        public record AdapterRef(String uri, String sha256) {
        }
    }

    /** HEAD moved to another node of the timeline: undo, redo or checkout, by {@code actor} (added in v2). */
    record HeadMoved(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                     UUID fromNodeId, UUID toNodeId, Reason reason, Actor actor) implements SessionEvent {
        public enum Reason { UNDO, REDO, CHECKOUT }

        public HeadMoved {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(toNodeId, "toNodeId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A prompt played before, put back in front of the person with the rollouts it was answered with, after HEAD
     * moved: the rollouts were written by the policy now at HEAD, so they are still on-policy and nothing is generated
     * again. A pick on them opens {@code nodeId}, a new node under {@code parentNodeId} (a sibling of the node the
     * earlier pick opened, if there was one).
     */
    record PromptReopened(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                          UUID nodeId, UUID parentNodeId, UUID promptIssuedId, UUID rolloutsReadyId)
            implements SessionEvent {
        public PromptReopened {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(parentNodeId, "parentNodeId");
            Objects.requireNonNull(promptIssuedId, "promptIssuedId");
            Objects.requireNonNull(rolloutsReadyId, "rolloutsReadyId");
        }
    }

    /**
     * The trainer rebuilt the policy of {@code nodeId} after a HeadMoved, so the next step starts from it (the
     * session does not wait for it: a pick made before is queued behind the rebuild).
     *
     * @param fromCheckpointVersion the policy version of the full checkpoint it started from; null = from scratch
     */
    record PolicyRestored(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                          UUID nodeId, long policyVersion, int stepsReplayed, Long fromCheckpointVersion)
            implements SessionEvent {
        public PolicyRestored {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(nodeId, "nodeId");
        }
    }

    /**
     * The rollout-service could not answer {@code promptIssuedId}, or the session-service gave up waiting for the
     * answer; the session shows why and offers retry, skip, edit or undo.
     */
    record RolloutsFailed(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                          UUID promptIssuedId, Failure failure) implements SessionEvent {
        public RolloutsFailed {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(promptIssuedId, "promptIssuedId");
            Objects.requireNonNull(failure, "failure");
        }
    }

    /**
     * The trainer could not apply the step for {@code choiceMadeId}, or the session-service gave up waiting for it.
     * Nothing of the step was journaled; the session offers retry, skip, edit or undo (which takes the pick back).
     */
    record StepFailed(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                      UUID choiceMadeId, UUID nodeId, Failure failure) implements SessionEvent {
        public StepFailed {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(choiceMadeId, "choiceMadeId");
            Objects.requireNonNull(failure, "failure");
        }
    }

    /** {@code actor} asked for the failed step of {@code choiceMadeId} to be tried again. */
    record StepRetried(UUID eventId, UUID sessionId, Instant occurredAt, UUID causationId,
                       UUID choiceMadeId, Actor actor) implements SessionEvent {
        public StepRetried {
            requireIds(eventId, sessionId, occurredAt);
            Objects.requireNonNull(choiceMadeId, "choiceMadeId");
        }
    }

    private static void requireIds(UUID eventId, UUID sessionId, Instant occurredAt) {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }
}
