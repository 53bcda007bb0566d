package dev.espalier.ui.client;

import dev.espalier.ui.signin.BearerTokens;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.espalier.events.EventSerde;
import dev.espalier.events.SessionEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * session-service's REST API (docs/events-and-sessions.md), as the UI uses it. Refusals come back as
 * {@link SessionApiException} carrying the service's message and the field at fault.
 */
@ApplicationScoped
public class SessionClient {

    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // session-service may add fields; the UI reads the ones it shows.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public SessionClient(@ConfigProperty(name = "espalier.session-service.url") URI base) {
        this.base = base;
    }

    /** Creates a session from the setup form's request body (session-service's {@code CreateSessionRequest}). */
    public SessionSnapshot create(Map<String, Object> request) {
        return send(post("/sessions", request), SessionSnapshot.class);
    }

    /** A model's architecture, size, context and chat template, from its small files only. */
    public ModelPreview previewModel(String model) {
        return send(get("/models/preview?model=" + URLEncoder.encode(model, StandardCharsets.UTF_8)),
                ModelPreview.class);
    }

    /** What a prompt source holds: session-service reads it as a session would ({@code POST /prompts/preview}). */
    public PromptPreview previewPrompts(Map<String, Object> prompts) {
        return send(post("/prompts/preview", prompts), PromptPreview.class);
    }

    public List<SessionSummary> list() {
        return send(get("/sessions"), new TypeReference<>() {
        });
    }

    public SessionSnapshot get(UUID id) {
        return send(get("/sessions/" + id), SessionSnapshot.class);
    }

    /**
     * Picks rollout {@code index} of the rollouts {@code rolloutsReadyId}; null means "none of them". Refused (409)
     * when those rollouts are no longer open, e.g. HEAD moved in another tab.
     */
    public SessionSnapshot choose(UUID id, Integer index, UUID rolloutsReadyId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("choice", index == null ? "none" : index);
        body.put("rolloutsReadyId", rolloutsReadyId.toString());
        return send(post("/sessions/" + id + "/choice", body), SessionSnapshot.class);
    }

    public SessionSnapshot skip(UUID id) {
        return send(post("/sessions/" + id + "/skip", Map.of()), SessionSnapshot.class);
    }

    public SessionSnapshot editPrompt(UUID id, String text) {
        return send(post("/sessions/" + id + "/prompt", Map.of("text", text)), SessionSnapshot.class);
    }

    public SessionSnapshot retry(UUID id) {
        return send(post("/sessions/" + id + "/retry", Map.of()), SessionSnapshot.class);
    }

    public SessionSnapshot undo(UUID id) {
        return send(post("/sessions/" + id + "/undo", Map.of()), SessionSnapshot.class);
    }

    public SessionSnapshot redo(UUID id) {
        return send(post("/sessions/" + id + "/redo", Map.of()), SessionSnapshot.class);
    }

    public SessionSnapshot checkout(UUID id, UUID nodeId) {
        return send(post("/sessions/" + id + "/checkout", Map.of("nodeId", nodeId)), SessionSnapshot.class);
    }

    public Timeline timeline(UUID id) {
        return send(get("/sessions/" + id + "/timeline"), Timeline.class);
    }

    /** The audit log, NDJSON as session-service serves it, for download. */
    public InputStream auditLog(UUID id) {
        HttpResponse<InputStream> response = exchange(auditRequest(id),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                throw refusal(response.statusCode(), new String(body.readAllBytes()));
            } catch (IOException e) {
                throw new SessionApiException(response.statusCode(), "cannot read the audit log: " + e, null);
            }
        }
        return response.body();
    }

    /** Every stored event of the session, read from the audit log; an unreadable line is an error. */
    public List<SessionEvent> events(UUID id) {
        HttpResponse<Stream<String>> response = exchange(auditRequest(id),
                HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() != 200) {
                throw refusal(response.statusCode(), String.join("\n", lines.toList()));
            }
            return lines.filter(l -> !l.isBlank()).map(EventSerde::fromJson).toList();
        }
    }

    /** Follows the session live until the returned subscription is closed. */
    public LiveSubscription follow(UUID id, LiveListener listener) {
        HttpRequest request = BearerTokens.request(base.resolve("/sessions/" + id + "/stream"))
                .header("Accept", "text/event-stream").GET().build();
        return LiveSubscription.open(http, request, listener);
    }

    private HttpRequest auditRequest(UUID id) {
        return BearerTokens.request(base.resolve("/sessions/" + id + "/events")).timeout(TIMEOUT)
                .header("Accept", "application/x-ndjson").GET().build();
    }

    private HttpRequest get(String path) {
        return BearerTokens.request(base.resolve(path)).timeout(TIMEOUT).header("Accept", "application/json")
                .GET().build();
    }

    private HttpRequest post(String path, Object body) {
        try {
            return BearerTokens.request(base.resolve(path)).timeout(TIMEOUT)
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body for " + path + " is not JSON-writable", e);
        }
    }

    private <T> T send(HttpRequest request, Class<T> type) {
        return read(request, body -> JSON.readValue(body, type));
    }

    private <T> T send(HttpRequest request, TypeReference<T> type) {
        return read(request, body -> JSON.readValue(body, type));
    }

    private interface Reader<T> {
        T read(String body) throws JsonProcessingException;
    }

    private <T> T read(HttpRequest request, Reader<T> reader) {
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), response.body());
        }
        try {
            return reader.read(response.body());
        } catch (JsonProcessingException e) {
            throw new SessionApiException(response.statusCode(), "session-service answered " + request.uri()
                    + " with something unreadable: " + e.getOriginalMessage(), null);
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new SessionApiException(0, "session-service at " + base + " cannot be reached: " + e.getMessage(),
                    null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionApiException(0, "interrupted while calling session-service", null);
        }
    }

    /** session-service's errors are {@code {status, error, argument}}; anything else is shown as it came. */
    static SessionApiException refusal(int status, String body) {
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.hasNonNull("error")) {
                return new SessionApiException(status, error.get("error").asText(),
                        error.hasNonNull("argument") ? error.get("argument").asText() : null);
            }
        } catch (JsonProcessingException e) {
            // not JSON: fall through and show the body
        }
        return new SessionApiException(status, "session-service answered " + status + ": " + body, null);
    }
}
