package dev.espalier.session.models;

import dev.espalier.hub.HubClient;
import dev.espalier.hub.RepoRef;
import dev.espalier.session.domain.SessionRejection;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one model this deployment's rollout-service serves ({@code espalier.session.served-model}, set by
 * {@code ./espalier up}, compose and Kubernetes). A session naming another model would be trained on rollouts that
 * model never wrote (other token ids, another vocabulary), so it is refused at creation. A model counts as the served
 * one when it names the same directory: a local path or a Hugging Face id as the HF cache resolves it, without any
 * download. Unset, every model is accepted (a rollout-service per model is the operator's business).
 */
@ApplicationScoped
public class ServedModel {

    private final Optional<String> served;
    private final HubClient hub;

    public ServedModel(@ConfigProperty(name = "espalier.session.served-model") Optional<String> served,
                       HubClient hub) {
        this.served = served;
        this.hub = hub;
    }

    /** @throws SessionRejection.InvalidArgument naming {@code model} when it is not the served model */
    public void require(String model) {
        if (served.isEmpty() || served.get().equals(model)) {
            return;
        }
        Optional<Path> dir = directory(model);
        if (dir.isEmpty() || !dir.equals(directory(served.get()))) {
            throw new SessionRejection.InvalidArgument("model", "'" + model + "' is not the model this deployment "
                    + "serves: its rollout-service writes with " + served.get() + ", so name that one");
        }
    }

    private Optional<Path> directory(String model) {
        try {
            Path local = Path.of(model);
            if (Files.isDirectory(local)) {
                return Optional.of(real(local));
            }
            return hub.cachedSnapshot(RepoRef.parse(model)).map(ServedModel::real);
        } catch (IllegalArgumentException e) { // not a path here (InvalidPathException), nor a hub id
            return Optional.empty();
        }
    }

    private static Path real(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
