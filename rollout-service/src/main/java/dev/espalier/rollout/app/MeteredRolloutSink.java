package dev.espalier.rollout.app;

import dev.espalier.events.SessionEvent.RolloutsFailed;
import dev.espalier.events.SessionEvent.RolloutsReady;
import dev.espalier.events.TokenDelta;
import dev.espalier.rollout.generation.RolloutSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Counts what the generation thread writes: generated tokens ({@code espalier_rollout_tokens_total}), generation
 * speed per prompt ({@code espalier_rollout_tokens_per_second}) and generation time
 * ({@code espalier_rollout_generation_seconds}), taken from the timings RolloutsReady carries, and prompts that could not be answered
 * ({@code espalier_rollout_failures_total}, by kind). Delegates everything.
 */
final class MeteredRolloutSink implements RolloutSink {

    private final RolloutSink delegate;
    private final MeterRegistry registry;
    private final Counter tokens;
    private final DistributionSummary tokensPerSecond;
    private final Timer generation;

    MeteredRolloutSink(RolloutSink delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
        this.tokens = Counter.builder("espalier.rollout.tokens").description("tokens generated (all rows of a prompt)")
                .register(registry);
        this.tokensPerSecond = DistributionSummary.builder("espalier.rollout.tokens.per.second")
                .description("generated tokens per second of generation, per prompt").register(registry);
        this.generation = Timer.builder("espalier.rollout.generation").description("generation time per prompt")
                .register(registry);
    }

    @Override
    public void delta(TokenDelta delta) {
        delegate.delta(delta);
    }

    @Override
    public void failed(RolloutsFailed failed) {
        delegate.failed(failed);
        Counter.builder("espalier.rollout.failures").description("prompts that could not be answered, by kind")
                .tag("kind", failed.failure().kind().name()).register(registry).increment();
    }

    @Override
    public void ready(RolloutsReady ready) {
        delegate.ready(ready);
        RolloutsReady.Timings t = ready.timings();
        if (t != null) {
            tokens.increment(t.generatedTokens());
            generation.record(Duration.ofMillis(t.generationMillis()));
            if (t.generationMillis() > 0) {
                tokensPerSecond.record(t.generatedTokens() * 1000.0 / t.generationMillis());
            }
        }
    }
}
