package dev.espalier.policy.safetensors;

import java.nio.file.Path;

/** A safetensors file that cannot be read or written; the message names the file and, when known, the tensor. */
public final class SafetensorsException extends RuntimeException {

    public SafetensorsException(Path file, String message) {
        super(file + ": " + message);
    }

    public SafetensorsException(Path file, String tensor, String message) {
        super(file + ": tensor '" + tensor + "': " + message);
    }

    public SafetensorsException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
