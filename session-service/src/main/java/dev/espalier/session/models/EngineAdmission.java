package dev.espalier.session.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.espalier.events.SessionConfig;
import dev.espalier.session.domain.SessionRejection;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Asks the rollout-service ({@code espalier.session.rollout-url}, its {@code POST /admission}) whether a session's
 * typed prompts and control prompt, or an edit, fit the served model's context with {@code maxNewTokens} to spare, and
 * whether a generation and a step of the session's size fit the engine's memory; a refusal is a 400 naming the field.
 * Prompts from files and datasets are not checked here (there may be millions): one too long is reported by the
 * rollout-service when it comes up (RolloutsFailed, kind PROMPT_TOO_LONG) and can be skipped. Without the URL, or when
 * the rollout-service does not answer (it may be loading its model), the check is passed over with a warning: the
 * failure events still keep the session from waiting on settings the engine cannot run.
 */
@ApplicationScoped
public class EngineAdmission {

    private static final Logger LOG = Logger.getLogger(EngineAdmission.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<URI> rollout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public EngineAdmission(@ConfigProperty(name = "espalier.session.rollout-url") Optional<URI> rollout) {
        this.rollout = rollout;
    }

    /** At creation: the typed prompts and the control prompt, and the session's size. */
    public void requireFits(SessionConfig config) {
        Map<String, String> named = new LinkedHashMap<>();
        if (config.prompts().kind() == SessionConfig.PromptSourceSpec.Kind.TYPED) {
            List<String> typed = config.prompts().typed();
            for (int i = 0; i < typed.size(); i++) {
                named.put("prompts.typed[" + i + "]", typed.get(i));
            }
        }
        if (config.controlPrompt() != null && !config.controlPrompt().isBlank()) {
            named.put("controlPrompt", config.controlPrompt());
        }
        require(config, named);
    }

    /** On an edit: the new text, with the session's settings. */
    public void requireFits(SessionConfig config, String editedText) {
        require(config, Map.of("text", editedText));
    }

    private void require(SessionConfig config, Map<String, String> named) {
        if (rollout.isEmpty()) {
            return;
        }
        List<Map<String, String>> prompts = new ArrayList<>();
        named.forEach((argument, text) -> prompts.add(Map.of("argument", argument, "text", text)));
        JsonNode verdict;
        try {
            String body = JSON.writeValueAsString(Map.of("format", config.format(), "prompts", prompts,
                    "groupSize", config.groupSize(), "maxNewTokens", config.sampling().maxNewTokens()));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(rollout.get().resolve("/admission"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                LOG.warnf("the rollout-service answered the admission check with %d; settings not checked against "
                        + "the served model: %s", response.statusCode(), response.body());
                return;
            }
            verdict = JSON.readTree(response.body());
        } catch (IOException e) {
            LOG.warnf("the rollout-service at %s cannot check the settings now (%s); accepted unchecked",
                    rollout.get(), e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        JsonNode refusals = verdict.path("refusals");
        if (!refusals.isEmpty()) {
            JsonNode first = refusals.get(0);
            throw new SessionRejection.InvalidArgument(first.path("argument").asText(), first.path("error").asText());
        }
    }
}
