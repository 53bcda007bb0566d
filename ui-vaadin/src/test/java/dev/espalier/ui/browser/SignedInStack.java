package dev.espalier.ui.browser;

import dev.espalier.infra.EmbeddedTokenIssuer;
import java.util.Map;

/**
 * {@link StandInStack} with sign-in on: the session-service takes bearer tokens from {@link EmbeddedTokenIssuer}
 * and the UI (configured by {@link SignInInBrowserTest.WithSignIn}) signs people in there.
 */
public class SignedInStack extends StandInStack {

    @Override
    protected Map<String, String> sessionServiceProperties() {
        return Map.of("quarkus.oidc.tenant-enabled", "true",
                "quarkus.oidc.auth-server-url", EmbeddedTokenIssuer.shared().url);
    }
}
