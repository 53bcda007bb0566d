package dev.espalier.ui.setup;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.component.dependency.StyleSheet;
import dev.espalier.ui.EspalierStyle;
import com.vaadin.flow.router.Route;
import dev.espalier.events.SessionConfig;
import dev.espalier.ui.Notices;
import dev.espalier.ui.client.ModelPreview;
import dev.espalier.ui.client.PromptPreview;
import dev.espalier.ui.client.SessionApiException;
import dev.espalier.ui.client.SessionClient;
import dev.espalier.ui.client.SessionSnapshot;
import dev.espalier.ui.client.SessionSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The first screen: set up a new session, or resume / clone an earlier one. */
@StyleSheet(EspalierStyle.URL)
@Route("")
@PageTitle("Espalier · set up")
public class SetupView extends VerticalLayout {

    private static final int PREVIEW_PROMPTS = 5;

    private final SessionClient sessions;
    private final SetupForm form = new SetupForm();
    private final Pre promptPreview = new Pre();
    private final Pre modelPreview = new Pre();

    /**
     * @param servedModel the model this deployment's rollout-service serves (set by {@code ./espalier up}, compose and
     *                    Kubernetes), filled in so a first session needs no path or id typed
     */
    public SetupView(SessionClient sessions,
                     @ConfigProperty(name = "espalier.ui.default-model") Optional<String> servedModel) {
        this.sessions = sessions;
        setId("setup-view");
        servedModel.ifPresent(form::serve);
        Button start = new Button("Start session", e -> start());
        start.setId("start-session");
        start.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button preview = new Button("Preview prompts", e -> previewPrompts());
        preview.setId("preview-prompts");
        promptPreview.setId("prompt-preview");
        promptPreview.addClassName("terminal");
        promptPreview.setVisible(false);
        Button previewModel = new Button("Preview model", e -> previewModel());
        previewModel.setId("preview-model");
        modelPreview.setId("model-preview");
        modelPreview.addClassName("terminal");
        modelPreview.setVisible(false);
        Div previewBox = new Div(new H3("Preview"), new HorizontalLayout(previewModel, preview), modelPreview,
                promptPreview);
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

    private void previewModel() {
        modelPreview.setVisible(true);
        String model = form.model.getValue();
        if (model == null || model.isBlank()) {
            form.markInvalid("model", "model: name a local directory or a Hugging Face id");
            modelPreview.setText("Name a model first.");
            return;
        }
        try {
            modelPreview.setText(describe(sessions.previewModel(model.strip())));
        } catch (SessionApiException e) {
            form.markInvalid(e.argument(), e.getMessage());
            modelPreview.setText(e.getMessage());
        }
    }

    private static String describe(ModelPreview m) {
        String size = m.parameters() == null ? "unknown"
                : String.format(Locale.ROOT, "%,d parameters%s", m.parameters(),
                        m.parametersCounted() ? "" : " (estimated from config.json)");
        if (m.weightBytes() != null) {
            size += String.format(Locale.ROOT, ", %.1f MB of weights", m.weightBytes() / 1e6);
        }
        return "architecture: " + orUnknown(m.architecture()) + " (" + orUnknown(m.modelType()) + ")\n"
                + "size: " + size + "\n"
                + "hidden " + orUnknown(m.hiddenSize()) + " · layers " + orUnknown(m.layers()) + " · vocab "
                + orUnknown(m.vocab()) + "\n"
                + "context length: " + orUnknown(m.contextLength()) + "\n"
                + "chat template: " + (m.chatTemplate() ? "yes" : "no (use RAW mode)") + "\n"
                + "read from: " + m.source();
    }

    private static String orUnknown(Object value) {
        return value == null ? "unknown" : value.toString();
    }

    /** Typed prompts are previewed here; files and datasets by session-service, reading them as a session would. */
    private void previewPrompts() {
        promptPreview.setVisible(true);
        if (form.promptKind.getValue() != SessionConfig.PromptSourceSpec.Kind.TYPED) {
            try {
                PromptPreview preview = sessions.previewPrompts(form.promptsRequest());
                promptPreview.setText(describe(preview.first(), preview.total(), preview.textColumn(),
                        preview.playOrder()));
            } catch (SessionApiException e) {
                form.markInvalid(e.argument(), e.getMessage());
                promptPreview.setText(e.getMessage());
            } catch (SessionConfig.InvalidConfigException e) {
                form.markInvalid(e.field(), e.getMessage());
                promptPreview.setText(e.getMessage());
            }
            return;
        }
        List<String> lines = form.typedLines();
        promptPreview.setText(describe(lines.subList(0, Math.min(PREVIEW_PROMPTS, lines.size())), lines.size(),
                null, true));
    }

    private static String describe(List<String> first, int total, String textColumn, boolean playOrder) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < first.size(); i++) {
            text.append(i + 1).append(". ").append(first.get(i)).append('\n');
        }
        text.append(total).append(" prompt(s) in all");
        if (textColumn != null) {
            text.append(", read from column \"").append(textColumn).append('"');
        }
        text.append(playOrder ? "; shown in play order." : "; shown in file order (the session draws an order seed).");
        return text.toString();
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
