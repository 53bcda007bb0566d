package dev.espalier.session.models;

/** A model that cannot be previewed; {@code missing} when it does not exist at all (rather than being unreadable). */
public class ModelPreviewException extends RuntimeException {

    private final boolean missing;

    public ModelPreviewException(boolean missing, String message, Throwable cause) {
        super(message, cause);
        this.missing = missing;
    }

    public boolean missing() {
        return missing;
    }
}
