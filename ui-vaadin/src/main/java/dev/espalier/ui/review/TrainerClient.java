package dev.espalier.ui.review;

import dev.espalier.ui.signin.BearerTokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * trainer-service's exports: {@code GET /adapters/{sessionId}/{policyVersion}} serves a PEFT zip,
 * {@code GET /merged/{sessionId}/{policyVersion}} the merged model.
 */
@ApplicationScoped
public class TrainerClient {

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TrainerClient(@ConfigProperty(name = "espalier.trainer-service.url") URI base) {
        this.base = base;
    }

    /** The adapter zip (adapter_model.safetensors + adapter_config.json) of one policy version. */
    public InputStream adapterZip(UUID sessionId, long policyVersion) {
        return download(base.resolve("/adapters/" + sessionId + "/" + policyVersion));
    }

    /** The full Hugging Face model of one policy version (base + adapter merged, float32), zipped. */
    public InputStream mergedZip(UUID sessionId, long policyVersion) {
        return download(base.resolve("/merged/" + sessionId + "/" + policyVersion));
    }

    private InputStream download(URI uri) {
        try {
            HttpResponse<InputStream> response = http.send(BearerTokens.request(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new UncheckedIOException(new IOException("trainer-service answered " + response.statusCode()
                        + " for " + uri));
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("trainer-service at " + base + " cannot be reached", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted while downloading " + uri));
        }
    }
}
