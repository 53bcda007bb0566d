package dev.espalier.policy.cli;

import java.nio.file.Path;

/**
 * Turns the {@code --model} argument into a local model directory. The plain CLI accepts directories only; a hub
 * client plugs in here to accept model ids (download into a cache, return that directory).
 */
@FunctionalInterface
public interface ModelLocator {

    Path locate(String model);

    ModelLocator LOCAL_DIRECTORY = model -> Path.of(model);
}
