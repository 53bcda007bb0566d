package dev.espalier.ui.review;

import dev.espalier.events.SessionEvent;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.SessionEvent.StepApplied;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What the review charts plot, read from a session's audit log: each applied step's metrics in the order they were
 * applied, and what the control prompt answered at each policy version.
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
            } else if (event instanceof RolloutsReady ready && ready.control() != null) {
                control.add(new ControlAnswer(ready.policyVersion(), ready.control().text()));
            }
        }
        return new StepHistory(List.copyOf(steps), List.copyOf(control));
    }

    /** One metric per applied step, x = the policy version the step produced. */
    public List<LineChart.Point> series(ToDoubleFunction<StepApplied.StepMetrics> metric) {
        return steps.stream().map(s -> new LineChart.Point(s.policyVersion(), metric.applyAsDouble(s.metrics())))
                .toList();
    }

    /** The mean absolute drift of a step's rollouts from the base model (DESIGN.md §5, D_i). */
    public static double meanAbsDrift(StepApplied.StepMetrics metrics) {
        return metrics.drift().stream().mapToDouble(Math::abs).average().orElse(Double.NaN);
    }
}
