package dev.espalier.ui.browser;

import dev.espalier.policy.cli.TinyChatModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The whole game on a real back end: session-service, trainer-service and rollout-service from their packaged
 * jars, with a tiny random Qwen3 made by {@code init-model}. Nothing is scripted.
 */
public class FullLoopStack implements QuarkusTestResourceLifecycleManager {

    private static Backend backend;
    private static Path model;

    @Override
    public Map<String, String> start() {
        Path work;
        try {
            work = Files.createTempDirectory("espalier-ui-loop-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        model = TinyChatModel.create(work.resolve("model"), Path.of("target", "npm"), 32, 9);
        backend = new Backend();
        String sessions = backend.start("session-service", Map.of());
        String trainer = backend.start("trainer-service", Map.of(
                "espalier.trainer.work-dir", work.resolve("trainer").toString()));
        String rollouts = backend.start("rollout-service", Map.of(
                "espalier.rollout.model", model.toString(),
                "espalier.rollout.trainer-url", trainer + "/",
                "espalier.rollout.session-url", sessions + "/",
                "espalier.rollout.work-dir", work.resolve("rollout").toString(),
                // The tiny model writes 16 tokens in well under the default 200 ms tick: a short tick lets the
                // browser see each card's text grow however fast this machine decodes.
                "espalier.rollout.delta-interval-ms", "10"));
        return Map.of("espalier.session-service.url", sessions, "espalier.trainer-service.url", trainer,
                "espalier.rollout-service.url", rollouts);
    }

    @Override
    public void stop() {
        backend.close();
    }

    static Path model() {
        return model;
    }
}
