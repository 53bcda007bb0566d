package dev.espalier.session.projection;

import dev.espalier.events.SessionConfig.PromptSourceSpec;
import dev.espalier.events.SessionEvent;
import dev.espalier.session.store.StoredEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Builds one session's {@link SessionSummary}; events at or before the last position applied are replays, ignored. */
final class SessionSummaryProjection {

    private SessionSummary summary;
    /** Prompt texts by event id: a reopened prompt names one played before. */
    private final Map<UUID, String> promptTexts = new HashMap<>();

    synchronized long position() {
        return summary == null ? 0 : summary.version();
    }

    /** @return false when {@code stored} is not the next event (a gap: the caller catches up from the store) */
    synchronized boolean apply(StoredEvent stored) {
        long position = position();
        if (stored.sessionPosition() <= position) {
            return true;
        }
        if (stored.sessionPosition() != position + 1) {
            return false;
        }
        SessionSummary s = summary;
        SessionEvent event = stored.event();
        summary = switch (event) {
            case SessionEvent.SessionCreated c -> new SessionSummary(c.sessionId(), c.config().model(),
                    describe(c.config().prompts()), c.occurredAt(), c.occurredAt(), 0, 0, 0, 0, null, c.actor());
            case SessionEvent.PromptIssued p -> {
                promptTexts.put(p.eventId(), p.userText());
                yield with(s, s.choicesMade(), s.stepsApplied(), s.policyVersion(), p.userText());
            }
            case SessionEvent.PromptReopened r -> with(s, s.choicesMade(), s.stepsApplied(), s.policyVersion(),
                    promptTexts.get(r.promptIssuedId()));
            case SessionEvent.ChoiceMade c -> with(s, s.choicesMade() + 1, s.stepsApplied(), s.policyVersion(),
                    s.currentPrompt());
            case SessionEvent.StepApplied a -> with(s, s.choicesMade(), s.stepsApplied() + 1, a.policyVersion(), null);
            case SessionEvent.PolicyRestored r -> with(s, s.choicesMade(), s.stepsApplied(), r.policyVersion(), null);
            case SessionEvent.HeadMoved h -> with(s, s.choicesMade(), s.stepsApplied(), s.policyVersion(), null);
            case SessionEvent.PromptSkipped k -> with(s, s.choicesMade(), s.stepsApplied(), s.policyVersion(), null);
            case SessionEvent.PromptEdited e -> with(s, s.choicesMade(), s.stepsApplied(), s.policyVersion(), null);
            case SessionEvent.RolloutsReady r -> s;
            case SessionEvent.RolloutsFailed f -> s;
            case SessionEvent.StepFailed f -> s;
            case SessionEvent.StepRetried r -> s;
        };
        summary = new SessionSummary(summary.sessionId(), summary.model(), summary.promptSource(),
                summary.createdAt(), event.occurredAt(), stored.sessionPosition(), summary.choicesMade(),
                summary.stepsApplied(), summary.policyVersion(), summary.currentPrompt(), summary.owner());
        return true;
    }

    synchronized SessionSummary summary() {
        return summary;
    }

    private static SessionSummary with(SessionSummary s, int choices, int steps, long policyVersion, String prompt) {
        return new SessionSummary(s.sessionId(), s.model(), s.promptSource(), s.createdAt(), s.updatedAt(),
                s.version(), choices, steps, policyVersion, prompt, s.owner());
    }

    private static String describe(PromptSourceSpec spec) {
        return switch (spec.kind()) {
            case TYPED -> spec.typed().size() + " typed prompts";
            case LOCAL_FILE -> "file " + spec.location();
            case HF_DATASET -> "dataset " + spec.location();
        };
    }
}
