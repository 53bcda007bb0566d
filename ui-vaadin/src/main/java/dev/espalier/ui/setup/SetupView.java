package dev.espalier.ui.setup;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.component.dependency.StyleSheet;
import dev.espalier.ui.EspalierStyle;
import com.vaadin.flow.router.Route;
import dev.espalier.events.SessionConfig;
import dev.espalier.ui.Notices;
import dev.espalier.ui.client.SessionApiException;
import dev.espalier.ui.client.SessionClient;
import dev.espalier.ui.client.SessionSnapshot;
import dev.espalier.ui.client.SessionSummary;
import java.util.List;
import java.util.Map;

/** The first screen: set up a new session, or resume / clone an earlier one. */
@StyleSheet(EspalierStyle.URL)
@Route("")
@PageTitle("Espalier · set up")
public class SetupView extends VerticalLayout {

    private static final int PREVIEW_PROMPTS = 5;

    private final SessionClient sessions;
    private final SetupForm form = new SetupForm();
    private final Pre promptPreview = new Pre();

    public SetupView(SessionClient sessions) {
        this.sessions = sessions;
        setId("setup-view");
        Button start = new Button("Start session", e -> start());
        start.setId("start-session");
        start.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button preview = new Button("Preview prompts", e -> previewPrompts());
        preview.setId("preview-prompts");
        promptPreview.setId("prompt-preview");
        promptPreview.addClassName("terminal");
        promptPreview.setVisible(false);
        Div previewBox = new Div(new H3("Preview"), new HorizontalLayout(preview), promptPreview,
                new Span("Model preview (architecture, size, chat template) needs session-service's model preview "
                        + "endpoint, which is not there yet (docs/ui.md)."));
        previewBox.addClassName("panel");
        add(new H2("Espalier — train a model by picking answers"), form,
                new HorizontalLayout(start), previewBox, sessionList());
    }

    private void start() {
        Map<String, Object> request = form.validate();
        if (request == null) {
            Notices.error("Some settings need fixing: see the marked field.");
            return;
        }
        try {
            SessionSnapshot created = sessions.create(request);
            getUI().ifPresent(ui -> ui.navigate("play/" + created.sessionId()));
        } catch (SessionApiException e) {
            if (!form.markInvalid(e.argument(), e.getMessage())) {
                Notices.error(e.getMessage());
            }
        }
    }

    /** Typed prompts are previewed here; files and datasets are read by session-service when the session starts. */
    private void previewPrompts() {
        List<String> lines = form.typedLines();
        promptPreview.setVisible(true);
        if (form.promptKind.getValue() != SessionConfig.PromptSourceSpec.Kind.TYPED) {
            promptPreview.setText("Files and datasets are read by session-service; their preview needs its prompt "
                    + "preview endpoint (docs/ui.md). Start the session to see the first prompt.");
            return;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(PREVIEW_PROMPTS, lines.size()); i++) {
            text.append(i + 1).append(". ").append(lines.get(i)).append('\n');
        }
        text.append(lines.size()).append(" prompt(s) in all; played in an order fixed by the order seed.");
        promptPreview.setText(text.toString());
    }

    private Div sessionList() {
        Grid<SessionSummary> grid = new Grid<>(SessionSummary.class, false);
        grid.setId("session-list");
        grid.addColumn(SessionSummary::model).setHeader("Model").setAutoWidth(true);
        grid.addColumn(SessionSummary::promptSource).setHeader("Prompts").setAutoWidth(true);
        grid.addColumn(SessionSummary::stepsApplied).setHeader("Steps");
        grid.addColumn(SessionSummary::updatedAt).setHeader("Last active").setAutoWidth(true);
        grid.addComponentColumn(s -> {
            Button resume = new Button("Resume", e -> getUI().ifPresent(ui -> ui.navigate("play/" + s.sessionId())));
            Button review = new Button("Review", e -> getUI().ifPresent(ui -> ui.navigate("review/"
                    + s.sessionId())));
            Button clone = new Button("Clone settings", e -> cloneSettings(s));
            return new HorizontalLayout(resume, review, clone);
        }).setHeader("").setAutoWidth(true);
        grid.setAllRowsVisible(true);
        try {
            grid.setItems(sessions.list());
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
        Div box = new Div(new H3("Earlier sessions"), grid);
        box.addClassName("panel");
        box.setWidthFull();
        return box;
    }

    private void cloneSettings(SessionSummary summary) {
        try {
            form.fill(sessions.get(summary.sessionId()).config());
            Notices.info("Settings copied; change what you like and start.");
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
    }
}
