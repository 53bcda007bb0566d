package dev.espalier.ui.play;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.Key;
import com.vaadin.flow.component.KeyModifier;
import com.vaadin.flow.component.Shortcuts;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.shared.Registration;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.component.dependency.StyleSheet;
import dev.espalier.ui.EspalierStyle;
import com.vaadin.flow.router.Route;
import dev.espalier.events.SessionEvent;
import dev.espalier.events.TokenDelta;
import dev.espalier.ui.Notices;
import dev.espalier.ui.client.LiveListener;
import dev.espalier.ui.client.LiveSubscription;
import dev.espalier.ui.client.RolloutClient;
import dev.espalier.ui.client.SessionApiException;
import dev.espalier.ui.client.SessionClient;
import dev.espalier.ui.client.SessionSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The game: the prompt, N answers streaming in, and the person's moves (pick 1..N, none, skip, edit, undo, redo).
 * Follows the session live over session-service's SSE stream; every change is pushed to the browser.
 */
@StyleSheet(EspalierStyle.URL)
@Route("play/:sessionId")
@PageTitle("Espalier · play")
public class PlayView extends VerticalLayout implements BeforeEnterObserver {

    private final SessionClient sessions;
    private UUID id;

    private final Span step = stat("stat-step");
    private final Span phase = stat("stat-phase");
    private final Span loss = stat("stat-loss");
    private final Span drift = stat("stat-drift");
    private final Span gradNorm = stat("stat-grad-norm");
    private final Pre prompt = new Pre();
    private final TextArea promptEditor = new TextArea();
    private final Button saveEdit = new Button("Play edited prompt", e -> saveEdit());
    private final Div cards = new Div();
    private final List<RolloutCard> cardList = new ArrayList<>();
    private final Pre controlAtStart = new Pre();
    private final Pre controlNow = new Pre();
    /** The PromptIssued whose control answer {@link #controlNow} is streaming, when HEAD's is not known yet. */
    private UUID controlFor;
    private final Span rebuildText = new Span();
    private final ProgressBar rebuildProgress = new ProgressBar();
    private final Div rebuild = new Div(rebuildText, rebuildProgress);
    private Registration polling;
    private final StepLog log = new StepLog();
    private final Button none = new Button("None of them (0)", e -> choose(null));
    private final Button skip = new Button("Skip (S)", e -> skipPrompt());
    private final Button edit = new Button("Edit prompt (E)", e -> startEdit());
    private final Button undo = new Button("Undo (U)", e -> undoStep());
    private final Button redo = new Button("Redo (R)", e -> redoStep());
    private final Span failureText = new Span();
    private final Button retry = new Button("Retry", e -> retryFailed());
    private final Div failure = new Div(failureText, retry);

    private SessionSnapshot current;
    /** The PromptIssued whose answers the cards show or are streaming. */
    private UUID cardsFor;
    private LiveSubscription live;
    /** Events already shown: the live stream can repeat what the audit log gave when the page opened. */
    private final Set<UUID> seen = new HashSet<>();

    private final AskPanel askPanel;

    public PlayView(SessionClient sessions, RolloutClient rollouts) {
        this.sessions = sessions;
        this.askPanel = new AskPanel(rollouts, () -> id);
        setId("play-view");
        prompt.setId("prompt-text");
        prompt.addClassName("prompt");
        promptEditor.setId("prompt-editor");
        promptEditor.setWidthFull();
        saveEdit.setId("save-edit");
        promptEditor.setVisible(false);
        saveEdit.setVisible(false);
        cards.setId("cards");
        cards.addClassName("cards");
        controlAtStart.setId("control-start");
        controlNow.setId("control-now");
        rebuild.setId("policy-rebuild");
        rebuild.addClassName("panel");
        rebuild.setWidthFull();
        rebuild.setVisible(false);
        rebuildText.setId("policy-rebuild-text");
        rebuildProgress.setId("policy-rebuild-progress");
        failure.setId("failure");
        failure.addClassName("panel");
        failure.setWidthFull();
        failure.setVisible(false);
        failureText.setId("failure-text");
        retry.setId("retry");
        none.setId("choose-none");
        skip.setId("skip");
        edit.setId("edit");
        undo.setId("undo");
        redo.setId("redo");
        Button review = new Button("Review", e -> getUI().ifPresent(ui -> ui.navigate("review/" + id)));
        review.setId("open-review");
        review.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
        Div stats = new Div(label("step"), step, label("phase"), phase, label("loss"), loss, label("drift"), drift,
                label("grad norm"), gradNorm);
        stats.setId("stats");
        stats.addClassName("stats");
        Div control = new Div(new H3("Control prompt"), new HorizontalLayout(
                column("at step 0", controlAtStart), column("now", controlNow)));
        control.addClassName("panel");
        control.setWidthFull();
        Div logBox = new Div(new H3("What happens"), log);
        logBox.addClassName("panel");
        logBox.setWidthFull();
        add(new HorizontalLayout(stats, review), rebuild, failure, prompt, promptEditor, saveEdit, cards,
                new HorizontalLayout(none, skip, edit, undo, redo), control, askPanel, logBox);
        keys();
    }

    /**
     * Keys for the whole view. The browser keeps each key press (allowBrowserDefault), so the same letters and
     * digits can still be typed into the prompt editor and the question field; while either is in use the shortcuts
     * do nothing.
     */
    private void keys() {
        for (int i = 0; i < 9; i++) {
            int index = i;
            key(() -> choose(index), Key.of(Integer.toString(i + 1)));
        }
        key(() -> choose(null), Key.of("0"));
        key(skip::click, Key.of("s"));
        key(this::startEdit, Key.of("e"));
        key(undo::click, Key.of("u"));
        key(redo::click, Key.of("r"));
        key(undo::click, Key.of("z"), KeyModifier.CONTROL);
        key(redo::click, Key.of("y"), KeyModifier.CONTROL);
    }

    private void key(Runnable action, Key key, KeyModifier... modifiers) {
        Shortcuts.addShortcutListener(this, () -> whenNotEditing(action), key, modifiers).allowBrowserDefault();
    }

    private void whenNotEditing(Runnable action) {
        if (!promptEditor.isVisible() && !askPanel.typing()) {
            action.run();
        }
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        id = UUID.fromString(event.getRouteParameters().get("sessionId").orElseThrow());
    }

    @Override
    protected void onAttach(AttachEvent attachEvent) {
        UI ui = attachEvent.getUI();
        closeLive();
        log.clear();
        seen.clear();
        try {
            List<SessionEvent> history = sessions.events(id);
            history.forEach(e -> {
                seen.add(e.eventId());
                if (e instanceof SessionEvent.RolloutsReady r && r.control() != null
                        && r.policyVersion() == 0 && controlAtStart.getText().isEmpty()) {
                    controlAtStart.setText(r.control().text());
                }
            });
            history.stream().skip(Math.max(0, history.size() - 8)).forEach(log::event);
            render(sessions.get(id));
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
        polling = ui.addPollListener(e -> showRebuild());
        live = sessions.follow(id, new LiveListener() {
            @Override
            public void state(SessionSnapshot state) {
                ui.access(() -> render(state));
            }

            @Override
            public void event(SessionEvent event) {
                ui.access(() -> onEvent(event));
            }

            @Override
            public void token(TokenDelta delta) {
                ui.access(() -> onToken(delta));
            }

            @Override
            public void ended(Throwable failure) {
                if (failure != null) {
                    ui.access(() -> log.line(Instant.now(), "live stream lost: " + failure.getMessage()
                            + " (reload to reconnect)"));
                }
            }
        });
    }

    @Override
    protected void onDetach(DetachEvent detachEvent) {
        closeLive();
    }

    private void closeLive() {
        if (polling != null) {
            polling.remove();
            polling = null;
            getUI().ifPresent(ui -> ui.setPollInterval(-1));
        }
        if (live != null) {
            live.close();
            live = null;
        }
    }

    private void onEvent(SessionEvent event) {
        if (!seen.add(event.eventId())) {
            return;
        }
        log.event(event);
        if (event instanceof SessionEvent.RolloutsReady r && r.control() != null && r.policyVersion() == 0
                && controlAtStart.getText().isEmpty()) {
            controlAtStart.setText(r.control().text());
        }
        refresh();
    }

    private void onToken(TokenDelta delta) {
        if (!delta.promptIssuedId().equals(cardsFor)) {
            resetCards(delta.promptIssuedId(), current == null ? 0 : current.config().groupSize());
        }
        if (delta.rolloutIndex() == TokenDelta.CONTROL) {
            if (current != null && current.control() != null) {
                return; // HEAD's control answer is known: this one is the same policy's
            }
            if (!delta.promptIssuedId().equals(controlFor)) {
                controlFor = delta.promptIssuedId();
                controlNow.setText("");
            }
            controlNow.setText(controlNow.getText() + delta.textDelta());
        } else if (delta.rolloutIndex() >= 0) {
            while (cardList.size() <= delta.rolloutIndex()) {
                addCard();
            }
            cardList.get(delta.rolloutIndex()).append(delta.seq(), delta.textDelta());
        }
    }

    private void refresh() {
        try {
            render(sessions.get(id));
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
    }

    private void render(SessionSnapshot s) {
        if (current != null && s.version() < current.version()) {
            return;
        }
        current = s;
        step.setText(Long.toString(s.policyVersion()));
        phase.setText(s.policyRebuild() != null && SessionSnapshot.AWAITING_STEP.equals(s.phase())
                ? "step waits for the policy rebuild…" : phaseText(s.phase()));
        showStep(s.headStep());
        SessionSnapshot.Prompt p = s.currentPrompt();
        prompt.setText(p != null ? p.text() : s.policyRebuild() != null
                ? "(no prompt is open yet: the trainer is restoring this node's policy)"
                : "(no open prompt: the prompt source is used up on this path — edit to play a prompt of your own)");
        UUID promptId = p == null ? null : p.promptIssuedId();
        if (promptId == null) {
            resetCards(null, 0);
        } else if (!promptId.equals(cardsFor)) {
            resetCards(promptId, s.config().groupSize());
        }
        if (s.rollouts() != null) {
            for (SessionSnapshot.Rollout r : s.rollouts().rollouts()) {
                while (cardList.size() <= r.index()) {
                    addCard();
                }
                cardList.get(r.index()).complete(r.text(), r.finishReason(), r.tokens());
            }
        }
        if (s.control() != null) {
            controlNow.setText(s.control().text());
        } else if (s.rollouts() != null) {
            controlNow.setText(s.rollouts().control() == null ? "(no control prompt)" : s.rollouts().control().text());
        }
        showRebuild();
        showFailure(s);
        boolean choosing = SessionSnapshot.AWAITING_CHOICE.equals(s.phase());
        cardList.forEach(c -> c.setChoosable(choosing));
        none.setEnabled(choosing);
        skip.setEnabled(choosing || SessionSnapshot.AWAITING_ROLLOUTS.equals(s.phase()) || s.failed());
        edit.setEnabled(!SessionSnapshot.AWAITING_STEP.equals(s.phase()));
        undo.setEnabled(s.canUndo());
        redo.setEnabled(s.canRedo());
    }

    private void resetCards(UUID promptIssuedId, int groupSize) {
        cardsFor = promptIssuedId;
        cards.removeAll();
        cardList.clear();
        for (int i = 0; i < groupSize; i++) {
            addCard();
        }
    }

    private void addCard() {
        int index = cardList.size();
        RolloutCard card = new RolloutCard(index);
        card.addClickListener(e -> choose(index));
        cardList.add(card);
        cards.add(card);
    }

    private void choose(Integer index) {
        if (current == null || !SessionSnapshot.AWAITING_CHOICE.equals(current.phase()) || current.rollouts() == null
                || (index != null && index >= cardList.size())) {
            return;
        }
        if (index != null) {
            cardList.get(index).setChosen(true);
        }
        UUID shown = current.rollouts().rolloutsReadyId();
        act(() -> sessions.choose(id, index, shown));
    }

    private void skipPrompt() {
        act(() -> sessions.skip(id));
    }

    private void retryFailed() {
        act(() -> sessions.retry(id));
    }

    private void undoStep() {
        act(() -> sessions.undo(id));
    }

    private void redoStep() {
        act(() -> sessions.redo(id));
    }

    private void startEdit() {
        if (!edit.isEnabled()) {
            return;
        }
        promptEditor.setValue(current != null && current.currentPrompt() != null ? current.currentPrompt().text()
                : "");
        promptEditor.setVisible(true);
        saveEdit.setVisible(true);
        promptEditor.focus();
    }

    private void saveEdit() {
        promptEditor.setVisible(false);
        saveEdit.setVisible(false);
        act(() -> sessions.editPrompt(id, promptEditor.getValue()));
    }

    /** Runs a command; the answer is rendered at once, the live stream then brings what follows. */
    private void act(Supplier<SessionSnapshot> command) {
        try {
            render(command.get());
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
        releaseFocusFromDisabled();
    }

    /** A button that disabled itself (redo after redo) keeps the focus, and key presses there never arrive. */
    private void releaseFocusFromDisabled() {
        getElement().executeJs("const a = document.activeElement;"
                + " if (a && a.hasAttribute('disabled')) { a.blur(); }");
    }

    /** What failed and why, with the ways on: retry here, skip, edit and undo below. */
    private void showFailure(SessionSnapshot s) {
        failure.setVisible(s.failed());
        if (!s.failed()) {
            return;
        }
        String what = SessionSnapshot.STEP_FAILED.equals(s.phase()) ? "The training step for your pick failed"
                : "The model could not write the answers";
        String ways = SessionSnapshot.STEP_FAILED.equals(s.phase())
                ? "Retry it, skip the prompt, edit it, or undo to take the pick back."
                : "Retry, skip the prompt, edit it, or undo.";
        failureText.setText(what + " (" + s.failure().kind().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + "): " + s.failure().reason() + (s.failure().reason().endsWith(".") ? " " : ". ") + ways);
    }

    /** The stats of the step that made HEAD's policy: after an undo, the step before. */
    private void showStep(SessionSnapshot.Step s) {
        loss.setText(s == null ? "–" : String.format(Locale.ROOT, "%.5f", s.loss()));
        drift.setText(s == null ? "–" : String.format(Locale.ROOT, "%.6f", s.meanAbsDrift()));
        gradNorm.setText(s == null ? "–" : String.format(Locale.ROOT, "%.4f", s.gradNorm()));
    }

    /**
     * While the trainer rebuilds HEAD's policy: what it replays, and how far along it is by the time those steps took
     * when they were first applied (the page polls to move the bar).
     */
    private void showRebuild() {
        SessionSnapshot.Rebuild r = current == null ? null : current.policyRebuild();
        rebuild.setVisible(r != null);
        getUI().ifPresent(ui -> ui.setPollInterval(r == null ? -1 : 250));
        if (r == null) {
            return;
        }
        boolean waiting = SessionSnapshot.AWAITING_STEP.equals(current.phase());
        String start = r.fromCheckpointVersion() == null ? "the base model"
                : "the checkpoint of v" + r.fromCheckpointVersion();
        rebuildText.setText("The trainer is restoring this node's policy: "
                + (r.stepsToReplay() == 0 ? "loading " + start + ". "
                : "up to " + r.stepsToReplay() + " step(s) to replay from " + start + ". ")
                + (waiting ? "Your pick waits for it; its training step starts right after."
                : "Read and pick meanwhile: a pick waits for it."));
        long elapsed = Duration.between(r.movedAt(), Instant.now()).toMillis();
        rebuildProgress.setIndeterminate(r.estimatedMillis() <= 0);
        rebuildProgress.setValue(r.estimatedMillis() <= 0 ? 0
                : Math.min(0.99, Math.max(0, elapsed / (double) r.estimatedMillis())));
    }

    private static String phaseText(String phase) {
        return switch (phase) {
            case SessionSnapshot.AWAITING_ROLLOUTS -> "the model is writing…";
            case SessionSnapshot.AWAITING_CHOICE -> "your pick";
            case SessionSnapshot.AWAITING_STEP -> "training step running…";
            case SessionSnapshot.AWAITING_POLICY -> "restoring policy…";
            case SessionSnapshot.OUT_OF_PROMPTS -> "out of prompts";
            case SessionSnapshot.ROLLOUTS_FAILED -> "rollouts failed";
            case SessionSnapshot.STEP_FAILED -> "training step failed";
            default -> phase;
        };
    }

    private static Span stat(String id) {
        Span s = new Span("–");
        s.setId(id);
        s.addClassName("stat-value");
        return s;
    }

    private static Span label(String text) {
        Span s = new Span(text);
        s.addClassName("stat-label");
        return s;
    }

    private static Div column(String title, Pre body) {
        body.addClassName("card-text");
        Div d = new Div(new Span(title), body);
        d.addClassName("control-column");
        return d;
    }
}
