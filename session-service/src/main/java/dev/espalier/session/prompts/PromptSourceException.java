package dev.espalier.session.prompts;

/** A prompt source that cannot be used: missing file, no text column, no prompts. Names the file or dataset. */
public class PromptSourceException extends RuntimeException {
    public PromptSourceException(String message) {
        super(message);
    }

    public PromptSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
