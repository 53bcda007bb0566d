package dev.espalier.ui.play;

import com.vaadin.flow.component.html.Pre;
import dev.espalier.events.Failure;
import dev.espalier.events.SessionEvent;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/** A terminal-style log of what the services do for this session, newest line last. */
class StepLog extends Pre {

    private static final int KEEP = 200;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Deque<String> lines = new ArrayDeque<>();

    StepLog() {
        setId("step-log");
        addClassName("terminal");
    }

    /** Logs an event at the time it happened. */
    void event(SessionEvent event) {
        line(event.occurredAt(), describe(event));
    }

    void line(Instant at, String line) {
        lines.addLast("[" + LocalTime.ofInstant(at, ZoneOffset.UTC).format(TIME) + "] " + line);
        while (lines.size() > KEEP) {
            lines.removeFirst();
        }
        setText(String.join("\n", lines));
        getElement().executeJs("this.scrollTop = this.scrollHeight");
    }

    void clear() {
        lines.clear();
        setText("");
    }

    /** The line an event is shown as; every event of the session gets one. */
    static String describe(SessionEvent event) {
        return switch (event) {
            case SessionEvent.SessionCreated e -> "session created with " + e.config().model();
            case SessionEvent.PromptIssued e -> "prompt issued at policy v" + e.parentPolicyVersion()
                    + ", " + e.groupSize() + " rollouts requested";
            case SessionEvent.RolloutsReady e -> String.format(Locale.ROOT,
                    "rollouts ready: %d answers, %d tokens in %.2f s (queued %.2f s)", e.rollouts().size(),
                    e.timings() == null ? 0 : e.timings().generatedTokens(),
                    e.timings() == null ? 0 : e.timings().generationMillis() / 1000.0,
                    e.timings() == null ? 0 : e.timings().queuedMillis() / 1000.0);
            case SessionEvent.ChoiceMade e -> (e.isNone() ? "chose none of them" : "chose answer "
                    + (e.chosenIndex() + 1)) + "; training step on policy v" + e.policyVersion() + " running…";
            case SessionEvent.PromptSkipped e -> "prompt skipped";
            case SessionEvent.PromptEdited e -> "prompt edited";
            case SessionEvent.StepApplied e -> String.format(Locale.ROOT,
                    "step applied → policy v%d  loss %.5f  policy %.5f  KL %.6f  grad norm %.4f  in %.2f s%s",
                    e.policyVersion(), e.metrics().loss(), e.metrics().policyTerm(), e.metrics().klTerm(),
                    e.metrics().gradNorm(), e.durationMillis() / 1000.0, e.fullCheckpoint() ? "  (checkpoint)" : "");
            case SessionEvent.HeadMoved e -> "HEAD moved (" + e.reason().name().toLowerCase(Locale.ROOT) + ")";
            case SessionEvent.PromptReopened e -> "prompt reopened with the rollouts shown before";
            case SessionEvent.PolicyRestored e -> e.stepsReplayed() == 0 && e.fromCheckpointVersion() != null
                    && e.fromCheckpointVersion() == e.policyVersion()
                    ? "policy v" + e.policyVersion() + " restored, kept in the trainer's memory"
                    : "policy v" + e.policyVersion() + " restored, " + e.stepsReplayed() + " step(s) replayed"
                    + (e.fromCheckpointVersion() == null ? " from the base model"
                    : " from checkpoint v" + e.fromCheckpointVersion());
            case SessionEvent.RolloutsFailed e -> "rollouts failed (" + kind(e.failure()) + "): "
                    + e.failure().reason();
            case SessionEvent.StepFailed e -> "training step failed (" + kind(e.failure()) + "): "
                    + e.failure().reason();
            case SessionEvent.StepRetried e -> "training step retried";
        };
    }

    private static String kind(Failure failure) {
        return failure.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
