package dev.espalier.policy.train;

import dev.espalier.policy.model.ProjectionDelta;
import dev.espalier.policy.state.TrainingState;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The game loop with a scripted person (DESIGN.md §1, §6 {@code autopilot}): each round samples G completions of the
 * next prompt with the current adapter, a {@link Chooser} picks one (or none), and one step is applied. Every
 * {@code evalEvery} rounds the preferred-completion rate is measured on fresh samples drawn with fixed seeds, so two
 * runs (say, preferring vs. random picks) are compared on the same evaluation draws.
 */
public final class Autopilot {

    /** Samples n completions of a prompt (token ids, no padding) with the given adapter; same seed, same draws. */
    @FunctionalInterface
    public interface Rollouts {
        List<int[]> sample(int[] promptIds, int n, long seed, ProjectionDelta delta);
    }

    /** Picks a completion index, or {@link StepCase#NONE}. */
    @FunctionalInterface
    public interface Chooser {
        int choose(List<int[]> completions, int round);

        /** The first completion the person likes; "none" when no completion has it. */
        static Chooser preferring(Predicate<int[]> liked) {
            return (completions, round) -> {
                for (int i = 0; i < completions.size(); i++) {
                    if (liked.test(completions.get(i))) {
                        return i;
                    }
                }
                return StepCase.NONE;
            };
        }

        /** A person who picks at random (the control: no preference, so nothing should be learned). */
        static Chooser random(long seed) {
            return (completions, round) -> new SplittableRandom(seed + round).nextInt(completions.size());
        }
    }

    /** One measurement of the curve: the share of evaluation samples the person would like. */
    public record Point(int round, double rate) {
    }

    /** What happened in one round. */
    public record Round(int round, int choice, StepResult result) {
    }

    /**
     * @param groupSize   G rollouts per round
     * @param evalSamples samples per evaluation prompt, drawn with seeds evalSeed, evalSeed+1, ...
     */
    public record Plan(int rounds, int groupSize, long seed, int evalEvery, int evalSamples, long evalSeed,
                       StepSettings settings) {
        public Plan {
            if (rounds < 1 || groupSize < 2 || evalEvery < 1 || evalSamples < 1) {
                throw new IllegalArgumentException("autopilot needs --steps >= 1, -n >= 2, --eval-every >= 1 and "
                        + "--eval-samples >= 1");
            }
        }
    }

    private final Rollouts rollouts;
    private final PolicyStep step;

    public Autopilot(Rollouts rollouts, CausalForward model) {
        this.rollouts = rollouts;
        this.step = new PolicyStep(model);
    }

    /** Runs the plan on {@code state}; reports each round and each curve point as it happens. Returns the curve. */
    public List<Point> run(TrainingState state, List<int[]> prompts, Predicate<int[]> liked, Chooser chooser,
                           Plan plan, Consumer<Round> onRound, Consumer<Point> onPoint) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("autopilot needs at least one prompt");
        }
        List<Point> curve = new ArrayList<>();
        curve.add(evaluate(state, prompts, liked, plan, 0, onPoint));
        for (int round = 1; round <= plan.rounds(); round++) {
            int[] prompt = prompts.get((round - 1) % prompts.size());
            List<int[]> completions = rollouts.sample(prompt, plan.groupSize(), plan.seed() * 1_000_003L + round,
                    state.adapter());
            int choice = chooser.choose(completions, round);
            StepResult result = step.apply(state, new StepCase(prompt, completions.toArray(int[][]::new), choice),
                    plan.settings());
            onRound.accept(new Round(round, choice, result));
            if (round % plan.evalEvery() == 0 || round == plan.rounds()) {
                curve.add(evaluate(state, prompts, liked, plan, round, onPoint));
            }
        }
        return curve;
    }

    private Point evaluate(TrainingState state, List<int[]> prompts, Predicate<int[]> liked, Plan plan, int round,
                           Consumer<Point> onPoint) {
        int hits = 0;
        int total = 0;
        for (int p = 0; p < prompts.size(); p++) {
            List<int[]> samples = rollouts.sample(prompts.get(p), plan.evalSamples(), plan.evalSeed() + 7919L * p,
                    state.adapter());
            for (int[] s : samples) {
                hits += liked.test(s) ? 1 : 0;
                total++;
            }
        }
        Point point = new Point(round, (double) hits / total);
        onPoint.accept(point);
        return point;
    }

    /** True when {@code ids} contains {@code target} as a contiguous run (the token-id form of --prefer). */
    public static Predicate<int[]> containsSequence(int[] target) {
        if (target.length == 0) {
            throw new IllegalArgumentException("--prefer-ids needs at least one token id");
        }
        return ids -> {
            outer:
            for (int i = 0; i + target.length <= ids.length; i++) {
                for (int j = 0; j < target.length; j++) {
                    if (ids[i + j] != target[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        };
    }
}
