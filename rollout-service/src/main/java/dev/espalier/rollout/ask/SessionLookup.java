package dev.espalier.rollout.ask;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.espalier.events.SessionConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * Where a session stands now, from the session-service ({@code GET /sessions/{id}}), which alone knows HEAD: the
 * rollout-service only sees the prompts it is asked to answer. The asker's own credentials go along, so where people
 * sign in the session-service decides whose session it is (another's is not found, as on its own API).
 */
public final class SessionLookup {

    /** The session's settings and the policy version at its HEAD. */
    public record AtHead(SessionConfig config, long policyVersion) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final URI sessions;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public SessionLookup(URI sessions) {
        this.sessions = sessions;
    }

    /**
     * Fails with {@link NoSuchElementException} for an unknown session (or one the asker may not see),
     * {@link SecurityException} when the asker has not signed in, {@link IOException} when unreachable.
     *
     * @param authorization the asker's "Authorization" header, or null
     */
    public AtHead atHead(UUID sessionId, String authorization) throws IOException {
        URI uri = sessions.resolve("/sessions/" + sessionId);
        HttpResponse<String> response;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Accept", "application/json");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + uri, e);
        }
        if (response.statusCode() == 401) {
            throw new SecurityException("sign in first: the session-service wants a bearer token");
        }
        if (response.statusCode() == 404) {
            throw new NoSuchElementException("no session " + sessionId);
        }
        if (response.statusCode() != 200) {
            throw new IOException("session-service answered " + response.statusCode() + " for " + uri);
        }
        JsonNode view = JSON.readTree(response.body());
        return new AtHead(JSON.treeToValue(view.get("config"), SessionConfig.class),
                view.get("policyVersion").asLong());
    }
}
