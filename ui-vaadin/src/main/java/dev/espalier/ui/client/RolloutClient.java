package dev.espalier.ui.client;

import dev.espalier.ui.signin.BearerTokens;
import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * rollout-service's "ask the current model" ({@code POST /sessions/{id}/ask}); refusals come back as
 * {@link SessionApiException}.
 */
@ApplicationScoped
public class RolloutClient {

    /** The answer: text, generated token count, the policy version that wrote it, "stop" or "length". */
    public record Answer(String text, int tokens, long policyVersion, String finishReason) {
    }

    /** Generation waits for the batch in progress, so this is generous. */
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RolloutClient(@ConfigProperty(name = "espalier.rollout-service.url") URI base) {
        this.base = base;
    }

    /** @param maxNewTokens null for the session's own limit */
    public Answer ask(UUID sessionId, String prompt, Integer maxNewTokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("maxNewTokens", maxNewTokens);
        HttpResponse<String> response;
        try {
            response = http.send(BearerTokens.request(base.resolve("/sessions/" + sessionId + "/ask"))
                    .timeout(TIMEOUT).header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(SessionClient.JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SessionApiException(0, "rollout-service at " + base + " cannot be reached: " + e.getMessage(),
                    null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionApiException(0, "interrupted while asking rollout-service", null);
        }
        if (response.statusCode() != 200) {
            throw SessionClient.refusal(response.statusCode(), response.body());
        }
        try {
            return SessionClient.JSON.readValue(response.body(), Answer.class);
        } catch (JsonProcessingException e) {
            throw new SessionApiException(200, "rollout-service answered with something unreadable: "
                    + e.getOriginalMessage(), null);
        }
    }
}
