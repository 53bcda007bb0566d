package dev.espalier.ui.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Page;
import dev.espalier.events.Actor;
import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import dev.espalier.infra.EmbeddedTokenIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sign-in on, in a real browser: each person signs in at the OpenID Connect issuer (running in the test), plays as
 * themselves (their picks name them in the audit log) and sees their own sessions only.
 */
@QuarkusTest
@TestProfile(SignInInBrowserTest.WithSignIn.class)
@WithTestResource(SignedInStack.class)
class SignInInBrowserTest {

    public static final class WithSignIn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.auth-server-url", EmbeddedTokenIssuer.shared().url,
                    "quarkus.oidc.client-id", "espalier-ui");
        }
    }

    private static Browser browser;

    @TestHTTPResource("/")
    URL ui;

    @BeforeAll
    static void start() {
        browser = new Browser();
    }

    @AfterAll
    static void stop() {
        browser.close();
    }

    private Page signedIn(String name) {
        Page page = browser.newPage();
        page.navigate(ui.toString());
        page.locator("#username").fill(name);
        page.locator("#sign-in").click();
        page.locator("#start-session").waitFor();
        return page;
    }

    @Test
    void eachPersonSignsIn_playsAsThemselves_andSeesTheirOwnSessionsOnly() throws Exception {
        Page alice = signedIn("alice");
        alice.locator("#field-prompts-typed textarea").fill("Name a fruit.\nName a river.");
        alice.locator("#start-session").click();
        alice.waitForURL(Pattern.compile(".*/play/.*"));
        String sessionId = alice.url().replaceAll(".*/play/", "");
        assertThat(alice.locator("#cards .card.choosable")).hasCount(4);
        alice.keyboard().press("2");
        assertThat(alice.locator("#stat-step")).hasText("1");
        Browser.screenshot(alice, "signed-in-1-alice-plays");

        List<SessionEvent> audit = audit(sessionId, "alice");
        assertEquals(Actor.person("alice"), ((SessionEvent.SessionCreated) audit.getFirst()).actor());
        assertTrue(audit.stream().filter(SessionEvent.ChoiceMade.class::isInstance)
                .allMatch(e -> Actor.person("alice").equals(((SessionEvent.ChoiceMade) e).actor())));

        Page bob = signedIn("bob");
        // Alice's session is listed by its prompt source, "2 typed prompts"; bob has made none.
        assertThat(bob.locator("#session-list")).not().containsText("typed prompts");
        bob.navigate(ui + "play/" + sessionId);
        assertThat(bob.locator("vaadin-notification-card").first()).containsText("no session " + sessionId);
        Browser.screenshot(bob, "signed-in-2-bob-cannot-see-alices");
        alice.navigate(ui.toString());
        assertThat(alice.locator("#session-list")).containsText("2 typed prompts");
        alice.context().close();
        bob.context().close();
    }

    private static List<SessionEvent> audit(String sessionId, String subject) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(StandInStack.sessionServiceUrl() + "/sessions/" + sessionId + "/events"))
                .header("Authorization", "Bearer " + EmbeddedTokenIssuer.shared().token(subject,
                        Instant.now().plusSeconds(60))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body().lines().map(EventSerde::fromJson).toList();
    }
}
