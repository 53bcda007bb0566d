package dev.espalier.ui.review;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Image;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.treegrid.TreeGrid;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.component.dependency.StyleSheet;
import dev.espalier.ui.EspalierStyle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.StreamResource;
import dev.espalier.events.SessionEvent;
import dev.espalier.ui.Notices;
import dev.espalier.ui.client.SessionApiException;
import dev.espalier.ui.client.SessionClient;
import dev.espalier.ui.client.Timeline;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Looking back: the timeline (a tree once it branches), charts over the steps, and the downloads. */
@StyleSheet(EspalierStyle.URL)
@Route("review/:sessionId")
@PageTitle("Espalier · review")
public class ReviewView extends VerticalLayout implements BeforeEnterObserver {

    private final SessionClient sessions;
    private final TrainerClient trainer;
    private UUID id;

    public ReviewView(SessionClient sessions, TrainerClient trainer) {
        this.sessions = sessions;
        this.trainer = trainer;
        setId("review-view");
    }

    @Override
    public void beforeEnter(BeforeEnterEvent event) {
        id = UUID.fromString(event.getRouteParameters().get("sessionId").orElseThrow());
        removeAll();
        try {
            Timeline timeline = sessions.timeline(id);
            List<SessionEvent> events = sessions.events(id);
            StepHistory history = StepHistory.of(events);
            Button back = new Button("Back to play", e -> getUI().ifPresent(ui -> ui.navigate("play/" + id)));
            back.setId("back-to-play");
            add(new HorizontalLayout(new H2("Review"), back), timeline(timeline), charts(history, timeline),
                    controlHistory(history), downloads(timeline));
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
    }

    private Div timeline(Timeline timeline) {
        TimelineTree tree = new TimelineTree(timeline);
        TreeGrid<Timeline.Node> grid = new TreeGrid<>();
        grid.setId("timeline");
        grid.setItems(tree.roots(), tree::childrenOf);
        grid.addHierarchyColumn(n -> (n.nodeId().equals(timeline.head()) ? "● " : "")
                + (n.policyVersion() == null ? "" : "v" + n.policyVersion())).setHeader("Policy").setWidth("9em")
                .setFlexGrow(0);
        grid.addColumn(n -> n.status().toLowerCase()).setHeader("Status").setWidth("8em").setFlexGrow(0);
        grid.addColumn(n -> promptText(timeline, n)).setHeader("Prompt").setFlexGrow(2);
        grid.addColumn(n -> n.none() ? "none" : n.chosenIndex() == null ? "" : "#" + (n.chosenIndex() + 1) + " "
                + n.chosenText()).setHeader("Choice").setFlexGrow(3);
        grid.addComponentColumn(n -> {
            Button checkout = new Button("Check out", e -> checkout(n));
            checkout.setEnabled(!n.nodeId().equals(timeline.head()) && !"OPEN".equals(n.status())
                    && !"ABANDONED".equals(n.status()));
            return checkout;
        }).setWidth("9em").setFlexGrow(0);
        grid.expandRecursively(tree.roots(), 8);
        grid.setAllRowsVisible(true);
        Div box = new Div(new H3(timeline.branches() ? "Timeline (branched)" : "Timeline"), grid);
        box.addClassName("panel");
        box.setWidthFull();
        return box;
    }

    /**
     * The prompt played at a node, after the ones skipped or edited away there; siblings picked from the same prompt
     * (a new pick after an undo) say how many picks that prompt got.
     */
    static String promptText(Timeline timeline, Timeline.Node n) {
        if (n.prompt() == null) {
            return "(start)";
        }
        StringBuilder text = new StringBuilder();
        for (Timeline.PassedPrompt passed : n.passed()) {
            text.append(passed.edited() ? "[edited: " : "[skipped: ").append(passed.prompt()).append("] ");
        }
        text.append(n.prompt());
        long picks = n.parentNodeId() == null || n.promptIssuedId() == null || !"PLAYED".equals(n.status()) ? 1
                : timeline.childrenOf(n.parentNodeId()).stream().filter(c -> "PLAYED".equals(c.status())
                        && n.promptIssuedId().equals(c.promptIssuedId())).count();
        if (picks > 1) {
            text.append("  (").append(picks).append(" picks on this prompt)");
        }
        return text.toString();
    }

    private void checkout(Timeline.Node node) {
        try {
            sessions.checkout(id, node.nodeId());
            getUI().ifPresent(ui -> ui.navigate("play/" + id));
        } catch (SessionApiException e) {
            Notices.error(e.getMessage());
        }
    }

    /** HEAD's path as the line, x = the step's depth; the other branches' steps as faded dots. */
    private Div charts(StepHistory history, Timeline timeline) {
        List<UUID> path = timeline.pathToHead().stream().map(Timeline.Node::nodeId).toList();
        Map<UUID, Timeline.Node> byId = new HashMap<>();
        timeline.nodes().forEach(n -> byId.put(n.nodeId(), n));
        Function<UUID, Integer> depth = node -> {
            int d = 0;
            for (Timeline.Node n = byId.get(node); n != null && n.parentNodeId() != null; n = byId.get(n.parentNodeId())) {
                d++;
            }
            return d;
        };
        Div charts = new Div(
                chart("chart-loss", "loss", history, m -> m.loss(), path, depth),
                chart("chart-kl", "KL term", history, m -> m.klTerm(), path, depth),
                chart("chart-drift", "mean |drift|", history, StepHistory::meanAbsDrift, path, depth),
                chart("chart-grad-norm", "grad norm", history, m -> m.gradNorm(), path, depth));
        charts.addClassName("charts");
        Div box = new Div(new H3("Over the steps to HEAD (other branches faded)"), charts);
        box.addClassName("panel");
        box.setWidthFull();
        return box;
    }

    private static Image chart(String id, String title, StepHistory history,
                               ToDoubleFunction<SessionEvent.StepApplied.StepMetrics> metric, List<UUID> path,
                               Function<UUID, Integer> depth) {
        String svg = LineChart.svg(title, history.series(metric, path), history.offPath(metric, path, depth));
        Image image = new Image("data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(
                svg.getBytes(StandardCharsets.UTF_8)), title + " over steps");
        image.setId(id);
        return image;
    }

    private Div controlHistory(StepHistory history) {
        Grid<StepHistory.ControlAnswer> grid = new Grid<>();
        grid.setId("control-history");
        grid.addColumn(c -> "v" + c.policyVersion()).setHeader("Policy").setWidth("7em").setFlexGrow(0);
        grid.addColumn(StepHistory.ControlAnswer::text).setHeader("Control prompt's answer");
        grid.setItems(history.control());
        grid.setAllRowsVisible(true);
        Div box = new Div(new H3("Control prompt over time"), grid);
        box.addClassName("panel");
        box.setWidthFull();
        return box;
    }

    private Div downloads(Timeline timeline) {
        Anchor audit = new Anchor(new StreamResource("espalier-" + id + "-audit.ndjson",
                () -> sessions.auditLog(id)), "Audit log (NDJSON)");
        audit.setId("download-audit");
        audit.getElement().setAttribute("download", true);
        long headVersion = timeline.nodes().stream().filter(n -> n.nodeId().equals(timeline.head()))
                .map(Timeline.Node::policyVersion).filter(v -> v != null).findFirst().orElse(0L);
        Anchor adapter = new Anchor(new StreamResource("espalier-" + id + "-v" + headVersion + "-adapter.zip",
                () -> trainer.adapterZip(id, headVersion)), "Adapter of v" + headVersion + " (PEFT, zip)");
        adapter.setId("download-adapter");
        adapter.getElement().setAttribute("download", true);
        adapter.setEnabled(headVersion > 0);
        Anchor merged = new Anchor(new StreamResource("espalier-" + id + "-v" + headVersion + "-merged.zip",
                () -> trainer.mergedZip(id, headVersion)), "Merged model of v" + headVersion + " (HF, zip)");
        merged.setId("download-merged");
        merged.getElement().setAttribute("download", true);
        merged.setEnabled(headVersion > 0);
        Div box = new Div(new H3("Export"), new HorizontalLayout(audit, adapter, merged),
                new Div("The merged model is the base with the adapter folded in, in float32; it is built on "
                        + "request, so it takes a while for a large model."));
        box.addClassName("panel");
        box.setWidthFull();
        return box;
    }
}
