package dev.espalier.ui.review;

import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * What the review charts plot, read from a session's audit log: each applied step's metrics in the order they were
 * applied, and what the control prompt answered at each policy version (once per version, in version order: every
 * prompt a version answers runs the same control prompt with the same seed).
 */
public record StepHistory(List<StepApplied> steps, List<ControlAnswer> control) {

    /** The control prompt's answer generated with {@code policyVersion}. */
    public record ControlAnswer(long policyVersion, String text) {
    }

    public static StepHistory of(List<SessionEvent> events) {
        List<StepApplied> steps = new ArrayList<>();
        List<ControlAnswer> control = new ArrayList<>();
        for (SessionEvent event : events) {
            if (event instanceof StepApplied step) {
                steps.add(step);
            } else if (event instanceof RolloutsReady ready && ready.control() != null
                    && control.stream().noneMatch(c -> c.policyVersion() == ready.policyVersion())) {
                control.add(new ControlAnswer(ready.policyVersion(), ready.control().text()));
            }
        }
        control.sort(Comparator.comparingLong(ControlAnswer::policyVersion));
        return new StepHistory(List.copyOf(steps), List.copyOf(control));
    }

    /**
     * One metric per applied step of the nodes in {@code path} (HEAD's path), x = its depth on the path, so the
     * line is the history of the policy at HEAD.
     */
    public List<LineChart.Point> series(ToDoubleFunction<StepApplied.StepMetrics> metric, List<UUID> path) {
        List<LineChart.Point> points = new ArrayList<>();
        for (int depth = 1; depth < path.size(); depth++) {
            UUID node = path.get(depth);
            int x = depth;
            steps.stream().filter(s -> s.nodeId().equals(node)).findFirst()
                    .ifPresent(s -> points.add(new LineChart.Point(x, metric.applyAsDouble(s.metrics()))));
        }
        return points;
    }

    /** The steps of the other branches, at their depth in the tree: drawn faded behind HEAD's line. */
    public List<LineChart.Point> offPath(ToDoubleFunction<StepApplied.StepMetrics> metric, List<UUID> path,
                                         Function<UUID, Integer> depthOf) {
        return steps.stream().filter(s -> !path.contains(s.nodeId()))
                .map(s -> new LineChart.Point(depthOf.apply(s.nodeId()), metric.applyAsDouble(s.metrics())))
                .toList();
    }

    /** The mean absolute drift of a step's rollouts from the base model (DESIGN.md §5, D_i). */
    public static double meanAbsDrift(StepApplied.StepMetrics metrics) {
        return metrics.drift().stream().mapToDouble(Math::abs).average().orElse(Double.NaN);
    }
}
