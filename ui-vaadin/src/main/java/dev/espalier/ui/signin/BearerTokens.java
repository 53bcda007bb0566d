package dev.espalier.ui.signin;

import com.vaadin.flow.server.RequestHandler;
import com.vaadin.flow.server.ServiceInitEvent;
import com.vaadin.flow.server.VaadinSession;
import io.quarkus.arc.Arc;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * The signed-in person's access token, for the UI's calls to the services. Vaadin runs a view's code in requests and
 * also outside them (a live event pushed to the page), so every request of the person's browser stores the current
 * token (Quarkus OIDC refreshes it when it expires) in the HTTP session, and the clients read it from there.
 */
@ApplicationScoped
public class BearerTokens {

    private static final String ATTRIBUTE = BearerTokens.class.getName();

    void onServiceInit(@Observes ServiceInitEvent event) {
        event.addRequestHandler((RequestHandler) (session, request, response) -> {
            SecurityIdentity identity = Arc.container().instance(SecurityIdentity.class).get();
            AccessTokenCredential token = identity == null || identity.isAnonymous() ? null
                    : identity.getCredential(AccessTokenCredential.class);
            if (session != null && session.getSession() != null) {
                session.getSession().setAttribute(ATTRIBUTE, token == null ? null : token.getToken());
            }
            return false;
        });
    }

    /** A request to a service, carrying the person's token when sign-in is on. */
    public static HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        header().ifPresent(value -> builder.header("Authorization", value));
        return builder;
    }

    /** The "Authorization" header value for the person this code runs for, when sign-in is on. */
    public static Optional<String> header() {
        VaadinSession session = VaadinSession.getCurrent();
        Object token = session == null || session.getSession() == null ? null
                : session.getSession().getAttribute(ATTRIBUTE);
        return token == null ? Optional.empty() : Optional.of("Bearer " + token);
    }
}
