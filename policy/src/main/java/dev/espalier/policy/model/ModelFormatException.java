package dev.espalier.policy.model;

import java.nio.file.Path;

/** A model directory that cannot be used: the message names the file and, when known, the tensor or field. */
public final class ModelFormatException extends RuntimeException {

    public ModelFormatException(Path file, String message) {
        super(file + ": " + message);
    }

    public ModelFormatException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
