package dev.espalier.session.domain;

import dev.espalier.events.Actor;
import dev.espalier.events.ChatMessage;
import dev.espalier.events.SessionConfig;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.ChoiceMade;
import dev.espalier.events.SessionEvent.HeadMoved;
import dev.espalier.events.SessionEvent.PolicyRestored;
import dev.espalier.events.SessionEvent.PromptEdited;
import dev.espalier.events.SessionEvent.PromptIssued;
import dev.espalier.events.SessionEvent.PromptReopened;
import dev.espalier.events.SessionEvent.PromptSkipped;
import dev.espalier.events.SessionEvent.RolloutsFailed;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.SessionCreated;
import dev.espalier.events.SessionEvent.StepApplied;
import dev.espalier.events.SessionEvent.StepFailed;
import dev.espalier.events.SessionEvent.StepRetried;
import dev.espalier.events.StoredText;
import dev.espalier.session.domain.SessionCommand.Checkout;
import dev.espalier.session.domain.SessionCommand.CreateSession;
import dev.espalier.session.domain.SessionCommand.EditPrompt;
import dev.espalier.session.domain.SessionCommand.MakeChoice;
import dev.espalier.session.domain.SessionCommand.Redo;
import dev.espalier.session.domain.SessionCommand.Retry;
import dev.espalier.session.domain.SessionCommand.SkipPrompt;
import dev.espalier.session.domain.SessionCommand.Undo;
import dev.espalier.session.domain.SessionState.Node;
import dev.espalier.session.domain.SessionState.Opened;
import dev.espalier.events.Failure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The rules of a session. {@link #decide} turns a command into events and {@link #react} answers the events other
 * services append (a step applied or a policy restored opens the next prompt); neither does I/O, time and ids come
 * from the injected clock and supplier. {@link #evolve} folds one event into the state and does nothing else.
 */
public final class SessionDecider {

    /** The longest comment a person may attach to a choice, in characters. */
    public static final int MAX_COMMENT_CHARS = 2000;

    private final Clock clock;
    private final Supplier<UUID> ids;

    public SessionDecider(Clock clock, Supplier<UUID> ids) {
        this.clock = clock;
        this.ids = ids;
    }

    public List<SessionEvent> decide(SessionCommand command, SessionState state, PromptSequence prompts, Actor actor) {
        Objects.requireNonNull(actor, "actor");
        if (command instanceof CreateSession create) {
            if (state.exists()) {
                throw new SessionRejection.Conflict("session " + state.sessionId() + " already exists");
            }
            return create(state, create.config(), prompts, actor);
        }
        if (!state.exists()) {
            throw new SessionRejection.NotFound("no session " + state.sessionId());
        }
        Long expected = command.expectedVersion();
        if (expected != null && expected != state.version()) {
            throw new SessionRejection.VersionConflict("session " + state.sessionId() + " is at version "
                    + state.version() + ", the command expected " + expected);
        }
        return switch (command) {
            case CreateSession c -> throw new IllegalStateException("handled above");
            case MakeChoice c -> List.of(choose(state, c, actor));
            case SkipPrompt s -> skip(state, prompts, actor);
            case Retry r -> List.of(retry(state, actor));
            case EditPrompt e -> edit(state, e.text(), actor);
            case Undo u -> undo(state, prompts, actor);
            case Redo r -> redo(state, prompts, actor);
            case Checkout c -> checkout(state, c.nodeId(), prompts, actor);
        };
    }

    /**
     * What the session does once another service's event is folded in: after a step is applied or a policy
     * restored, the next prompt is issued under HEAD.
     */
    public List<SessionEvent> react(SessionState before, SessionState after, SessionEvent appended,
                                    PromptSequence prompts) {
        boolean trainerDone = (before.phase() == SessionPhase.AWAITING_STEP
                || before.phase() == SessionPhase.STEP_FAILED || before.phase() == SessionPhase.AWAITING_POLICY)
                && after.phase() == SessionPhase.OUT_OF_PROMPTS;
        if (!trainerDone) {
            return List.of();
        }
        return nextPrompt(after, ids.get(), appended.eventId(), prompts).<List<SessionEvent>>map(List::of)
                .orElse(List.of());
    }

    /**
     * What the session records when the rollouts of its open prompt or the step of its pending choice have not come
     * within {@code timeout}: the failure, which offers retry, skip, edit and undo (the answer still counts if it comes
     * later). Empty when the session waits for neither.
     */
    public Optional<SessionEvent> giveUpWaiting(SessionState state, Duration timeout) {
        String waited = "within " + timeout.toString().substring(2).toLowerCase();
        return switch (state.phase()) {
            case AWAITING_ROLLOUTS -> Optional.of(new RolloutsFailed(ids.get(), state.sessionId(), now(),
                    state.currentPrompt().eventId(), state.currentPrompt().eventId(), new Failure(Failure.Kind.TIMEOUT,
                    "no rollouts came " + waited + ": the rollout-service is down, busy with other sessions or slower "
                            + "than that for these settings; retry, skip, or lower groupSize or maxNewTokens")));
            case AWAITING_STEP -> Optional.of(new StepFailed(ids.get(), state.sessionId(), now(),
                    state.pendingChoice().eventId(), state.pendingChoice().eventId(), state.openNode(),
                    new Failure(Failure.Kind.TIMEOUT, "the step did not come " + waited + ": the trainer-service is "
                            + "down, busy or slower than that for these settings; retry, or undo to take the pick back")));
            default -> Optional.empty();
        };
    }

    private List<SessionEvent> create(SessionState state, SessionConfig config, PromptSequence prompts, Actor actor) {
        var created = new SessionCreated(ids.get(), state.sessionId(), now(), null, config, ids.get(), actor);
        SessionState after = evolve(state, created);
        List<SessionEvent> events = new ArrayList<>();
        events.add(created);
        nextPrompt(after, ids.get(), created.eventId(), prompts).ifPresent(events::add);
        return events;
    }

    private ChoiceMade choose(SessionState state, MakeChoice choice, Actor actor) {
        if (state.phase() != SessionPhase.AWAITING_CHOICE) {
            throw new SessionRejection.Conflict("cannot choose now: " + describe(state.phase()));
        }
        RolloutsReady rollouts = state.currentRollouts();
        PromptIssued prompt = state.currentPrompt();
        if (choice.rolloutsReadyId() != null && !choice.rolloutsReadyId().equals(rollouts.eventId())) {
            throw new SessionRejection.Conflict("the rollouts " + choice.rolloutsReadyId() + " are no longer open: "
                    + "HEAD moved, and the open prompt shows rollouts " + rollouts.eventId());
        }
        if (rollouts.policyVersion() != prompt.parentPolicyVersion()) {
            throw new SessionRejection.Conflict("the rollouts were written with policy version "
                    + rollouts.policyVersion() + " but node " + prompt.nodeId() + " plays policy version "
                    + prompt.parentPolicyVersion());
        }
        Integer index = choice.chosenIndex();
        int n = rollouts.rollouts().size();
        if (index != null && (index < 0 || index >= n)) {
            throw new SessionRejection.InvalidArgument("choice",
                    "must be a rollout index between 0 and " + (n - 1) + " or \"none\", was " + index);
        }
        if (choice.comment() != null && choice.comment().length() > MAX_COMMENT_CHARS) {
            throw new SessionRejection.InvalidArgument("comment", "is longer than " + MAX_COMMENT_CHARS + " characters");
        }
        if (StoredText.holdsNul(choice.comment())) {
            throw new SessionRejection.InvalidArgument("comment", "must not contain the NUL character (U+0000)");
        }
        return new ChoiceMade(ids.get(), state.sessionId(), now(), null, rollouts.eventId(), state.openNode(), index,
                rollouts.policyVersion(), choice.comment(), actor);
    }

    private List<SessionEvent> skip(SessionState state, PromptSequence prompts, Actor actor) {
        PromptIssued open = requireOpenPrompt(state, "skip");
        var skipped = new PromptSkipped(ids.get(), state.sessionId(), now(), null, state.openNode(), open.eventId(),
                actor);
        List<SessionEvent> events = new ArrayList<>();
        events.add(skipped);
        SessionState after = evolve(state, skipped);
        // The skipped step stays the same node: the next prompt is played in its place under the same parent.
        nextPrompt(after, nodeAfterPassing(state), skipped.eventId(), prompts).ifPresent(events::add);
        return events;
    }

    /**
     * Where the prompt played instead of the open one goes: the open node, unless a step was asked for it. A step
     * the session gave up waiting for may still be journaled there later, so the next pick gets a node of its own.
     */
    private UUID nodeAfterPassing(SessionState state) {
        return state.phase() == SessionPhase.STEP_FAILED ? ids.get() : state.openNode();
    }

    private SessionEvent retry(SessionState state, Actor actor) {
        return switch (state.phase()) {
            case ROLLOUTS_FAILED -> issue(state, state.openNode(), state.currentPrompt().promptIndex(),
                    state.currentPrompt().messages(), null);
            case STEP_FAILED -> new StepRetried(ids.get(), state.sessionId(), now(), null,
                    state.pendingChoice().eventId(), actor);
            default -> throw new SessionRejection.Conflict("nothing to retry: " + describe(state.phase()));
        };
    }

    /** Whether an edit's text passes the rules that need no model: not blank, not too large, no NUL. */
    public static boolean isPlayableText(String text) {
        return text != null && !text.isBlank() && text.length() <= SessionConfig.MAX_PROMPT_CHARS
                && !StoredText.holdsNul(text);
    }

    private List<SessionEvent> edit(SessionState state, String text, Actor actor) {
        if (text == null || text.isBlank()) {
            throw new SessionRejection.InvalidArgument("text", "must not be blank");
        }
        if (text.length() > SessionConfig.MAX_PROMPT_CHARS) {
            throw new SessionConfig.PromptTooLargeException("text", text.length());
        }
        if (StoredText.holdsNul(text)) {
            throw new SessionRejection.InvalidArgument("text", "must not contain the NUL character (U+0000)");
        }
        if (state.phase() == SessionPhase.OUT_OF_PROMPTS || state.phase() == SessionPhase.AWAITING_POLICY) {
            return List.of(issue(state, ids.get(), -1, text, null));
        }
        PromptIssued open = requireOpenPrompt(state, "edit the prompt");
        var edited = new PromptEdited(ids.get(), state.sessionId(), now(), null, state.openNode(), open.eventId(),
                actor);
        return List.of(edited, issue(evolve(state, edited), nodeAfterPassing(state), -1, text, edited.eventId()));
    }

    /** Back to the parent of HEAD, with the prompt and rollouts of the pick taken back in front of the person. */
    private List<SessionEvent> undo(SessionState state, PromptSequence prompts, Actor actor) {
        requireNoStepInFlight(state, "undo");
        if (state.phase() == SessionPhase.STEP_FAILED) {
            // The failed pick is taken back: its prompt and rollouts are open again, for a pick at a node of its own.
            return List.of(new PromptReopened(ids.get(), state.sessionId(), now(), null, ids.get(), state.head(),
                    state.currentPrompt().eventId(), state.currentRollouts().eventId()));
        }
        Node head = state.headNode();
        if (head.parent() == null) {
            throw new SessionRejection.Conflict("nothing to undo: HEAD is at the start of the session");
        }
        return move(state, head.parent(), HeadMoved.Reason.UNDO, head.chosenFrom(), prompts, actor);
    }

    private List<SessionEvent> redo(SessionState state, PromptSequence prompts, Actor actor) {
        requireNoStepInFlight(state, "redo");
        UUID child = state.headNode().redoChild();
        if (child == null) {
            throw new SessionRejection.Conflict("nothing to redo from node " + state.head());
        }
        return move(state, child, HeadMoved.Reason.REDO, state.openedUnder().get(child), prompts, actor);
    }

    private List<SessionEvent> checkout(SessionState state, UUID nodeId, PromptSequence prompts, Actor actor) {
        if (nodeId == null) {
            throw new SessionRejection.InvalidArgument("nodeId", "is required");
        }
        if (!state.knows(nodeId)) {
            throw new SessionRejection.NotFound("session " + state.sessionId() + " has no node " + nodeId);
        }
        if (!state.nodes().containsKey(nodeId)) {
            throw new SessionRejection.Conflict("node " + nodeId + " was never played: its prompt got no pick, so it "
                    + "holds no policy to go back to");
        }
        requireNoStepInFlight(state, "check out a node");
        if (nodeId.equals(state.head())) {
            throw new SessionRejection.Conflict("HEAD is already at node " + nodeId);
        }
        return move(state, nodeId, HeadMoved.Reason.CHECKOUT, state.openedUnder().get(nodeId), prompts, actor);
    }

    /**
     * HEAD moves to {@code to}, and in the same append what was open there comes back: {@code reopen} with its
     * stored rollouts, or, when they never came, the same prompt issued again; with nothing to reopen, the next
     * prompt on the new path.
     */
    private List<SessionEvent> move(SessionState state, UUID to, HeadMoved.Reason reason, Opened reopen,
                                    PromptSequence prompts, Actor actor) {
        var moved = new HeadMoved(ids.get(), state.sessionId(), now(), null, state.head(), to, reason, actor);
        SessionState after = evolve(state, moved);
        List<SessionEvent> events = new ArrayList<>();
        events.add(moved);
        if (reopen == null) {
            nextPrompt(after, ids.get(), moved.eventId(), prompts).ifPresent(events::add);
            return events;
        }
        PromptIssued prompt = reopen.prompt();
        // The prompt's own node is used again unless a pick on it was played: then a new pick is a sibling.
        UUID node = after.nodes().containsKey(prompt.nodeId()) ? ids.get() : prompt.nodeId();
        if (reopen.rollouts() != null) {
            events.add(new PromptReopened(ids.get(), state.sessionId(), now(), moved.eventId(), node, to,
                    prompt.eventId(), reopen.rollouts().eventId()));
        } else {
            events.add(issue(after, node, prompt.promptIndex(), prompt.messages(), moved.eventId()));
        }
        return events;
    }

    private Optional<PromptIssued> nextPrompt(SessionState state, UUID nodeId, UUID causation, PromptSequence prompts) {
        int position = state.nextPromptIndex();
        return prompts.at(position).map(text -> issue(state, nodeId, position, text, causation));
    }

    private PromptIssued issue(SessionState state, UUID nodeId, int position, String text, UUID causation) {
        SessionConfig config = state.config();
        List<ChatMessage> messages = new ArrayList<>();
        if (config.format().systemPrompt() != null && !config.format().systemPrompt().isBlank()) {
            messages.add(ChatMessage.system(config.format().systemPrompt()));
        }
        messages.add(ChatMessage.user(text));
        return issue(state, nodeId, position, messages, causation);
    }

    private PromptIssued issue(SessionState state, UUID nodeId, int position, List<ChatMessage> messages,
                               UUID causation) {
        SessionConfig config = state.config();
        UUID parent = state.head();
        return new PromptIssued(ids.get(), state.sessionId(), now(), causation, nodeId, parent,
                state.nodes().get(parent).policyVersion(), position, messages, config.format(), config.sampling(),
                config.groupSize(), config.controlPrompt());
    }

    private static PromptIssued requireOpenPrompt(SessionState state, String action) {
        if (state.phase() != SessionPhase.AWAITING_ROLLOUTS && state.phase() != SessionPhase.AWAITING_CHOICE
                && state.phase() != SessionPhase.ROLLOUTS_FAILED && state.phase() != SessionPhase.STEP_FAILED) {
            throw new SessionRejection.Conflict("cannot " + action + " now: " + describe(state.phase()));
        }
        return state.currentPrompt();
    }

    private static void requireNoStepInFlight(SessionState state, String action) {
        if (state.phase() == SessionPhase.AWAITING_STEP) {
            throw new SessionRejection.Conflict("cannot " + action + " now: " + describe(state.phase()));
        }
    }

    private static String describe(SessionPhase phase) {
        return switch (phase) {
            case AWAITING_ROLLOUTS -> "the rollouts for the current prompt are not ready yet";
            case AWAITING_CHOICE -> "the rollouts are waiting for a choice";
            case AWAITING_STEP -> "the training step for the last choice is in flight";
            case AWAITING_POLICY -> "no prompt is open at the node HEAD moved to (the prompt source is used up; edit to "
                    + "type one)";
            case OUT_OF_PROMPTS -> "no prompt is open (the prompt source is used up; edit to type one)";
            case ROLLOUTS_FAILED -> "the rollouts for the current prompt failed (retry, skip, edit or undo)";
            case STEP_FAILED -> "the training step for the last choice failed (retry, skip, edit, or undo to take the "
                    + "pick back)";
        };
    }

    private Instant now() {
        return clock.instant();
    }

    /** The state after {@code events}, in order, starting from nothing. */
    public static SessionState fold(UUID sessionId, List<SessionEvent> events) {
        SessionState state = SessionState.none(sessionId);
        for (SessionEvent event : events) {
            state = evolve(state, event);
        }
        return state;
    }

    public static SessionState evolve(SessionState state, SessionEvent event) {
        if (!state.exists() && !(event instanceof SessionCreated)) {
            throw new IllegalStateException(event.getClass().getSimpleName() + " " + event.eventId()
                    + " comes before the session-created event of session " + state.sessionId());
        }
        SessionState next = switch (event) {
            case SessionCreated c -> new SessionState(c.sessionId(), state.version(), c.config(), c.rootNodeId(),
                    Map.of(c.rootNodeId(), new Node(c.rootNodeId(), null, 0, null, null, 0)), c.rootNodeId(),
                    SessionPhase.OUT_OF_PROMPTS, null, null, null, null, 0, Map.of(), Set.of(), null, c.actor());
            case PromptIssued p -> state.withOpen(p, null, p.nodeId(),
                    p.promptIndex() >= 0 ? p.promptIndex() + 1 : state.nextPromptIndex());
            case RolloutsReady r -> (state.phase() == SessionPhase.AWAITING_ROLLOUTS
                    || state.phase() == SessionPhase.ROLLOUTS_FAILED)
                    && state.currentPrompt().eventId().equals(r.promptIssuedId())
                    ? state.withOpen(state.currentPrompt(), r, state.openNode(), state.nextPromptIndex())
                    : state.withLateRollouts(r);
            case PromptReopened r -> reopen(state, r);
            case ChoiceMade c -> state.withChoice(c);
            case PromptSkipped s -> state.withoutOpenPrompt();
            case PromptEdited e -> state.withoutOpenPrompt();
            case StepApplied s -> completesPendingChoice(state, s) ? applyStep(state, s) : state;
            case HeadMoved h -> moveHead(state, h);
            case RolloutsFailed f -> state.phase() == SessionPhase.AWAITING_ROLLOUTS
                    && state.currentPrompt().eventId().equals(f.promptIssuedId())
                    ? state.failed(SessionPhase.ROLLOUTS_FAILED, f.failure()) : state;
            case StepFailed f -> state.phase() == SessionPhase.AWAITING_STEP
                    && state.pendingChoice().eventId().equals(f.choiceMadeId())
                    ? state.failed(SessionPhase.STEP_FAILED, f.failure()) : state;
            case StepRetried r -> state.phase() == SessionPhase.STEP_FAILED
                    && state.pendingChoice().eventId().equals(r.choiceMadeId())
                    ? state.inPhase(SessionPhase.AWAITING_STEP) : state;
            case PolicyRestored p -> state.phase() == SessionPhase.AWAITING_POLICY && p.nodeId().equals(state.head())
                    ? state.inPhase(SessionPhase.OUT_OF_PROMPTS) : state;
        };
        return next.at(state.version() + 1);
    }

    private static SessionState reopen(SessionState state, PromptReopened reopened) {
        Opened opened = findOpened(state, reopened);
        PromptIssued prompt = opened.prompt();
        int next = prompt.promptIndex() >= 0 ? prompt.promptIndex() + 1 : state.nextPromptIndex();
        return state.withOpen(prompt, opened.rollouts(), reopened.nodeId(), next);
    }

    /** The prompt and rollouts a PromptReopened names: last opened under its node, or picked from by a child. */
    private static Opened findOpened(SessionState state, PromptReopened reopened) {
        Opened last = state.openedUnder().get(reopened.parentNodeId());
        if (names(last, reopened)) {
            return last;
        }
        for (Node node : state.nodes().values()) {
            if (names(node.chosenFrom(), reopened)) {
                return node.chosenFrom();
            }
        }
        throw new IllegalStateException("prompt-reopened " + reopened.eventId() + " names prompt "
                + reopened.promptIssuedId() + " with rollouts " + reopened.rolloutsReadyId()
                + ", which were never opened under node " + reopened.parentNodeId());
    }

    private static boolean names(Opened opened, PromptReopened reopened) {
        return opened != null && opened.rollouts() != null
                && opened.prompt().eventId().equals(reopened.promptIssuedId())
                && opened.rollouts().eventId().equals(reopened.rolloutsReadyId());
    }

    private static boolean completesPendingChoice(SessionState state, StepApplied step) {
        // A step the session gave up waiting for still counts when it comes: the trainer journaled it.
        return (state.phase() == SessionPhase.AWAITING_STEP || state.phase() == SessionPhase.STEP_FAILED)
                && state.pendingChoice().eventId().equals(step.choiceMadeId());
    }

    private static SessionState applyStep(SessionState state, StepApplied step) {
        Map<UUID, Node> nodes = new HashMap<>(state.nodes());
        nodes.put(step.nodeId(), new Node(step.nodeId(), state.currentPrompt().parentNodeId(), step.policyVersion(),
                null, new Opened(state.currentPrompt(), state.currentRollouts()), state.nextPromptIndex()));
        return state.withHead(nodes, step.nodeId(), SessionPhase.OUT_OF_PROMPTS, state.nextPromptIndex());
    }

    private static SessionState moveHead(SessionState state, HeadMoved moved) {
        Map<UUID, Node> nodes = new HashMap<>(state.nodes());
        if (moved.reason() == HeadMoved.Reason.UNDO) {
            nodes.put(moved.toNodeId(), nodes.get(moved.toNodeId()).withRedoChild(moved.fromNodeId()));
        }
        // The prompts played on the path to the new HEAD are the ones used up: an undone prompt is played again.
        return state.withHead(nodes, moved.toNodeId(), SessionPhase.AWAITING_POLICY,
                nodes.get(moved.toNodeId()).nextPromptIndex());
    }
}
