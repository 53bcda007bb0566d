package dev.espalier.policy.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the name of a model (the CLI's {@code --model}, a session's {@code model}) into a local model directory.
 * {@link #LOCAL_DIRECTORY} takes directories only; {@link HubModelLocator} also takes Hugging Face model ids.
 */
@FunctionalInterface
public interface ModelLocator {

    Path locate(String model);

    ModelLocator LOCAL_DIRECTORY = model -> Path.of(model);

    /**
     * This locator, asked once per name: a long-running service keeps reading the directory it found first, so the
     * weights under a session do not change while it is served (its steps must replay bit for bit).
     */
    default ModelLocator remembering() {
        Map<String, Path> found = new ConcurrentHashMap<>();
        return model -> found.computeIfAbsent(model, this::locate);
    }
}
