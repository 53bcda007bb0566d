package dev.espalier.ui.client;

/**
 * session-service refused a request or could not be reached.
 *
 * @param status   the HTTP status, or 0 when there was no answer
 * @param argument the request field at fault (e.g. {@code sampling.temperature}), when the service named one
 */
public class SessionApiException extends RuntimeException {
    private final int status;
    private final String argument;

    public SessionApiException(int status, String message, String argument) {
        super(message);
        this.status = status;
        this.argument = argument;
    }

    public int status() {
        return status;
    }

    public String argument() {
        return argument;
    }
}
