package dev.espalier.ui.browser;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * session-service on a real back end, with {@link StandInWorkers} in place of the rollout and trainer services:
 * scripted answers (markup included) streamed slowly enough to watch, for the tests that need exact output.
 */
public class StandInStack implements QuarkusTestResourceLifecycleManager {

    private static Backend backend;
    private static StandInWorkers workers;
    private static String sessionServiceUrl;

    /** What the session-service is started with besides its back end; none here. */
    protected Map<String, String> sessionServiceProperties() {
        return Map.of();
    }

    @Override
    public Map<String, String> start() {
        backend = new Backend();
        sessionServiceUrl = backend.start("session-service", sessionServiceProperties());
        workers = new StandInWorkers(backend.kafka.bootstrapServers());
        return Map.of("espalier.session-service.url", sessionServiceUrl, "espalier.ui.default-model", "tiny-model");
    }

    @Override
    public void stop() {
        try {
            workers.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backend.close();
    }

    static String sessionServiceUrl() {
        return sessionServiceUrl;
    }
}
