package dev.espalier.ui.signin;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one switch for sign-in on the UI's pages: where OpenID Connect is on, a person without a session is sent to the
 * issuer's sign-in (the web-app flow's challenge); where it is off, everyone is the deployment's one user.
 */
@ApplicationScoped
public class SignInPolicy implements HttpSecurityPolicy {

    private final boolean signIn;

    public SignInPolicy(@ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false") boolean signIn) {
        this.signIn = signIn;
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
                                            AuthorizationRequestContext context) {
        if (!signIn) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        return identity.map(id -> id.isAnonymous() ? CheckResult.DENY : CheckResult.PERMIT);
    }

    @Override
    public String name() {
        return "espalier-sign-in";
    }
}
