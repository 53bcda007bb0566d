package dev.espalier.ui.play;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.textfield.TextArea;
import dev.espalier.ui.client.RolloutClient;
import dev.espalier.ui.client.SessionApiException;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * "Ask the current model": a free question answered by the policy at HEAD (rollout-service), shown as text. It is
 * not part of the game: nothing is stored. While the question field has focus the play shortcuts stay off.
 */
final class AskPanel extends Div {

    private final RolloutClient rollouts;
    private final Supplier<UUID> session;
    private final TextArea question = new TextArea("Question");
    private final Button ask = new Button("Ask", e -> ask());
    private final Pre answer = new Pre();
    private final Span about = new Span();
    private boolean typing;

    AskPanel(RolloutClient rollouts, Supplier<UUID> session) {
        this.rollouts = rollouts;
        this.session = session;
        setId("ask-panel");
        addClassName("panel");
        setWidthFull();
        question.setId("ask-question");
        question.setWidthFull();
        question.addFocusListener(e -> typing = true);
        question.addBlurListener(e -> typing = false);
        ask.setId("ask-button");
        answer.setId("ask-answer");
        answer.addClassName("terminal");
        answer.setVisible(false);
        about.setId("ask-about");
        add(new H3("Ask the current model"), question, ask, about, answer);
    }

    /** Whether the person is typing a question (so the game's keys must not act). */
    boolean typing() {
        return typing;
    }

    private void ask() {
        String text = question.getValue();
        if (text == null || text.isBlank()) {
            question.setErrorMessage("type a question first");
            question.setInvalid(true);
            return;
        }
        question.setInvalid(false);
        ask.setEnabled(false);
        about.setText("The model is writing…");
        UI ui = UI.getCurrent();
        UUID sessionId = session.get();
        // Off the request thread: the answer waits for the batch in progress, and the page must stay live meanwhile.
        Thread.ofVirtual().start(() -> {
            try {
                RolloutClient.Answer a = rollouts.ask(sessionId, text, null);
                ui.access(() -> show(a.text(), "policy v" + a.policyVersion() + " · " + a.tokens() + " tokens · "
                        + a.finishReason()));
            } catch (SessionApiException e) {
                ui.access(() -> show(null, e.getMessage()));
            }
        });
    }

    /** Model text only ever through setText. */
    private void show(String text, String meta) {
        ask.setEnabled(true);
        about.setText(meta);
        answer.setVisible(text != null);
        answer.setText(text == null ? "" : text);
    }
}
