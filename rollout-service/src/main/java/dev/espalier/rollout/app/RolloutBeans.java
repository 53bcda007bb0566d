package dev.espalier.rollout.app;

import dev.espalier.hub.HubClient;
import dev.espalier.policy.generate.TokenListener;
import dev.espalier.policy.model.HubModelLocator;
import dev.espalier.policy.model.SharedModels;
import dev.espalier.policy.text.TextTokenizer;
import dev.espalier.rollout.generation.AttemptLedger;
import dev.espalier.rollout.generation.DeltaStreamer;
import dev.espalier.rollout.generation.ModelTurns;
import dev.espalier.rollout.generation.RolloutEngine;
import dev.espalier.rollout.generation.RolloutWorker;
import dev.espalier.rollout.messaging.KafkaRolloutSink;
import dev.espalier.rollout.policy.AdapterCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Wires the plain-Java generation pieces into Quarkus: one base model and one worker thread per process. */
@ApplicationScoped
public class RolloutBeans {

    private static final Logger LOG = Logger.getLogger(RolloutBeans.class);

    /**
     * {@code espalier.rollout.model} names a directory or a hub id; an id is read from the HF cache (HF_HOME,
     * HF_HUB_CACHE), where a deployment's one-shot {@code fetch-model} put it, and downloaded only if it is missing.
     */
    @Produces
    @Singleton
    ServedModel servedModel(@ConfigProperty(name = "espalier.rollout.model") String model) {
        return new ServedModel(new HubModelLocator(HubClient.fromEnvironment(), (file, done, total) -> {
            if (done == total) {
                LOG.infof("downloaded %s (%d bytes)", file, total);
            }
        }).locate(model));
    }

    @Produces
    @ApplicationScoped
    AdapterCache adapters(ServedModel model,
                          @ConfigProperty(name = "espalier.rollout.trainer-url") URI trainer,
                          @ConfigProperty(name = "espalier.rollout.work-dir") Path workDir,
                          @ConfigProperty(name = "espalier.rollout.adapter-cache-size", defaultValue = "16") int size) {
        return new AdapterCache(trainer, model.dir(), SharedModels.manager(), workDir, size);
    }

    /**
     * Token deltas are decoded and published on a thread of their own, at most one per row per interval: every delta
     * record costs CPU in this process, the broker, the session-service and each live reader, on the cores the
     * generation needs (on the 2-core build machine 50 ms made the generation ~1.9x the bare engine's, 1 s ~1.1x).
     */
    @Produces
    @ApplicationScoped
    DeltaStreamer streamer(@ConfigProperty(name = "espalier.rollout.delta-interval-ms", defaultValue = "200")
                           long intervalMillis) {
        return new DeltaStreamer(Duration.ofMillis(intervalMillis));
    }

    void close(@Disposes DeltaStreamer streamer) {
        streamer.close();
    }

    /** Started with the application: the worker thread loads the model before the first prompt arrives. */
    @Produces
    @ApplicationScoped
    @Startup
    RolloutWorker worker(ServedModel model, AdapterCache adapters,
                         DeltaStreamer streamer, KafkaRolloutSink sink, MeterRegistry registry, ModelTurns turns,
                         @ConfigProperty(name = "espalier.rollout.work-dir") Path workDir,
                         @ConfigProperty(name = "espalier.fault.halt-after-tokens", defaultValue = "0") long haltAfter) {
        TokenListener tap = haltAfter(haltAfter);
        RolloutWorker worker = new RolloutWorker(() -> turns.around(new RolloutEngine(SharedModels.get(model.dir()),
                TextTokenizer.load(model.dir()), adapters, Clock.systemUTC(), streamer, tap)),
                new MeteredRolloutSink(sink, registry), Clock.systemUTC(), Duration.ofSeconds(1),
                new AttemptLedger(workDir.resolve("attempts"))).start();
        // Prompts waiting for the one generation thread, all sessions together.
        Gauge.builder("espalier.rollout.queue.depth", worker, RolloutWorker::pending)
                .description("prompts waiting for generation").register(registry);
        return worker;
    }

    void close(@Disposes RolloutWorker worker) {
        worker.close();
    }

    /** Fault injection for the crash tests: dies like kill -9 in the middle of a generation. */
    private static TokenListener haltAfter(long tokens) {
        if (tokens <= 0) {
            return TokenListener.NONE;
        }
        AtomicLong seen = new AtomicLong();
        return (row, tokenId, logprob) -> {
            if (seen.incrementAndGet() == tokens) {
                LOG.warnf("espalier.fault.halt-after-tokens: halting after %d generated tokens", tokens);
                Runtime.getRuntime().halt(137);
            }
        };
    }
}
