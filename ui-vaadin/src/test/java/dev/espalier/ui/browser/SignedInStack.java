package dev.espalier.ui.browser;

import dev.espalier.infra.EmbeddedTokenIssuer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Like {@link StandInStack}, with sign-in on: the session-service takes bearer tokens from {@link EmbeddedTokenIssuer}
 * and the UI (configured by {@link SignInInBrowserTest.WithSignIn}) signs people in there.
 */
public class SignedInStack implements QuarkusTestResourceLifecycleManager {

    private Backend backend;
    private StandInWorkers workers;
    static String sessionServiceUrl;

    @Override
    public Map<String, String> start() {
        EmbeddedTokenIssuer issuer = EmbeddedTokenIssuer.shared();
        backend = new Backend();
        sessionServiceUrl = backend.start("session-service", Map.of("quarkus.oidc.tenant-enabled", "true",
                "quarkus.oidc.auth-server-url", issuer.url));
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
}
