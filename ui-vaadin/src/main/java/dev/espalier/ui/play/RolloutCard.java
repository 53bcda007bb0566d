package dev.espalier.ui.play;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;

/**
 * One answer of the model. Its text is only ever set as text, never as HTML: whatever the model writes, markup
 * and script included, is shown literally.
 */
class RolloutCard extends Div {

    private final Pre text = new Pre();
    private final Span footer = new Span();
    private long lastSeq = -1;

    RolloutCard(int index) {
        setId("card-" + index);
        addClassName("card");
        Span key = new Span(Integer.toString(index + 1));
        key.addClassName("card-key");
        text.addClassName("card-text");
        footer.addClassName("card-footer");
        add(key, text, footer);
    }

    /** Appends a streamed piece unless it was seen already (deltas carry a per-rollout sequence number). */
    void append(long seq, String delta) {
        if (seq <= lastSeq) {
            return;
        }
        lastSeq = seq;
        text.setText(text.getText() + delta);
        addClassName("streaming");
    }

    void complete(String fullText, String finishReason, int tokens) {
        text.setText(fullText);
        footer.setText(tokens + " tokens · " + finishReason);
        removeClassName("streaming");
    }

    void reset() {
        lastSeq = -1;
        text.setText("");
        footer.setText("");
        removeClassName("streaming");
        setChosen(false);
    }

    void setChoosable(boolean choosable) {
        setClassName("choosable", choosable);
    }

    void setChosen(boolean chosen) {
        setClassName("chosen", chosen);
    }

    String text() {
        return text.getText();
    }
}
