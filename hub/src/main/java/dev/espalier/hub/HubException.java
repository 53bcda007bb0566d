package dev.espalier.hub;

/**
 * A download or cache lookup that failed. The message names the repo, the file (when one is involved) and the HTTP
 * status (when the hub answered), so it can be shown to a person as it is.
 */
public class HubException extends RuntimeException {

    private final RepoRef repo;
    private final String file;
    private final int status;

    public HubException(RepoRef repo, String file, int status, String message, Throwable cause) {
        super(message, cause);
        this.repo = repo;
        this.file = file;
        this.status = status;
    }

    public HubException(RepoRef repo, String file, int status, String message) {
        this(repo, file, status, message, null);
    }

    public RepoRef repo() {
        return repo;
    }

    /** The file inside the repo, or null when the failure concerns the whole repo. */
    public String file() {
        return file;
    }

    /** The HTTP status the hub answered, or 0 when the failure happened without an answer. */
    public int status() {
        return status;
    }
}
